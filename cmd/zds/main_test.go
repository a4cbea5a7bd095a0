// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sys/unix"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/zerodowntime/zds/components/outdir"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

const (
	basicSpec   = "../../examples/basic/service.zds.yaml"
	examplesDir = "../../examples"
	schemaFile  = "../../schema/zero-downtime-service.schema.json"
)

// zds runs the CLI in-process.
func zds(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustRun runs the CLI and requires success with a quiet stderr.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := zds(t, args...)
	if code != 0 || errOut != "" {
		t.Fatalf("zds %s: exit %d, stderr:\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// decodeYAMLStream decodes every document of a multi-document YAML stream,
// normalised to what encoding/json produces (float64 numbers) so it compares
// with JSON output.
func decodeYAMLStream(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("document %d does not decode: %v", len(docs)+1, err)
		}
		if m == nil {
			t.Fatalf("document %d is empty", len(docs)+1)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("document %d is not representable as JSON: %v", len(docs)+1, err)
		}
		var n map[string]any
		if err := json.Unmarshal(b, &n); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, n)
	}
	return docs
}

func kinds(objs []map[string]any) []string {
	var out []string
	for _, o := range objs {
		k, _ := o["kind"].(string)
		out = append(out, k)
	}
	return out
}

// get walks a decoded object along keys (strings for maps, ints for lists).
func get(t *testing.T, v any, keys ...any) any {
	t.Helper()
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: not a mapping: %v", k, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at [%d]: not a long enough list: %v", k, v)
			}
			v = l[k]
		}
	}
	return v
}

func objectID(t *testing.T, o map[string]any) string {
	t.Helper()
	ns, _ := get(t, o, "metadata", "namespace").(string)
	name, _ := get(t, o, "metadata", "name").(string)
	return fmt.Sprintf("%s %s/%s", o["kind"], ns, name)
}

// stripHeader drops the leading comment lines render writes before the
// manifests.
func stripHeader(s string) string {
	for strings.HasPrefix(s, "#") {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	return s
}

// specDocuments counts the ZeroDowntimeService documents of the example
// spec files from their text, independently of the loader.
func specDocuments(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*", "*.zds.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example spec files: %v", err)
	}
	re := regexp.MustCompile(`(?m)^kind:\s*ZeroDowntimeService\s*$`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n += len(re.FindAll(b, -1))
	}
	return n
}

func TestRenderBasicGolden(t *testing.T) {
	out := mustRun(t, "render", "-f", basicSpec)
	golden := filepath.Join("testdata", "render-basic.golden.yaml")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if out != string(want) {
		t.Errorf("render output differs from %s (rerun with -update and review the diff):\n%s", golden, out)
	}

	objs := decodeYAMLStream(t, []byte(out))
	wantKinds := []string{"Namespace", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "PodDisruptionBudget", "Service", "Ingress", "Deployment"}
	if got := kinds(objs); !slices.Equal(got, wantKinds) {
		t.Fatalf("kinds %v, want apply order %v", got, wantKinds)
	}
	for _, o := range objs[3:] {
		if get(t, o, "metadata", "name") != "web" || get(t, o, "metadata", "namespace") != "shop" {
			t.Errorf("%s: want shop/web", objectID(t, o))
		}
	}
	// The admission policy and its binding are cluster-scoped, one pair
	// per service.
	for _, o := range objs[1:3] {
		if meta := o["metadata"].(map[string]any); meta["name"] != "zds-gate-shop-web" || meta["namespace"] != nil {
			t.Errorf("%s: want the cluster-scoped zds-gate-shop-web", objectID(t, o))
		}
	}
	if get(t, objs[0], "metadata", "name") != "shop" {
		t.Errorf("namespace object %s, want shop", objectID(t, objs[0]))
	}
	// The values the basic example's header states.
	if !strings.HasPrefix(out, "# ") || !strings.Contains(out, "shop/web: grace 51s > preStop 36s + shutdown 10s > deregistration delay 45s ≥ propagation 25s + longest request 15s") {
		t.Errorf("header missing or wrong:\n%s", out[:min(len(out), 400)])
	}
}

// listItems decodes render's JSON output, which must be a v1 List (what
// kubectl apply -f reads), and returns its items.
func listItems(t *testing.T, out string) []map[string]any {
	t.Helper()
	var list struct {
		APIVersion string           `json:"apiVersion"`
		Kind       string           `json:"kind"`
		Items      []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || list.APIVersion != "v1" || list.Kind != "List" {
		t.Fatalf("-o json is not a v1 List (%v):\n%.300s", err, out)
	}
	return list.Items
}

func TestRenderJSON(t *testing.T) {
	yamlObjs := decodeYAMLStream(t, []byte(mustRun(t, "render", "-f", basicSpec)))
	out := mustRun(t, "render", "-f", basicSpec, "-o", "json")
	jsonObjs := listItems(t, out)
	if len(jsonObjs) != 7 || len(jsonObjs) != len(yamlObjs) {
		t.Fatalf("%d JSON objects, %d YAML objects; want 7 of each", len(jsonObjs), len(yamlObjs))
	}
	for i := range jsonObjs {
		if !reflect.DeepEqual(jsonObjs[i], yamlObjs[i]) {
			t.Errorf("object %d differs between JSON (%s) and YAML (%s)", i, objectID(t, jsonObjs[i]), objectID(t, yamlObjs[i]))
		}
	}
}

func TestRenderDir(t *testing.T) {
	stdout := mustRun(t, "render", "-f", basicSpec)
	dir := filepath.Join(t.TempDir(), "out", "manifests") // created by render
	if out := mustRun(t, "render", "-f", basicSpec, "-d", dir); strings.Contains(out, "apiVersion:") {
		t.Errorf("render -d also wrote manifests to stdout:\n%s", out)
	}
	names := dirNames(t, dir)
	wantNames := []string{
		"01-namespace-shop.yaml",
		"02-validatingadmissionpolicy-zds-gate-shop-web.yaml",
		"03-validatingadmissionpolicybinding-zds-gate-shop-web.yaml",
		"04-shop-poddisruptionbudget-web.yaml",
		"05-shop-service-web.yaml",
		"06-shop-ingress-web.yaml",
		"07-shop-deployment-web.yaml",
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("files %v, want %v (and no temporary files left)", names, wantNames)
	}
	var parts []string
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if objs := decodeYAMLStream(t, b); len(objs) != 1 {
			t.Errorf("%s holds %d objects, want 1", n, len(objs))
		}
		if !strings.HasPrefix(string(b), fileHeader) {
			t.Errorf("%s does not start with the header %q", n, fileHeader)
		}
		parts = append(parts, strings.TrimPrefix(string(b), fileHeader))
	}
	if got, want := strings.Join(parts, "---\n"), stripHeader(stdout); got != want {
		t.Errorf("files joined differ from the stdout rendering:\n%s\nwant:\n%s", got, want)
	}

	// Rendering again replaces the files in place, each 0644 even under a
	// strict umask.
	old := unix.Umask(0o077)
	mustRun(t, "render", "-f", basicSpec, "-d", dir)
	unix.Umask(old)
	for _, n := range dirNames(t, dir) {
		if fi, err := os.Stat(filepath.Join(dir, n)); err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v (%v), want 0644", n, fi.Mode().Perm(), err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(wantNames)+1 {
		t.Errorf("second render left %d files, want %d and zds's record (no temporary file)", len(entries), len(wantNames))
	}
}

// specWith is the basic example's spec file plus n more services in the
// same namespace.
func specWith(t *testing.T, n int) string {
	t.Helper()
	base, err := os.ReadFile(basicSpec)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.Write(base)
	for i := range n {
		fmt.Fprintf(&b, "---\napiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: extra%d, namespace: shop}\nspec: {image: ghcr.io/acme/x:1, app: {maxRequestSeconds: 5}}\n", i)
	}
	f := filepath.Join(t.TempDir(), "spec.zds.yaml")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != outdir.RecordName { // zds's record of what it wrote
			names = append(names, e.Name())
		}
	}
	return names
}

// -o DIR holds exactly the current render: a second render with fewer
// services, or in another format, leaves none of the first one's files;
// files zds did not write stay, each named in a note (#11 row 2).
func TestRenderDirHoldsExactlyTheCurrentRender(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	mustRun(t, "render", "-f", specWith(t, 2), "-d", dir)
	if n := len(dirNames(t, dir)); n != 19 {
		t.Fatalf("%d files after rendering 3 services in one namespace, want 19 (6 each: admission policy and binding, budget, Service, Ingress, Deployment; and one Namespace)", n)
	}
	for name, body := range map[string]string{"README.md": "mine\n", "kustomization.yaml": "resources: []\n", "99-shop-configmap-x.yaml": "kind: ConfigMap\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, stderr := zds(t, "render", "-f", basicSpec, "-d", dir, "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := dirNames(t, dir)
	want := []string{"01-namespace-shop.json", "02-validatingadmissionpolicy-zds-gate-shop-web.json", "03-validatingadmissionpolicybinding-zds-gate-shop-web.json", "04-shop-poddisruptionbudget-web.json", "05-shop-service-web.json", "06-shop-ingress-web.json", "07-shop-deployment-web.json", "99-shop-configmap-x.yaml", "README.md", "kustomization.yaml"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	// A note for each file a GitOps tool would apply with the render; none
	// for the rest.
	for _, foreign := range []string{"kustomization.yaml", "99-shop-configmap-x.yaml"} {
		if !strings.Contains(stderr, filepath.Join(dir, foreign)+" was not written by zds") {
			t.Errorf("no note naming %s:\n%s", foreign, stderr)
		}
	}
	if strings.Contains(stderr, "README.md") {
		t.Errorf("a note for README.md, which no GitOps tool applies:\n%s", stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "README.md")); string(b) != "mine\n" {
		t.Errorf("README.md changed: %q", b)
	}
	// And back to YAML: the JSON files go.
	if code, _, stderr := zds(t, "render", "-f", basicSpec, "-d", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, n := range dirNames(t, dir) {
		if strings.HasSuffix(n, ".json") {
			t.Errorf("%s left from the JSON render", n)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Errorf("temporary directories left beside %s: %v", dir, entries)
	}
}

// -o through a symbolic link renders into the directory it points to and
// keeps the link.
func TestRenderDirThroughALink(t *testing.T) {
	real := filepath.Join(t.TempDir(), "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "render", "-f", basicSpec, "-d", link)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi, err)
	}
	if n := len(dirNames(t, real)); n != 7 {
		t.Errorf("%d files in the linked directory, want 7", n)
	}
}

// A failure leaves the directory exactly as it was: here a directory of
// the user's is in the way of an output file (#11 row 3).
func TestRenderDirFailureChangesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	mustRun(t, "render", "-f", specWith(t, 1), "-d", dir)
	before := map[string]string{}
	for _, n := range dirNames(t, dir) {
		b, _ := os.ReadFile(filepath.Join(dir, n))
		before[n] = string(b)
	}
	// The next render has a different 06 file: make a directory of that name.
	blocker := filepath.Join(dir, "06-shop-ingress-web.yaml")
	if _, ok := before["06-shop-ingress-web.yaml"]; ok {
		t.Fatal("fixture: 06 already exists")
	}
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := zds(t, "render", "-f", basicSpec, "-d", dir)
	if code != 1 || !strings.Contains(stderr, "in the way of an output file") {
		t.Fatalf("exit %d, stderr %s: want 1 naming the directory in the way", code, stderr)
	}
	for n, b := range before {
		got, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || string(got) != b {
			t.Errorf("%s changed by a failed render", n)
		}
	}
	if n := len(dirNames(t, dir)); n != len(before)+1 {
		t.Errorf("%d entries after a failed render, want the %d there were", n, len(before)+1)
	}
}

func TestRenderDirJSON(t *testing.T) {
	want := listItems(t, mustRun(t, "render", "-f", basicSpec, "--output", "json"))
	dir := t.TempDir()
	mustRun(t, "render", "-f", basicSpec, "-d", dir, "--output", "json")
	entries := dirNames(t, dir)
	if len(entries) != len(want) {
		t.Fatalf("%d files, want %d", len(entries), len(want))
	}
	for i, name := range entries {
		if !strings.HasSuffix(name, ".json") || !strings.HasPrefix(name, fmt.Sprintf("%02d-", i+1)) {
			t.Errorf("file %s, want %02d-….json", name, i+1)
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var o map[string]any
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(o, want[i]) {
			t.Errorf("%s differs from object %d of --output json", name, i)
		}
	}
}

// applyOrderCheck asserts that every object of one kind precedes every
// object of the next kind in the list, and each service's Ingress precedes
// its Deployment.
func applyOrderCheck(t *testing.T, objs []map[string]any) {
	t.Helper()
	rank := map[string]int{"Namespace": 0, "ValidatingAdmissionPolicy": 1, "ValidatingAdmissionPolicyBinding": 1, "PodDisruptionBudget": 1, "ServiceAccount": 1, "Service": 2, "Ingress": 3, "Deployment": 3, "HorizontalPodAutoscaler": 3}
	gates := map[string]bool{} // the admission policy bindings so far, by name
	last := 0
	// What binds the Service to a target group: an Ingress, or the Service
	// itself when it is of type LoadBalancer (nlb).
	ingress := map[string]bool{}
	accounts := map[string]bool{} // namespace/name of the ServiceAccounts so far
	rendered := map[string]bool{} // every rendered ServiceAccount (others exist already)
	for _, o := range objs {
		if o["kind"] == "ServiceAccount" {
			rendered[get(t, o, "metadata", "namespace").(string)+"/"+get(t, o, "metadata", "name").(string)] = true
		}
	}
	for _, o := range objs {
		k, _ := o["kind"].(string)
		r, ok := rank[k]
		if !ok {
			t.Errorf("unexpected kind %s", k)
			continue
		}
		if r < last {
			t.Errorf("%s after a later kind: not in apply order", objectID(t, o))
		}
		last = r
		id := strings.TrimPrefix(strings.TrimPrefix(objectID(t, o), "Ingress "), "Deployment ")
		id = strings.TrimPrefix(id, "Service ")
		switch k {
		case "ServiceAccount":
			accounts[get(t, o, "metadata", "namespace").(string)+"/"+get(t, o, "metadata", "name").(string)] = true
		case "Ingress":
			ingress[id] = true
		case "Service":
			if get(t, o, "spec", "type") == "LoadBalancer" {
				ingress[id] = true
			}
		case "ValidatingAdmissionPolicyBinding":
			gates[get(t, o, "metadata", "name").(string)] = true
		case "Deployment":
			if ns := get(t, o, "metadata", "namespace").(string); !gates["zds-gate-"+ns+"-"+get(t, o, "metadata", "name").(string)] {
				t.Errorf("Deployment %s before the admission policy binding that requires its pods' readiness gate", id)
			}
			if !ingress[id] {
				t.Errorf("Deployment %s before its Ingress or load-balanced Service", id)
			}
			if sa, _ := get(t, o, "spec", "template", "spec").(map[string]any)["serviceAccountName"].(string); rendered[get(t, o, "metadata", "namespace").(string)+"/"+sa] && !accounts[get(t, o, "metadata", "namespace").(string)+"/"+sa] {
				t.Errorf("Deployment %s before its ServiceAccount %s", id, sa)
			}
		}
	}
}

func TestRenderSeveralInputs(t *testing.T) {
	deployments := func(objs []map[string]any) []string {
		var out []string
		for _, o := range objs {
			if o["kind"] == "Deployment" {
				out = append(out, strings.TrimPrefix(objectID(t, o), "Deployment "))
			}
		}
		slices.Sort(out)
		return out
	}

	t.Run("several files", func(t *testing.T) {
		objs := decodeYAMLStream(t, []byte(mustRun(t, "render", "-f", basicSpec, "-f", "../../examples/shared-alb/services.zds.yaml")))
		want := []string{"market/api", "market/storefront", "shop/web"}
		if got := deployments(objs); !slices.Equal(got, want) {
			t.Errorf("Deployments %v, want %v", got, want)
		}
		applyOrderCheck(t, objs)
	})

	t.Run("directory", func(t *testing.T) {
		out := mustRun(t, "render", "-f", examplesDir)
		objs := decodeYAMLStream(t, []byte(stripHeader(out)))
		got := deployments(objs)
		if len(got) != specDocuments(t) {
			t.Errorf("%d Deployments %v, want one per spec document (%d)", len(got), got, specDocuments(t))
		}
		for _, svc := range []string{"shop/web", "market/api", "market/storefront", "payments/checkout", "discovery/search"} {
			if !slices.Contains(got, svc) {
				t.Errorf("no Deployment %s among %v", svc, got)
			}
			if !strings.Contains(out, "# "+svc+": grace ") {
				t.Errorf("no header line for %s", svc)
			}
		}
		applyOrderCheck(t, objs)
	})

	t.Run("file and directory", func(t *testing.T) {
		objs := decodeYAMLStream(t, []byte(mustRun(t, "render", "-f", "../../examples/platform-defaults", "-f", basicSpec)))
		want := []string{"discovery/search", "payments/checkout", "shop/web"}
		if got := deployments(objs); !slices.Equal(got, want) {
			t.Errorf("Deployments %v, want %v", got, want)
		}
	})
}

// locate returns the 1-based line and column where needle starts in src; it
// must occur exactly once.
func locate(t *testing.T, src, needle string) (line, col int) {
	t.Helper()
	if n := strings.Count(src, needle); n != 1 {
		t.Fatalf("fixture must contain %q exactly once, found %d", needle, n)
	}
	i := strings.Index(src, needle)
	before := src[:i]
	return strings.Count(before, "\n") + 1, i - (strings.LastIndex(before, "\n") + 1) + 1
}

// invalidFixture is a spec file under testdata/invalid with the problems it
// must be reported with: each at the position of its needle, with its path
// and a part of its message.
type invalidFixture struct {
	file     string
	problems [][3]string // needle, path, message part
}

var invalidFixtures = []invalidFixture{
	{"unknown-field.zds.yaml", [][3]string{
		{"replica:", "spec.replica", `unknown field "replica"`},
		{"shutdownSecond:", "spec.app.shutdownSecond", `unknown field "shutdownSecond"`},
	}},
	{"wrong-type.zds.yaml", [][3]string{
		{"replicas:", "spec.replicas", "integer"},
		{"port:", "spec.port", "integer"},
	}},
	{"missing-image.zds.yaml", [][3]string{
		// The field is absent: any position in the file will do.
		{"", "spec.image", "Required"},
	}},
	{"rule1.zds.yaml", [][3]string{{"deregistrationDelaySeconds:", "spec.timing.deregistrationDelaySeconds", "rule 1"}}},
	{"rule2.zds.yaml", [][3]string{{"preStopSleepSeconds:", "spec.timing.preStopSleepSeconds", "rule 2"}}},
	{"rule3.zds.yaml", [][3]string{{"preStopSleepSeconds:", "spec.timing.preStopSleepSeconds", "rule 3"}}},
	{"rule4.zds.yaml", [][3]string{{"terminationGracePeriodSeconds:", "spec.timing.terminationGracePeriodSeconds", "rule 4"}}},
	{"rule8.zds.yaml", [][3]string{{"keepAliveTimeoutSeconds:", "spec.app.keepAliveTimeoutSeconds", "rule 8"}}},
}

// expected returns, for a fixture, a pattern matching the
// "file:line:col: path: " prefix of each problem and a part of its message.
func (f invalidFixture) expected(t *testing.T) (path string, want [][2]string) {
	t.Helper()
	path = filepath.Join("testdata", "invalid", f.file)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.problems {
		pos := `\d+:\d+`
		if p[0] != "" {
			line, col := locate(t, string(src), p[0])
			pos = fmt.Sprintf("%d:%d", line, col)
		}
		want = append(want, [2]string{regexp.QuoteMeta(path) + ":" + pos + ": " + regexp.QuoteMeta(p[1]) + ": ", p[2]})
	}
	return path, want
}

// checkStderr asserts that stderr reports exactly the wanted problems, one
// per line.
func checkStderr(t *testing.T, stderr string, want [][2]string) {
	t.Helper()
	reported := 0
	for _, l := range strings.Split(stderr, "\n") {
		if regexp.MustCompile(`:\d+:\d+: `).MatchString(l) {
			reported++
		}
	}
	if reported != len(want) {
		t.Errorf("stderr reports %d problems, want %d:\n%s", reported, len(want), stderr)
	}
	for _, w := range want {
		re := regexp.MustCompile(w[0])
		found := false
		for _, l := range strings.Split(stderr, "\n") {
			if loc := re.FindStringIndex(l); loc != nil && strings.Contains(l[loc[1]:], w[1]) {
				found = true
			}
		}
		if !found {
			t.Errorf("stderr lacks %s…%s…:\n%s", w[0], w[1], stderr)
		}
	}
}

// snapshot records every file under dir with its content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// outputs prepares an output directory and an SVG file that already hold
// files with known content, for checking that a failing run writes nothing.
func outputs(t *testing.T) (dir, svg string, before map[string]string) {
	t.Helper()
	root := t.TempDir()
	dir = filepath.Join(root, "manifests")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"keep.txt":                    "hand-written notes\n",
		"05-shop-deployment-web.yaml": "# an earlier rendering\nkind: Deployment\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	svg = filepath.Join(root, "timeline.svg")
	if err := os.WriteFile(svg, []byte("<svg>earlier picture</svg>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, svg, snapshot(t, root)
}

func unchanged(t *testing.T, root string, before map[string]string) {
	t.Helper()
	after := snapshot(t, root)
	if !reflect.DeepEqual(after, before) {
		t.Errorf("a failing run changed the outputs:\nbefore %v\nafter  %v", before, after)
	}
}

func TestInvalidInput(t *testing.T) {
	for _, fx := range invalidFixtures {
		t.Run(fx.file, func(t *testing.T) {
			path, want := fx.expected(t)
			dir, svg, before := outputs(t)
			root := filepath.Dir(dir)
			newDir := filepath.Join(root, "new")
			newSVG := filepath.Join(root, "new.svg")
			for _, args := range [][]string{
				{"render", "-f", path},
				{"render", "-f", path, "--output", "json"},
				{"render", "-f", path, "-d", dir},
				{"render", "-f", path, "-d", newDir},
				{"explain", "-f", path},
				{"explain", "-f", path, "--output", "json"},
				{"explain", "-f", path, "--svg", svg},
				{"explain", "-f", path, "--svg", newSVG},
			} {
				code, stdout, stderr := zds(t, args...)
				if code != 1 {
					t.Errorf("zds %s: exit %d, want 1", strings.Join(args, " "), code)
				}
				if stdout != "" {
					t.Errorf("zds %s wrote to stdout:\n%s", strings.Join(args, " "), stdout)
				}
				checkStderr(t, stderr, want)
			}
			unchanged(t, root, before)
			for _, p := range []string{newDir, newSVG} {
				if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("a failing run created %s", p)
				}
			}
		})
	}
}

// TestInvalidInputAllAtOnce gives every invalid fixture and a valid file
// together: every problem of every file is listed, and nothing is written.
func TestInvalidInputAllAtOnce(t *testing.T) {
	args := []string{"render", "-f", basicSpec}
	var want [][2]string
	for _, fx := range invalidFixtures {
		path, w := fx.expected(t)
		args = append(args, "-f", path)
		want = append(want, w...)
	}
	dir, _, before := outputs(t)
	args = append(args, "-d", dir)
	code, stdout, stderr := zds(t, args...)
	if code != 1 || stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing", code, stdout)
	}
	checkStderr(t, stderr, want)
	unchanged(t, filepath.Dir(dir), before)

	// The whole testdata/invalid directory: the same problems.
	code, stdout, stderr = zds(t, "explain", "-f", filepath.Join("testdata", "invalid"))
	if code != 1 || stdout != "" {
		t.Errorf("directory: exit %d, stdout %q; want 1 and nothing", code, stdout)
	}
	checkStderr(t, stderr, want)
}

// zds help TOPIC prints that command's help and exits 0.
func TestHelpOnACommand(t *testing.T) {
	code, stdout, stderr := zds(t, "help", "render")
	if code != 0 || !strings.Contains(stdout, "zds render") || stderr != "" {
		t.Errorf("zds help render: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	dir, svg, before := outputs(t)
	tests := []struct {
		name string
		args []string
	}{
		{"render without -f", []string{"render"}},
		{"explain without -f", []string{"explain"}},
		{"render without -f, with -o", []string{"render", "-d", dir}},
		{"unknown flag", []string{"render", "-f", basicSpec, "--colour"}},
		{"unknown shorthand flag", []string{"explain", "-f", basicSpec, "-z"}},
		{"flag without value", []string{"render", "-f"}},
		{"unknown command", []string{"rendr", "-f", basicSpec}},
		{"unknown command alone", []string{"frobnicate"}},
		{"help on an unknown topic", []string{"help", "frob"}},
		{"help on an unknown subtopic", []string{"help", "render", "frob"}},
		{"extra argument to render", []string{"render", "-f", basicSpec, basicSpec}},
		{"extra argument to explain", []string{"explain", "-f", basicSpec, "extra"}},
		{"extra argument to schema", []string{"schema", "extra"}},
		{"render --output xml", []string{"render", "-f", basicSpec, "--output", "xml"}},
		{"render --output xml into a directory", []string{"render", "-f", basicSpec, "--output", "xml", "-d", dir}},
		{"explain --output yaml", []string{"explain", "-f", basicSpec, "--output", "yaml", "--svg", svg}},
		{"version --output xml", []string{"version", "--output", "xml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := zds(t, tt.args...)
			if code != 2 {
				t.Errorf("zds %s: exit %d, want 2 (usage error); stdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), code, stdout, stderr)
			}
			if stdout != "" {
				t.Errorf("usage error wrote to stdout:\n%s", stdout)
			}
			if stderr == "" {
				t.Errorf("usage error without a message on stderr")
			}
		})
	}
	unchanged(t, filepath.Dir(dir), before)
}

func TestExplainText(t *testing.T) {
	out := mustRun(t, "explain", "-f", basicSpec)
	// The basic example: R = 15, S = 10, L = 25 (the ALB default), 4
	// replicas. README.md: D = L + R + 5, P = max(L, D − S + 1), G = P + S + 5.
	R, S, L, replicas := 15, 10, 25, 4
	D := L + R + 5
	P := max(L, D-S+1)
	G := P + S + 5
	surge := (replicas + 3) / 4
	waves := (replicas + surge - 1) / surge

	values := map[string]int{}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 3 && strings.HasPrefix(f[0], "timing.") {
			var v int
			if _, err := fmt.Sscan(f[1], &v); err == nil {
				values[f[0]] = v
				if f[2] != "derived" {
					t.Errorf("%s is %s, want derived", f[0], f[2])
				}
			}
		}
	}
	for name, want := range map[string]int{
		"timing.deregistrationDelaySeconds":    D,
		"timing.preStopSleepSeconds":           P,
		"timing.terminationGracePeriodSeconds": G,
	} {
		if got, ok := values[name]; !ok || got != want {
			t.Errorf("%s = %d (listed: %v), want %d", name, got, ok, want)
		}
	}
	for _, s := range []string{
		fmt.Sprintf("D = L + R + 5 = %d + %d + 5", L, R),
		fmt.Sprintf("P = max(L, D − S + 1) = max(%d, %d − %d + 1)", L, D, S),
		fmt.Sprintf("G = P + S + 5 = %d + %d + 5", P, S),
		fmt.Sprintf("R=%ds, shutdown S=%ds", R, S),
		fmt.Sprintf("propagation L=%ds, %d replicas, maxSurge %d", L, replicas, surge),
		fmt.Sprintf("Rollout, as the model predicts it (docs/timing.md#how-long-events-take): %d wave(s)", waves),
		"Termination of one pod",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("explanation lacks %q:\n%s", s, out)
		}
	}
	// The timeline: SIGTERM at P, SIGKILL at G, in time order.
	timeline := regexp.MustCompile(`(?m)^\s+t=(\d+)s\s+(container|traffic)\s+(.*)$`)
	events := timeline.FindAllStringSubmatch(out, -1)
	if len(events) == 0 {
		t.Fatalf("no timeline events:\n%s", out)
	}
	at := map[string]string{}
	prev := -1
	for _, e := range events {
		var sec int
		fmt.Sscan(e[1], &sec)
		if sec < prev {
			t.Errorf("timeline out of order at t=%ds", sec)
		}
		prev = sec
		switch {
		case strings.Contains(e[3], "SIGTERM"):
			at["SIGTERM"] = e[1]
		case strings.Contains(e[3], "SIGKILL"):
			at["SIGKILL"] = e[1]
		case e[2] == "traffic" && strings.Contains(e[3], "draining clock starts"):
			at["draining starts"] = e[1]
		case e[2] == "traffic" && strings.Contains(e[3], "the last new request starts"):
			at["last request starts"] = e[1]
		case e[2] == "traffic" && strings.Contains(e[3], "the last request, started at L, has ended"):
			at["last request ends"] = e[1]
		case e[2] == "traffic" && strings.Contains(e[3], "draining ends"):
			at["draining ends"] = e[1]
		}
	}
	// Rule 1 told as a story: the draining clock from deregistration (0 at
	// the earliest), the last new request at L, its end at L + R, inside D.
	for what, want := range map[string]int{
		"SIGTERM": P, "SIGKILL": G,
		"draining starts": 0, "last request starts": L, "last request ends": L + R, "draining ends": D,
	} {
		if at[what] != fmt.Sprint(want) {
			t.Errorf("timeline: %s at t=%ss, want t=%ds:\n%s", what, at[what], want, out)
		}
	}
}

func TestExplainTextSeveral(t *testing.T) {
	out := mustRun(t, "explain", "-f", examplesDir)
	if n, want := strings.Count(out, "Rollout, as the model predicts it"), specDocuments(t); n != want {
		t.Errorf("%d explanations, want %d", n, want)
	}
	for _, svc := range []string{"shop/web", "market/api", "market/storefront", "payments/checkout", "discovery/search"} {
		if !strings.Contains(out, svc+" behind alb") {
			t.Errorf("no explanation of %s", svc)
		}
	}
}

// TestExplainMatchesRender cross-checks the two commands: the timings explain
// reports are the ones render puts into the objects.
func TestExplainMatchesRender(t *testing.T) {
	var items []struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
		Timing    struct {
			DeregistrationDelaySeconds    int `json:"deregistrationDelaySeconds"`
			PreStopSleepSeconds           int `json:"preStopSleepSeconds"`
			TerminationGracePeriodSeconds int `json:"terminationGracePeriodSeconds"`
			MinReadySeconds               int `json:"minReadySeconds"`
			ProgressDeadlineSeconds       int `json:"progressDeadlineSeconds"`
		} `json:"timing"`
		Timeline struct {
			Events []struct {
				AtSeconds int    `json:"atSeconds"`
				Chain     string `json:"chain"`
				What      string `json:"what"`
			} `json:"events"`
		} `json:"timeline"`
		RolloutWaves int `json:"rolloutWaves"`
	}
	out := mustRun(t, "explain", "-f", examplesDir, "--output", "json")
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatalf("explain --output json: %v\n%s", err, out)
	}
	if len(items) != specDocuments(t) {
		t.Fatalf("%d items, want %d", len(items), specDocuments(t))
	}

	objs := listItems(t, mustRun(t, "render", "-f", examplesDir, "--output", "json"))
	find := func(kind, ns, name string) map[string]any {
		for _, o := range objs {
			if o["kind"] == kind && get(t, o, "metadata", "namespace") == ns && get(t, o, "metadata", "name") == name {
				return o
			}
		}
		t.Fatalf("render has no %s %s/%s", kind, ns, name)
		return nil
	}
	for _, it := range items {
		id := it.Namespace + "/" + it.Name
		if it.Timing.PreStopSleepSeconds == 0 || it.Timing.TerminationGracePeriodSeconds == 0 || it.Timing.DeregistrationDelaySeconds == 0 {
			t.Errorf("%s: zero timings in explain JSON: %+v", id, it.Timing)
		}
		dep := find("Deployment", it.Namespace, it.Name)
		pod := get(t, dep, "spec", "template", "spec")
		if got := get(t, pod, "containers", 0, "lifecycle", "preStop", "sleep", "seconds"); got != float64(it.Timing.PreStopSleepSeconds) {
			t.Errorf("%s: preStop sleep %v in the Deployment, %d in explain", id, got, it.Timing.PreStopSleepSeconds)
		}
		if got := get(t, pod, "terminationGracePeriodSeconds"); got != float64(it.Timing.TerminationGracePeriodSeconds) {
			t.Errorf("%s: grace period %v in the Deployment, %d in explain", id, got, it.Timing.TerminationGracePeriodSeconds)
		}
		// 0 is Kubernetes' default, which the render omits.
		if got, _ := get(t, dep, "spec").(map[string]any)["minReadySeconds"].(float64); got != float64(it.Timing.MinReadySeconds) {
			t.Errorf("%s: minReadySeconds %v in the Deployment, %d in explain", id, got, it.Timing.MinReadySeconds)
		}
		if got := get(t, dep, "spec", "progressDeadlineSeconds"); got != float64(it.Timing.ProgressDeadlineSeconds) {
			t.Errorf("%s: progressDeadlineSeconds %v in the Deployment, %d in explain", id, got, it.Timing.ProgressDeadlineSeconds)
		}
		// The target group's attributes sit on the Ingress (alb) or on the
		// Service of type LoadBalancer (nlb).
		var attrs string
		if svc := find("Service", it.Namespace, it.Name); get(t, svc, "spec", "type") == "LoadBalancer" {
			attrs, _ = get(t, svc, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes").(string)
		} else {
			ing := find("Ingress", it.Namespace, it.Name)
			attrs, _ = get(t, ing, "metadata", "annotations", "alb.ingress.kubernetes.io/target-group-attributes").(string)
		}
		if want := fmt.Sprintf("deregistration_delay.timeout_seconds=%d", it.Timing.DeregistrationDelaySeconds); !slices.Contains(strings.Split(attrs, ","), want) {
			t.Errorf("%s: target-group-attributes %q lack %s", id, attrs, want)
		}
		// The timeline agrees with the timings.
		var sigterm, sigkill = -1, -1
		for _, e := range it.Timeline.Events {
			if strings.Contains(e.What, "SIGTERM") {
				sigterm = e.AtSeconds
			}
			if strings.Contains(e.What, "SIGKILL") {
				sigkill = e.AtSeconds
			}
		}
		if sigterm != it.Timing.PreStopSleepSeconds || sigkill != it.Timing.TerminationGracePeriodSeconds {
			t.Errorf("%s: timeline SIGTERM at %d, SIGKILL at %d; timings P=%d G=%d", id, sigterm, sigkill, it.Timing.PreStopSleepSeconds, it.Timing.TerminationGracePeriodSeconds)
		}
		// Rollouts are sized for the most replicas: the autoscaler's maximum.
		replicas, ok := get(t, dep, "spec", "replicas").(float64)
		if !ok {
			replicas = get(t, find("HorizontalPodAutoscaler", it.Namespace, it.Name), "spec", "maxReplicas").(float64)
		}
		surge := get(t, dep, "spec", "strategy", "rollingUpdate", "maxSurge").(float64)
		if want := int((replicas + surge - 1) / surge); it.RolloutWaves != want {
			t.Errorf("%s: %d rollout waves, want ceil(%v/%v) = %d", id, it.RolloutWaves, replicas, surge, want)
		}
	}
}

func TestExplainSVG(t *testing.T) {
	for _, tt := range []struct {
		input    string
		services []string
	}{
		{basicSpec, []string{"shop/web"}},
		{examplesDir, []string{"shop/web", "market/api", "market/storefront", "payments/checkout", "discovery/search"}},
	} {
		t.Run(filepath.Base(tt.input), func(t *testing.T) {
			svg := filepath.Join(t.TempDir(), "timeline.svg")
			text := mustRun(t, "explain", "-f", tt.input)
			if out := mustRun(t, "explain", "-f", tt.input, "--svg", svg); out != text {
				t.Errorf("--svg changed the text explanation on stdout")
			}
			b, err := os.ReadFile(svg)
			if err != nil {
				t.Fatal(err)
			}
			dec := xml.NewDecoder(bytes.NewReader(b))
			var root *xml.StartElement
			var chars strings.Builder
			depth := 0
			for {
				tok, err := dec.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed XML: %v\n%s", err, b)
				}
				switch el := tok.(type) {
				case xml.StartElement:
					if depth == 0 {
						if root != nil {
							t.Errorf("second root element <%s>", el.Name.Local)
						}
						e := el.Copy()
						root = &e
					}
					depth++
				case xml.EndElement:
					depth--
				case xml.CharData:
					chars.Write(el)
				}
			}
			if root == nil || root.Name.Local != "svg" || root.Name.Space != "http://www.w3.org/2000/svg" {
				t.Fatalf("root element %v, want svg in the SVG namespace", root)
			}
			for _, svc := range tt.services {
				if !strings.Contains(chars.String(), svc) {
					t.Errorf("the picture does not name %s", svc)
				}
			}
			if !strings.Contains(chars.String(), "SIGKILL") {
				t.Errorf("the picture does not mark SIGKILL")
			}
			// The traffic lane: new requests still arrive until L, above
			// a draining bar that starts at 0, with the end of the last
			// request (L + R) marked inside it.
			for _, s := range []string{"new requests still arrive (L): 0–", "last request (R): ", "draining (D): 0–", "(rule 1)"} {
				if !strings.Contains(chars.String(), s) {
					t.Errorf("the picture lacks %q", s)
				}
			}
		})
	}
}

func TestSchema(t *testing.T) {
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "schema")
	if out != string(want) {
		t.Errorf("zds schema differs from %s", schemaFile)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Errorf("zds schema is not JSON: %v", err)
	}
}

func TestVersion(t *testing.T) {
	out := mustRun(t, "version")
	if !strings.HasPrefix(out, "zds ") || !strings.Contains(out, "zds.dev/v1alpha1") {
		t.Errorf("zds version = %q, want zds <version> naming the spec API zds.dev/v1alpha1", out)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, "version", "--output", "json")), &v); err != nil || v["version"] == "" || v["apiVersion"] != "zds.dev/v1alpha1" {
		t.Errorf("zds version --output json = %v, %v", v, err)
	}
}

// -v notes what a directory held that zds skipped; without it, nothing.
func TestVerboseNotesSkippedDocuments(t *testing.T) {
	code, _, stderr := zds(t, "render", "-v", "-f", "../../examples/basic")
	if code != 0 || !regexp.MustCompile(`zds: note: skipped \.\./\.\./examples/basic/testdata/preview\.golden\.yaml:\d+: apps/v1 Deployment: not a zds spec`).MatchString(stderr) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if code, _, stderr := zds(t, "render", "-f", "../../examples/basic"); code != 0 || stderr != "" {
		t.Errorf("without -v: exit %d, stderr:\n%s", code, stderr)
	}
}

// -o json is read the way kubectl reads a file: apimachinery's unstructured
// JSON scheme (what kubectl apply -f decodes with) turns it into a list of
// the five objects, each with its own apiVersion and kind.
func TestRenderJSONIsAListKubectlReads(t *testing.T) {
	out := mustRun(t, "render", "-f", basicSpec, "-o", "json")
	obj, gvk, err := unstructured.UnstructuredJSONScheme.Decode([]byte(out), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	list, ok := obj.(*unstructured.UnstructuredList)
	if !ok || gvk.Kind != "List" || gvk.Version != "v1" {
		t.Fatalf("decoded a %T (%v), want a v1 List", obj, gvk)
	}
	var kinds []string
	for _, it := range list.Items {
		if it.GetAPIVersion() == "" || it.GetName() == "" {
			t.Errorf("item without apiVersion or name: %v", it.Object)
		}
		kinds = append(kinds, it.GetKind())
	}
	if want := []string{"Namespace", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "PodDisruptionBudget", "Service", "Ingress", "Deployment"}; !slices.Equal(kinds, want) {
		t.Errorf("items %v, want %v", kinds, want)
	}
}

// -o was the output directory before zds v0.2.0. Now it is the format, as in
// kubectl: -o json prints JSON and creates nothing, and a value that looks
// like a directory is a usage error naming --output-dir, never a silent
// directory.
func TestOutputFlagIsTheFormat(t *testing.T) {
	wd, _ := os.Getwd()
	tmp := t.TempDir()
	if err := os.Chdir(tmp); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd) //nolint:errcheck // restoring the test's directory
	spec := filepath.Join(wd, basicSpec)
	if out := mustRun(t, "render", "-f", spec, "-o", "json"); !strings.HasPrefix(out, "{") {
		t.Errorf("-o json did not print JSON:\n%.200s", out)
	}
	for _, arg := range []string{"manifests/", "out", "./x"} {
		code, _, stderr := zds(t, "render", "-f", spec, "-o", arg)
		if code != exitUsage || !strings.Contains(stderr, "--output-dir "+arg+" (-d)") {
			t.Errorf("-o %s: exit %d, stderr %q; want a usage error naming --output-dir", arg, code, stderr)
		}
	}
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("-o created %v", entries)
	}
}

// Every error has one format, file:line:column: field path: message, at the
// field's own position: also the refusal to render a targetGroupBinding
// service (once a multierror's "1 error occurred:" with tabs and blank
// lines) and ALB-group conflicts (once at the document's first line).
func TestErrorsHaveOneFormat(t *testing.T) {
	dir := t.TempDir()
	tgb := filepath.Join(dir, "tgb.zds.yaml")
	group := filepath.Join(dir, "group.zds.yaml")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const head = "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\n"
	write(tgb, head+"metadata: {name: web, namespace: shop}\nspec:\n  image: ghcr.io/acme/web:1\n  app: {maxRequestSeconds: 15}\n  loadBalancer:\n    kind: targetGroupBinding\n    vpcId: vpc-1\n")
	write(group, head+"metadata: {name: a, namespace: shop}\nspec:\n  image: x:1\n  app: {maxRequestSeconds: 5}\n  loadBalancer: {groupName: g, scheme: internal}\n---\n"+
		head+"metadata: {name: b, namespace: shop}\nspec:\n  image: x:1\n  app: {maxRequestSeconds: 5}\n  loadBalancer:\n    groupName: g\n    scheme: internet-facing\n")
	for file, want := range map[string]string{
		tgb:   "zds: " + tgb + ":8:5: spec.loadBalancer.kind: loadBalancer.kind targetGroupBinding creates an AWS target group",
		group: "zds: " + group + ":17:5: spec.loadBalancer.scheme: ALB group \"g\" is internal in " + group + ":1",
	} {
		code, _, stderr := zds(t, "render", "-f", file)
		if code != exitInvalid || !strings.HasPrefix(stderr, want) || strings.Contains(stderr, "error occurred") || strings.Contains(stderr, "\t") {
			t.Errorf("render %s: exit %d, stderr:\n%s\nwant it to start with:\n%s", filepath.Base(file), code, stderr, want)
		}
	}
}

// A spec with secret and config references renders them as references
// only: zds reads no Secret, writes no Secret object and no value, and the
// Deployment carries every reference, volume and scheduling field as given.
func TestSecretsRenderAsReferencesOnly(t *testing.T) {
	f := filepath.Join(t.TempDir(), "app.zds.yaml")
	src := `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata: {name: web, namespace: shop}
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15}
  env:
    - name: DB_PASSWORD
      valueFrom: {secretKeyRef: {name: db-credentials, key: password}}
  envFrom:
    - secretRef: {name: api-keys}
  volumes:
    - name: tls
      secret: {secretName: web-tls, defaultMode: 0400}
    - name: config
      configMap: {name: app-config}
  volumeMounts:
    - {name: tls, mountPath: /etc/tls, readOnly: true}
    - {name: config, mountPath: /etc/app, readOnly: true}
  pod:
    imagePullSecrets: [{name: registry}]
    nodeSelector: {nodegroup: web}
    tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule}]
`
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "render", "-f", f)
	if m := regexp.MustCompile(`(?m)^(kind: Secret|\s*(data|stringData|binaryData):)`).FindString(out); m != "" {
		t.Errorf("the render holds %q: zds must write references only", m)
	}
	var dep map[string]any
	for _, o := range decodeYAMLStream(t, []byte(out)) {
		if o["kind"] == "Deployment" {
			dep = o
		}
	}
	pod := get(t, dep, "spec", "template", "spec")
	ctr := get(t, pod, "containers", 0)
	for _, c := range []struct {
		got  any
		want any
	}{
		{get(t, ctr, "env", 0, "valueFrom", "secretKeyRef", "name"), "db-credentials"},
		{get(t, ctr, "envFrom", 0, "secretRef", "name"), "api-keys"},
		{get(t, pod, "volumes", 1, "secret", "secretName"), "web-tls"},
		{get(t, pod, "volumes", 1, "secret", "defaultMode"), float64(0o400)},
		{get(t, pod, "volumes", 0, "name"), "tmp"},
		{get(t, ctr, "volumeMounts", 1, "mountPath"), "/etc/tls"},
		{get(t, pod, "imagePullSecrets", 0, "name"), "registry"},
		{get(t, pod, "nodeSelector", "nodegroup"), "web"},
		{get(t, pod, "tolerations", 0, "effect"), "NoSchedule"},
	} {
		if c.got != c.want {
			t.Errorf("got %v, want %v", c.got, c.want)
		}
	}
}

// serviceAccount.create renders the ServiceAccount before the Deployment
// (pods are refused while their account is missing) and runs the pods as
// it; an EKS Pod Identity association, an AWS resource, is refused at its
// field.
func TestRenderServiceAccount(t *testing.T) {
	dir := t.TempDir()
	const base = `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata: {name: web, namespace: shop}
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15}
  serviceAccount:
    create: true
    annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/web"}
`
	irsa, pi := filepath.Join(dir, "irsa.zds.yaml"), filepath.Join(dir, "pi.zds.yaml")
	if err := os.WriteFile(irsa, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pi, []byte(base+"    podIdentity: {clusterName: prod, roleArn: \"arn:aws:iam::123456789012:role/web\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	objs := decodeYAMLStream(t, []byte(mustRun(t, "render", "-f", irsa)))
	pos := map[string]int{}
	for i, o := range objs {
		pos[o["kind"].(string)] = i
	}
	if sa, ok := pos["ServiceAccount"]; !ok || sa > pos["Deployment"] {
		t.Fatalf("kinds in order %v: want a ServiceAccount before the Deployment", kinds(objs))
	}
	if got := get(t, objs[pos["Deployment"]], "spec", "template", "spec", "serviceAccountName"); got != "web" {
		t.Errorf("the pods run as %v, want web", got)
	}
	code, _, stderr := zds(t, "render", "-f", pi)
	if want := pi + ":10:5: spec.serviceAccount.podIdentity: an EKS Pod Identity association is an AWS resource"; code != exitInvalid || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want it to contain %q", code, stderr, want)
	}
}

// The field report's final Deployment is expressible as a zds spec
// (testdata/field-report.zds.yaml): what it set is kept, and what zds
// changes is what its rules demand. Kept: 8 replicas, maxSurge 2 with
// maxUnavailable 0, readiness on GET /test, the config volume at /etc/app/,
// the nodeSelector, an exec preStop sleep, imagePullPolicy Always (a
// patch). Changed, each by a rule: preStop 20 → 31 (rule 2, P ≥ L = 25, and
// rule 3), grace 30 → 46 (rule 4), a deregistration delay of 40 instead of
// the ALB's default 300 (rule 1), the ALB health check on /test like the
// readiness probe (rule 7: the report left it on the controller's /), a
// budget and the readiness gate (rule 6), the startup probe on the
// readiness path (the report's startup probe used /__health; zds has one
// health endpoint) and readiness every 5 s instead of 1 s.
func TestFieldReportDeployment(t *testing.T) {
	spec := filepath.Join("testdata", "field-report.zds.yaml")
	out := mustRun(t, "render", "-f", spec)
	golden := filepath.Join("testdata", "render-field-report.golden.yaml")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, err := os.ReadFile(golden); err != nil || out != string(want) {
		t.Errorf("render differs from %s (%v): rerun with -update and review", golden, err)
	}
	var dep, ing map[string]any
	for _, o := range decodeYAMLStream(t, []byte(out)) {
		switch o["kind"] {
		case "Deployment":
			dep = o
		case "Ingress":
			ing = o
		}
	}
	pod := get(t, dep, "spec", "template", "spec")
	ctr := get(t, pod, "containers", 0)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"replicas", get(t, dep, "spec", "replicas"), float64(8)},
		{"maxSurge", get(t, dep, "spec", "strategy", "rollingUpdate", "maxSurge"), float64(2)},
		{"maxUnavailable", get(t, dep, "spec", "strategy", "rollingUpdate", "maxUnavailable"), float64(0)},
		{"readiness path", get(t, ctr, "readinessProbe", "httpGet", "path"), "/test"},
		{"config mount", get(t, ctr, "volumeMounts", 1, "mountPath"), "/etc/app/"},
		{"config volume", get(t, pod, "volumes", 1, "configMap", "name"), "app-config"},
		{"nodeSelector", get(t, pod, "nodeSelector", "nodegroup"), "web"},
		{"imagePullPolicy", get(t, ctr, "imagePullPolicy"), "Always"},
		{"exec preStop", get(t, ctr, "lifecycle", "preStop", "exec", "command", 1), "31"},
		{"grace", get(t, pod, "terminationGracePeriodSeconds"), float64(46)},
		{"ALB health check", get(t, ing, "metadata", "annotations", "alb.ingress.kubernetes.io/healthcheck-path"), "/test"},
		{"deregistration delay", get(t, ing, "metadata", "annotations", "alb.ingress.kubernetes.io/target-group-attributes"), "deregistration_delay.timeout_seconds=40"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
}

// Two services in one namespace write its Namespace once, so the directory
// passes kustomize build (as Flux builds a directory, with a generated
// kustomization of every file); #21 found the shared-ALB example's
// directory refused ("already registered id").
func TestRenderDirPassesKustomizeBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	mustRun(t, "render", "-f", filepath.Join(examplesDir, "shared-alb"), "-d", dir)
	files := dirNames(t, dir)
	var k strings.Builder
	k.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
	for _, f := range files {
		fmt.Fprintf(&k, "  - %s\n", f)
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(k.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build of %v: %v", files, err)
	}
	namespaces := 0
	for _, r := range resources.Resources() {
		if r.GetKind() == "Namespace" {
			namespaces++
		}
	}
	if resources.Size() != len(files) || namespaces != 1 {
		t.Errorf("kustomize build: %d objects (%d Namespaces) from %d files, want one object a file and one Namespace", resources.Size(), namespaces, len(files))
	}
	// The user's kustomization stays through a second render.
	_, _, stderr := zds(t, "render", "-f", filepath.Join(examplesDir, "shared-alb"), "-d", dir)
	if b, _ := os.ReadFile(filepath.Join(dir, "kustomization.yaml")); string(b) != k.String() {
		t.Errorf("kustomization.yaml changed by a render: %s", stderr)
	}
}
