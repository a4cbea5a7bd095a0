// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package specfile_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
)

// writeFile writes content to dir/name (creating parent directories) and
// returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// locate returns the 1-based line and column where needle starts in src. The
// needle must occur exactly once, so the expectation is unambiguous.
func locate(t *testing.T, src, needle string) (line, col int) {
	t.Helper()
	if n := strings.Count(src, needle); n != 1 {
		t.Fatalf("fixture must contain %q exactly once, found %d times", needle, n)
	}
	i := strings.Index(src, needle)
	before := src[:i]
	line = strings.Count(before, "\n") + 1
	col = i - (strings.LastIndex(before, "\n") + 1) + 1
	return line, col
}

// problemsOf loads paths and returns the problems of the *specfile.Invalid it
// must fail with.
func problemsOf(t *testing.T, paths ...string) []specfile.Problem {
	t.Helper()
	docs, err := specfile.Load(paths...)
	if err == nil {
		t.Fatalf("Load(%v) succeeded with %d documents, want an *specfile.Invalid", paths, len(docs))
	}
	var inv *specfile.Invalid
	if !errors.As(err, &inv) {
		t.Fatalf("Load(%v) error is %T (%v), want *specfile.Invalid", paths, err, err)
	}
	if docs != nil {
		t.Errorf("Load returned documents along with an error: %d", len(docs))
	}
	if len(inv.Problems) == 0 {
		t.Fatalf("*specfile.Invalid without problems")
	}
	if inv.Error() == "" {
		t.Errorf("empty error message")
	}
	return inv.Problems
}

func dump(ps []specfile.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\n  %s (path %q)", p.String(), p.Path)
	}
	return b.String()
}

// want is an expected problem: its position is where needle starts in the
// fixture (the key of the field at fault).
type want struct {
	needle string
	path   string
	msg    string // substring of Message
}

// checkProblems asserts that got holds exactly the wanted problems, each in
// file at the position of its needle in src.
func checkProblems(t *testing.T, file, src string, got []specfile.Problem, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Errorf("got %d problems, want %d:%s", len(got), len(wants), dump(got))
	}
	for _, w := range wants {
		line, col := locate(t, src, w.needle)
		found := false
		for _, p := range got {
			if p.File == file && p.Line == line && p.Column == col && p.Path == w.path && strings.Contains(p.Message, w.msg) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("missing problem %s:%d:%d: %s: …%s…; got:%s", file, line, col, w.path, w.msg, dump(got))
		}
	}
}

func TestExamplesLoad(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/*.zds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d example spec files, want at least 3 (basic, shared-alb, platform-defaults): %v", len(files), files)
	}
	// Counted from the text, independently of the YAML decoder.
	kindLine := regexp.MustCompile(`(?m)^kind:\s*ZeroDowntimeService\s*$`)
	known := map[string]int{
		"basic/service.zds.yaml":              1,
		"shared-alb/services.zds.yaml":        2,
		"platform-defaults/services.zds.yaml": 2,
	}
	seen := 0
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			wantDocs := len(kindLine.FindAll(src, -1))
			rel := filepath.ToSlash(strings.TrimPrefix(f, filepath.Clean("../../examples")+string(filepath.Separator)))
			if n, ok := known[rel]; ok {
				seen++
				if n != wantDocs {
					t.Fatalf("%s: %d kind lines, the test expects %d", rel, wantDocs, n)
				}
			}
			docs, err := specfile.Load(f)
			if err != nil {
				t.Fatalf("Load(%s): %v", f, err)
			}
			if len(docs) != wantDocs {
				t.Fatalf("Load(%s) = %d documents, want %d", f, len(docs), wantDocs)
			}
			for _, d := range docs {
				if d.File != f || d.Line < 1 {
					t.Errorf("document located at %s:%d, want %s:≥1", d.File, d.Line, f)
				}
				if d.Resolved == nil {
					t.Fatalf("%s: document %s not resolved", f, d.Metadata.Name)
				}
				if d.APIVersion != "zds.dev/v1alpha1" || d.Kind != "ZeroDowntimeService" {
					t.Errorf("%s: apiVersion/kind = %s/%s", f, d.APIVersion, d.Kind)
				}
				if d.Metadata.Name == "" || d.Resolved.Spec.Name != d.Metadata.Name {
					t.Errorf("%s: metadata.name %q resolved as %q", f, d.Metadata.Name, d.Resolved.Spec.Name)
				}
				if d.Metadata.Namespace != "" && d.Resolved.Spec.Namespace != d.Metadata.Namespace {
					t.Errorf("%s: metadata.namespace %q resolved as %q", f, d.Metadata.Namespace, d.Resolved.Spec.Namespace)
				}
				if d.Spec.Image == "" || d.Resolved.Spec.Image != d.Spec.Image {
					t.Errorf("%s/%s: image %q resolved as %q", f, d.Metadata.Name, d.Spec.Image, d.Resolved.Spec.Image)
				}
			}
			// Documents come in file order: their lines increase.
			for i := 1; i < len(docs); i++ {
				if docs[i].Line <= docs[i-1].Line {
					t.Errorf("documents out of order: line %d after line %d", docs[i].Line, docs[i-1].Line)
				}
			}
		})
	}
	if seen != len(known) {
		t.Errorf("found %d of the %d known example files", seen, len(known))
	}
}

// TestBasicExampleTimings checks the basic example's derived timings against
// the formulas of README.md, computed here from its inputs.
func TestBasicExampleTimings(t *testing.T) {
	docs, err := specfile.Load("../../examples/basic/service.zds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := docs[0].Resolved
	R, S, L := 15, 10, 25 // app.maxRequestSeconds, app.shutdownSeconds, the ALB default propagation
	D := L + R + 5
	P := max(L, D-S+1)
	G := P + S + 5
	if got := r.Timing; got.DeregistrationDelaySeconds != D || got.PreStopSleepSeconds != P || got.TerminationGracePeriodSeconds != G {
		t.Errorf("D, P, G = %d, %d, %d; want %d, %d, %d", got.DeregistrationDelaySeconds, got.PreStopSleepSeconds, got.TerminationGracePeriodSeconds, D, P, G)
	}
}

const validDoc = `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
  namespace: shop
spec:
  image: ghcr.io/acme/web:1.4.2
  replicas: 3
  port: 8080
  app:
    maxRequestSeconds: 15
    shutdownSeconds: 10
  loadBalancer:
    kind: alb
`

func TestValidDocument(t *testing.T) {
	f := writeFile(t, t.TempDir(), "web.zds.yaml", validDoc)
	docs, err := specfile.Load(f)
	if err != nil {
		t.Fatalf("the base fixture of the other tests must be valid: %v", err)
	}
	if len(docs) != 1 || docs[0].Metadata.Name != "web" || docs[0].Resolved.Spec.Namespace != "shop" || docs[0].Line != 1 {
		t.Fatalf("unexpected documents: %+v", docs)
	}
}

func TestSchemaProblems(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		wants []want
	}{
		{
			name: "unknown field at top level",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
colour: red
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"colour:", "colour", `unknown field "colour"`}},
		},
		{
			name: "unknown field in metadata",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
  nmespace: shop
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"nmespace:", "metadata.nmespace", `unknown field "nmespace"`}},
		},
		{
			name: "unknown field in spec",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  replica: 3
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"replica:", "spec.replica", `unknown field "replica"`}},
		},
		{
			// The typo also leaves the required field missing: both are
			// reported, the missing one at its parent.
			name: "unknown field nested",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  app:
    maxRequestSecond: 15
`,
			wants: []want{
				{"maxRequestSecond:", "spec.app.maxRequestSecond", `unknown field "maxRequestSecond"`},
				{"app:", "spec.app", "maxRequestSeconds"},
			},
		},
		{
			name: "unknown field in a flow mapping",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata: {name: web}
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15, shutdownSecs: 3}
`,
			wants: []want{{"shutdownSecs:", "spec.app.shutdownSecs", `unknown field "shutdownSecs"`}},
		},
		{
			name: "wrong type: string for integer",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  replicas: "three"
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"replicas:", "spec.replicas", "integer"}},
		},
		{
			name: "wrong type: fraction for integer",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  port: 8080.5
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"port:", "spec.port", "integer"}},
		},
		{
			name: "wrong type: mapping for string",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: {repo: web}
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"image:", "spec.image", "string"}},
		},
		{
			name: "missing metadata.name",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  namespace: shop
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"metadata:", "metadata", "name"}},
		},
		{
			name: "missing spec.app.maxRequestSeconds",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  app:
    shutdownSeconds: 10
`,
			wants: []want{{"app:", "spec.app", "maxRequestSeconds"}},
		},
		{
			name: "missing spec",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
`,
			wants: []want{{"apiVersion:", "", "spec"}},
		},
		{
			name: "bad enum",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15}
  loadBalancer:
    scheme: internet-facing
    kind: nlbx
`,
			wants: []want{{"kind: nlbx", "spec.loadBalancer.kind", "alb"}},
		},
		{
			name: "out of range",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  port: 70000
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"port:", "spec.port", "Invalid value: 70000: must be at most 65535"}},
		},
		{
			// In zds's words, with the number as written: not the
			// validator's "minimum: got -5, want 0" or "4.294967297×10⁰⁹".
			name: "below the minimum, and a count beyond int32",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  replicas: 4294967297
  app: {maxRequestSeconds: 15, shutdownSeconds: -5}
`,
			wants: []want{
				{"replicas:", "spec.replicas", "Invalid value: 4294967297: must be at most 2147483647"},
				{"shutdownSeconds", "spec.app.shutdownSeconds", "Invalid value: -5: must be at least 0"},
			},
		},
		{
			name: "metadata.name not a DNS label",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: Web_1
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"name: Web_1", "metadata.name", "^[a-z]"}},
		},
		{
			name: "wrong apiVersion",
			src: `apiVersion: zds.dev/v2
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15}
`,
			wants: []want{{"apiVersion:", "apiVersion", "zds.dev/v1alpha1"}},
		},
		{
			name: "several problems in one document",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
colour: red
metadata:
  name: web
  nmespace: shop
spec:
  imag: ghcr.io/acme/web:1.4.2
  replicas: "three"
  port: 70000
  app:
    maxRequestSecond: 15
  loadBalancer:
    kind: nlbx
`,
			wants: []want{
				{"colour:", "colour", `unknown field "colour"`},
				{"nmespace:", "metadata.nmespace", `unknown field "nmespace"`},
				{"imag:", "spec.imag", `unknown field "imag"`},
				{"replicas:", "spec.replicas", "integer"},
				{"port:", "spec.port", "Invalid value: 70000: must be at most 65535"},
				{"app:", "spec.app", "maxRequestSeconds"},
				{"maxRequestSecond:", "spec.app.maxRequestSecond", `unknown field "maxRequestSecond"`},
				{"kind: nlbx", "spec.loadBalancer.kind", "alb"},
			},
		},
		{
			name: "problems in several documents of one file",
			src: `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
spec:
  image: ghcr.io/acme/web:1.4.2
  app: {maxRequestSeconds: 15, colour: red}
---
apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: api
spec:
  image: ghcr.io/acme/api:1.0.0
  replicas: many
  app: {maxRequestSeconds: 5}
`,
			wants: []want{
				{"colour:", "spec.app.colour", `unknown field "colour"`},
				{"replicas: many", "spec.replicas", "integer"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, t.TempDir(), "svc.zds.yaml", tt.src)
			checkProblems(t, f, tt.src, problemsOf(t, f), tt.wants)
		})
	}
}

func TestUnknownFieldMessageHasPosition(t *testing.T) {
	src := strings.Replace(validDoc, "  replicas: 3\n", "  replicas: 3\n  replicaz: 4\n", 1)
	f := writeFile(t, t.TempDir(), "svc.zds.yaml", src)
	_, err := specfile.Load(f)
	if err == nil {
		t.Fatal("unknown field accepted")
	}
	line, col := locate(t, src, "replicaz:")
	wantPrefix := fmt.Sprintf("%s:%d:%d: spec.replicaz: ", f, line, col)
	if !strings.HasPrefix(err.Error(), wantPrefix) || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("error %q, want it to start with %q and say unknown field", err, wantPrefix)
	}
}

// base is a valid spec with R = 15, S = 10 and the ALB's L = 25 (so D = 20,
// P = 25, G = 40 when derived), missing its trailing section: each case
// appends one.
const base = `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
  namespace: shop
spec:
  image: ghcr.io/acme/web:1.4.2
  app:
    maxRequestSeconds: 15
    shutdownSeconds: 10
`

func TestComponentProblems(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		wants []want
	}{
		{
			name: "rule 1: D < R",
			src: base + `  timing:
    deregistrationDelaySeconds: 10
`,
			wants: []want{{"deregistrationDelaySeconds:", "spec.timing.deregistrationDelaySeconds", "rule 1"}},
		},
		{
			name: "rule 1: D = R + 5, which passed the old rule 1, names the change",
			src: base + `  timing:
    deregistrationDelaySeconds: 20
`,
			wants: []want{{"deregistrationDelaySeconds:", "spec.timing.deregistrationDelaySeconds", "rule 1 was D ≥ R before zds v0.2.0"}},
		},
		{
			name:  "rule 1: L + R above the ELB maximum, reported on R",
			src:   strings.Replace(base, "maxRequestSeconds: 15", "maxRequestSeconds: 3590", 1),
			wants: []want{{"maxRequestSeconds:", "spec.app.maxRequestSeconds", "lower app.maxRequestSeconds to at most 3575"}},
		},
		{
			name: "rule 2: P < L",
			src: base + `  timing:
    preStopSleepSeconds: 10
`,
			wants: []want{{"preStopSleepSeconds:", "spec.timing.preStopSleepSeconds", "rule 2"}},
		},
		{
			name: "rule 2: P < pinned L",
			src: base + `  loadBalancer:
    propagationSeconds: 40
  timing:
    preStopSleepSeconds: 30
`,
			wants: []want{{"preStopSleepSeconds:", "spec.timing.preStopSleepSeconds", "rule 2"}},
		},
		{
			name: "rule 3: P + S ≤ D",
			src: base + `  timing:
    deregistrationDelaySeconds: 40
    preStopSleepSeconds: 25
`,
			wants: []want{{"preStopSleepSeconds:", "spec.timing.preStopSleepSeconds", "rule 3"}},
		},
		{
			name: "rule 4: G ≤ P + S",
			src: base + `  timing:
    terminationGracePeriodSeconds: 35
`,
			wants: []want{{"terminationGracePeriodSeconds:", "spec.timing.terminationGracePeriodSeconds", "rule 4"}},
		},
		{
			name: "rule 8: keep-alive ≤ idle timeout",
			src: base + `    keepAliveTimeoutSeconds: 60
  loadBalancer:
    idleTimeoutSeconds: 60
`,
			wants: []want{{"keepAliveTimeoutSeconds:", "spec.app.keepAliveTimeoutSeconds", "rule 8"}},
		},
		{
			name: "several rules at once",
			src: base + `    keepAliveTimeoutSeconds: 30
  timing:
    deregistrationDelaySeconds: 10
    preStopSleepSeconds: 10
    terminationGracePeriodSeconds: 12
`,
			wants: []want{
				{"keepAliveTimeoutSeconds:", "spec.app.keepAliveTimeoutSeconds", "rule 8"},
				{"deregistrationDelaySeconds:", "spec.timing.deregistrationDelaySeconds", "rule 1"},
				{"preStopSleepSeconds:", "spec.timing.preStopSleepSeconds", "rule 2"},
				{"terminationGracePeriodSeconds:", "spec.timing.terminationGracePeriodSeconds", "rule 4"},
			},
		},
		{
			name: "single replica without acceptDowntime",
			src: base + `  replicas: 1
`,
			wants: []want{{"replicas:", "spec.replicas", "acceptDowntime"}},
		},
		{
			name: "disruption budget as large as replicas",
			src: base + `  replicas: 3
  disruption:
    maxUnavailable: 3
`,
			wants: []want{{"maxUnavailable:", "spec.disruption.maxUnavailable", "below replicas"}},
		},
		{
			name: "env in a list",
			src: base + `  env:
    - {name: A, value: "1"}
    - {name: A, value: "2"}
`,
			wants: []want{{`name: A, value: "2"`, "spec.env[1].name", "Duplicate"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, t.TempDir(), "svc.zds.yaml", tt.src)
			checkProblems(t, f, tt.src, problemsOf(t, f), tt.wants)
		})
	}
}

func TestMissingImage(t *testing.T) {
	src := strings.Replace(validDoc, "  image: ghcr.io/acme/web:1.4.2\n", "", 1)
	f := writeFile(t, t.TempDir(), "svc.zds.yaml", src)
	ps := problemsOf(t, f)
	if len(ps) != 1 {
		t.Fatalf("want one problem:%s", dump(ps))
	}
	p := ps[0]
	if p.File != f || p.Path != "spec.image" || !strings.Contains(p.Message, "Required") || !strings.Contains(p.Message, "image") {
		t.Errorf("got %s (path %q), want %s: spec.image: Required …", p, p.Path, f)
	}
	// The field is absent: the position is the spec it belongs in (its key,
	// or the first line of its mapping).
	specLine, _ := locate(t, src, "spec:")
	if p.Line != specLine && p.Line != specLine+1 {
		t.Errorf("missing image reported at line %d, want the spec at line %d or %d", p.Line, specLine, specLine+1)
	}
}

// The namespace is metadata.namespace in a file: an error about it must point
// there, not into spec, and name the field the file has.
func TestMetadataNamespaceProblem(t *testing.T) {
	src := strings.Replace(validDoc, "namespace: shop", "namespace: kube-system", 1)
	f := writeFile(t, t.TempDir(), "svc.zds.yaml", src)
	ps := problemsOf(t, f)
	if len(ps) != 1 {
		t.Fatalf("want one problem:%s", dump(ps))
	}
	line, col := locate(t, src, "namespace: kube-system")
	if p := ps[0]; p.Line != line || p.Column != col || p.Path != "metadata.namespace" || !strings.Contains(p.Message, "kube-system") {
		t.Errorf("got %s (path %q), want %s:%d:%d: metadata.namespace: … kube-system …", p, p.Path, f, line, col)
	}
}

func TestProblemsInSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	srcA := strings.Replace(validDoc, "  replicas: 3\n", "  replicas: 3\n  colour: red\n", 1)
	srcB := strings.Replace(strings.Replace(validDoc, "name: web", "name: api", 1), "  image: ghcr.io/acme/web:1.4.2\n", "", 1)
	a := writeFile(t, dir, "a.zds.yaml", srcA)
	b := writeFile(t, dir, "b.zds.yaml", srcB)
	good := writeFile(t, dir, "good.zds.yaml", strings.Replace(validDoc, "name: web", "name: good", 1))
	ps := problemsOf(t, a, good, b)
	if len(ps) != 2 {
		t.Fatalf("want two problems:%s", dump(ps))
	}
	line, col := locate(t, srcA, "colour:")
	if ps[0].File != a || ps[0].Line != line || ps[0].Column != col || !strings.Contains(ps[0].Message, "unknown field") {
		t.Errorf("first problem %s, want %s:%d:%d unknown field", ps[0], a, line, col)
	}
	if ps[1].File != b || ps[1].Path != "spec.image" {
		t.Errorf("second problem %s, want %s: spec.image", ps[1], b)
	}
}

func TestMissingPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.zds.yaml")
	good := writeFile(t, t.TempDir(), "good.zds.yaml", validDoc)
	ps := problemsOf(t, good, missing)
	if len(ps) != 1 || ps[0].File != missing {
		t.Errorf("want one problem for %s:%s", missing, dump(ps))
	}
}

func TestJSONSpecFile(t *testing.T) {
	const valid = `{
  "apiVersion": "zds.dev/v1alpha1",
  "kind": "ZeroDowntimeService",
  "metadata": {"name": "web", "namespace": "shop"},
  "spec": {
    "image": "ghcr.io/acme/web:1.4.2",
    "app": {"maxRequestSeconds": 15, "shutdownSeconds": 10}
  }
}
`
	dir := t.TempDir()
	f := writeFile(t, dir, "web.json", valid)
	docs, err := specfile.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Metadata.Name != "web" || docs[0].Resolved.Timing.PreStopSleepSeconds != 36 {
		t.Fatalf("unexpected documents %+v", docs)
	}

	bad := strings.Replace(valid, `"shutdownSeconds": 10}`, `"shutdownSeconds": 10},
    "replicas": "3",
    "bogus": true`, 1)
	bf := writeFile(t, dir, "bad.json", bad)
	checkProblems(t, bf, bad, problemsOf(t, bf), []want{
		{`"replicas"`, "spec.replicas", "integer"},
		{`"bogus"`, "spec.bogus", `unknown field "bogus"`},
	})

	pinned := strings.Replace(valid, `"shutdownSeconds": 10}`, `"shutdownSeconds": 10},
    "timing": {"terminationGracePeriodSeconds": 20}`, 1)
	pf := writeFile(t, dir, "pinned.json", pinned)
	checkProblems(t, pf, pinned, problemsOf(t, pf), []want{
		{`"terminationGracePeriodSeconds"`, "spec.timing.terminationGracePeriodSeconds", "rule 4"},
	})
}

func TestDirectory(t *testing.T) {
	// testdata/tree holds two zds files (one nested, one with two
	// documents and a plain manifest), a Pulumi.yaml, a plain Kubernetes
	// manifest and a text file.
	docs, err := specfile.Load("testdata/tree")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, fmt.Sprintf("%s %s/%s", filepath.ToSlash(d.File), d.Resolved.Spec.Namespace, d.Metadata.Name))
	}
	want := []string{
		"testdata/tree/a.zds.yaml shop/web",
		"testdata/tree/nested/b.yaml shop/api",
		"testdata/tree/nested/b.yaml shop/worker",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("documents:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDirectoryWithExamples(t *testing.T) {
	// The examples directory also holds Pulumi.yaml files and golden
	// manifests: only the spec files count.
	docs, err := specfile.Load("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 8 {
		t.Errorf("got %d documents from ../../examples, want 8 (basic 1, shared-alb 2, platform-defaults 2, nlb 1, autoscaling 1, real-app 1)", len(docs))
	}
}

func TestDirectoryWithInvalidSpec(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.zds.yaml", validDoc)
	src := strings.Replace(strings.Replace(validDoc, "name: web", "name: api", 1), "port: 8080", "port: 0", 1)
	bad := writeFile(t, dir, "sub/bad.yml", src)
	ps := problemsOf(t, dir)
	checkProblems(t, bad, src, ps, []want{{"port:", "spec.port", "1"}})
}

func TestExplicitNonZDSFile(t *testing.T) {
	tests := []struct {
		file string
		line int // of the offending document
	}{
		{"testdata/tree/Pulumi.yaml", 1},
		{"testdata/tree/nested/deploy.yaml", 1},
		{"testdata/tree/nested/b.yaml", 24},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			ps := problemsOf(t, tt.file)
			for _, p := range ps {
				if p.File != tt.file {
					t.Errorf("problem in %s, want %s", p.File, tt.file)
				}
				if p.Line < tt.line {
					t.Errorf("problem at line %d, before the offending document at line %d:%s", p.Line, tt.line, dump(ps))
				}
			}
		})
	}
}

func TestDuplicateService(t *testing.T) {
	dir := t.TempDir()
	other := strings.Replace(validDoc, "image: ghcr.io/acme/web:1.4.2", "image: ghcr.io/acme/web:2.0.0", 1)
	t.Run("two files", func(t *testing.T) {
		a := writeFile(t, dir, "a.zds.yaml", validDoc)
		b := writeFile(t, dir, "b.zds.yaml", "# the same service again\n"+other)
		ps := problemsOf(t, a, b)
		if len(ps) != 1 {
			t.Fatalf("want one problem:%s", dump(ps))
		}
		p := ps[0]
		if p.File != b || p.Line != 2 || !strings.Contains(p.Message, "shop/web") || !strings.Contains(p.Message, a+":1") {
			t.Errorf("got %s, want %s:2 naming shop/web and %s:1", p, b, a)
		}
	})
	t.Run("one file", func(t *testing.T) {
		src := validDoc + "---\n" + other
		f := writeFile(t, dir, "c.zds.yaml", src)
		ps := problemsOf(t, f)
		second, _ := locate(t, src, "---\napiVersion")
		if len(ps) != 1 || ps[0].Line != second+1 || !strings.Contains(ps[0].Message, f+":1") {
			t.Errorf("want one problem at %s:%d naming %s:1:%s", f, second+1, f, dump(ps))
		}
	})
	t.Run("default namespace spelled out", func(t *testing.T) {
		x := strings.Replace(validDoc, "  namespace: shop\n", "", 1)
		y := strings.Replace(validDoc, "namespace: shop", "namespace: default", 1)
		f := writeFile(t, dir, "d.zds.yaml", x+"---\n"+y)
		ps := problemsOf(t, f)
		if len(ps) != 1 || !strings.Contains(ps[0].Message, "default/web") {
			t.Errorf("want one problem naming default/web:%s", dump(ps))
		}
	})
	t.Run("same name in other namespaces", func(t *testing.T) {
		y := strings.Replace(validDoc, "namespace: shop", "namespace: shop2", 1)
		f := writeFile(t, dir, "e.zds.yaml", validDoc+"---\n"+y)
		if docs, err := specfile.Load(f); err != nil || len(docs) != 2 {
			t.Errorf("Load = %d documents, %v; want 2, nil", len(docs), err)
		}
	})
}

// A syntax error is reported at the line and column where it is, not at
// the line go-yaml names (for its parser errors, the line before).
func TestInvalidYAML(t *testing.T) {
	const head = "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\n"
	third := validDoc + "---\n" + strings.Replace(validDoc, "name: web", "name: api", 1) + "---\n" + head + "metadata: {name: [c}\n"
	tests := []struct {
		name, src, want string
	}{
		{"bad indentation", head + "metadata:\n  name: web\n bad: x\n", "5:2: not valid YAML: did not find expected key"},
		{"unclosed flow mapping", head + "metadata: {name: web\nspec: {}\n", "4:1: not valid YAML: did not find expected ',' or '}' (in what line 3 opens)"},
		{"unclosed flow sequence", head + "metadata:\n  name: web\n  labels: [1, 2\nspec: {}\n", "6:1: not valid YAML: did not find expected ',' or ']' (in what line 5 opens)"},
		{"unterminated string", head + "metadata:\n  name: \"web\n", "4:9: not valid YAML: found unexpected end of stream"},
		{"mapping in a scalar", head + "metadata:\n  name: web\n  a: b: c\n", "5:6: not valid YAML: mapping values are not allowed in this context"},
		{"tab indentation", head + "metadata:\n\tname: web\n", "4:1: not valid YAML: found character that cannot start any token"},
		{"in the third document", third, fmt.Sprintf("%d:20: not valid YAML: did not find expected ',' or ']'", strings.Count(third, "\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, t.TempDir(), "svc.zds.yaml", tt.src)
			ps := problemsOf(t, f)
			if len(ps) != 1 {
				t.Fatalf("want one problem:%s", dump(ps))
			}
			if got := fmt.Sprintf("%d:%d: %s", ps[0].Line, ps[0].Column, ps[0].Message); ps[0].File != f || got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestEmptyDocumentsSkipped(t *testing.T) {
	api := strings.Replace(validDoc, "name: web", "name: api", 1)
	tests := []struct {
		name string
		src  string
		docs int
	}{
		{"leading separator", "---\n" + validDoc, 1},
		{"trailing separator", validDoc + "---\n", 1},
		{"empty document between", validDoc + "---\n---\n" + api, 2},
		{"comment-only document", validDoc + "---\n# nothing here\n---\n" + api, 2},
		{"separators only around", "---\n---\n" + validDoc + "---\n---\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := writeFile(t, t.TempDir(), "svc.zds.yaml", tt.src)
			docs, err := specfile.Load(f)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(docs) != tt.docs {
				t.Errorf("got %d documents, want %d", len(docs), tt.docs)
			}
		})
	}
}

func TestNoDocuments(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "Pulumi.yaml", "name: x\nruntime: go\n")
	for _, p := range []string{dir, writeFile(t, t.TempDir(), "empty.yaml", "")} {
		ps := problemsOf(t, p)
		if len(ps) != 1 || !strings.Contains(ps[0].Message, "no ZeroDowntimeService documents") {
			t.Errorf("Load(%s):%s; want one problem saying no documents", p, dump(ps))
		}
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    specfile.Problem
		want string
	}{
		{specfile.Problem{File: "a.yaml", Line: 3, Column: 5, Path: "spec.port", Message: "bad"}, "a.yaml:3:5: spec.port: bad"},
		{specfile.Problem{File: "a.yaml", Line: 3, Column: 1, Message: "bad"}, "a.yaml:3:1: bad"},
		{specfile.Problem{File: "a.yaml", Message: "gone"}, "a.yaml: gone"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	inv := &specfile.Invalid{Problems: []specfile.Problem{tests[0].p, tests[2].p}}
	if got, want := inv.Error(), tests[0].want+"\n"+tests[2].want; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// Two services creating the same namespace would fight over it on apply.
func TestNamespaceCreatedTwiceIsAProblem(t *testing.T) {
	dir := t.TempDir()
	doc := func(name string) string {
		return `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata: {name: ` + name + `, namespace: shop}
spec:
  createNamespace: true
  image: ghcr.io/acme/` + name + `:1
  app: {maxRequestSeconds: 5}
`
	}
	path := filepath.Join(dir, "two.zds.yaml")
	if err := os.WriteFile(path, []byte(doc("a")+"---\n"+doc("b")), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := specfile.Load(path)
	var inv *specfile.Invalid
	if !errors.As(err, &inv) || len(inv.Problems) != 1 {
		t.Fatalf("want one problem, got %v", err)
	}
	p := inv.Problems[0]
	if p.Line != 9 || p.Path != "spec.createNamespace" || !strings.Contains(p.Message, "namespace shop is also created at "+path+":1") {
		t.Errorf("problem = %+v", p)
	}
}

// Services sharing one ALB must agree on its settings, with one owner.
func TestALBGroupMembersMustAgree(t *testing.T) {
	doc := func(name, scheme, extra string) string {
		return `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata: {name: ` + name + `, namespace: shop}
spec:
  image: ghcr.io/acme/` + name + `:1
  app: {maxRequestSeconds: 5}
  loadBalancer: {groupName: shop, scheme: ` + scheme + extra + `}
`
	}
	for _, tc := range []struct {
		name, a, b, wantPath string
	}{
		{"agreeing members", doc("a", "internal", ", groupAttributesOwner: true, idleTimeoutSeconds: 120"), doc("b", "internal", ", idleTimeoutSeconds: 120"), ""},
		{"schemes differ", doc("a", "internal", ""), doc("b", "internet-facing", ""), "spec.loadBalancer.scheme"},
		{"idle timeouts differ", doc("a", "internal", ", idleTimeoutSeconds: 120"), doc("b", "internal", ""), "spec.loadBalancer.idleTimeoutSeconds"},
		{"two owners", doc("a", "internal", ", groupAttributesOwner: true"), doc("b", "internal", ", groupAttributesOwner: true"), "spec.loadBalancer.groupAttributesOwner"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "group.zds.yaml")
			if err := os.WriteFile(path, []byte(tc.a+"---\n"+tc.b), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := specfile.Load(path)
			if tc.wantPath == "" {
				if err != nil {
					t.Fatalf("agreeing members rejected: %v", err)
				}
				return
			}
			// At the second member's own field (or, when it leaves the
			// field to its default, its loadBalancer), not at its "---".
			src := tc.a + "---\n" + tc.b
			wantLine := strings.Count(src[:strings.LastIndex(src, "loadBalancer:")], "\n") + 1
			var inv *specfile.Invalid
			if !errors.As(err, &inv) || len(inv.Problems) != 1 || inv.Problems[0].Path != tc.wantPath || inv.Problems[0].Line != wantLine || inv.Problems[0].Column < 3 {
				t.Fatalf("want one problem on %s on line %d, past the loadBalancer key, got %v", tc.wantPath, wantLine, err)
			}
			if !strings.Contains(inv.Problems[0].Message, `ALB group "shop"`) {
				t.Errorf("message does not name the group: %s", inv.Problems[0].Message)
			}
		})
	}
}

// -f - reads standard input, as kubectl does; problems name it <stdin>.
func TestLoadReadsStdin(t *testing.T) {
	docs, err := specfile.LoadWith(specfile.Options{Stdin: strings.NewReader(validDoc)}, "-")
	if err != nil || len(docs) != 1 || docs[0].File != specfile.StdinName {
		t.Fatalf("docs %v, err %v: want one document from %s", docs, err, specfile.StdinName)
	}
	_, err = specfile.LoadWith(specfile.Options{Stdin: strings.NewReader(strings.Replace(validDoc, "replicas: 3", "replicas: 0", 1))}, "-")
	if err == nil || !strings.Contains(err.Error(), specfile.StdinName+":") {
		t.Errorf("err %v: want a problem located at %s:line:column", err, specfile.StdinName)
	}
}

// The same file given twice, directly, through a directory or through a
// link, is one file: not a service "also defined" by itself.
func TestLoadReadsEachFileOnce(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "svc.zds.yaml")
	if err := os.WriteFile(f, []byte(validDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link.yaml")
	if err := os.Symlink(f, link); err != nil {
		t.Fatal(err)
	}
	docs, err := specfile.Load(f, f, dir, link)
	if err != nil || len(docs) != 1 {
		t.Fatalf("docs %d, err %v: want the one document once", len(docs), err)
	}
}

// A symbolic link to a directory of specs is followed, and a link loop
// ends.
func TestLoadFollowsLinkedDirectories(t *testing.T) {
	real := t.TempDir()
	if err := os.WriteFile(filepath.Join(real, "svc.zds.yaml"), []byte(validDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(real, "loop")); err != nil {
		t.Fatal(err)
	}
	linkdir := filepath.Join(t.TempDir(), "linkdir")
	if err := os.Symlink(real, linkdir); err != nil {
		t.Fatal(err)
	}
	docs, err := specfile.Load(linkdir)
	if err != nil || len(docs) != 1 {
		t.Fatalf("docs %d, err %v: want the one document behind the link", len(docs), err)
	}
}

// A file above the cap is refused before it is parsed.
func TestLoadRefusesHugeFiles(t *testing.T) {
	f := filepath.Join(t.TempDir(), "big.zds.yaml")
	big := validDoc + "# " + strings.Repeat("x", specfile.MaxFileBytes) + "\n"
	if err := os.WriteFile(f, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := specfile.Load(f)
	if err == nil || !strings.Contains(err.Error(), "larger than 10 MB") {
		t.Errorf("err %v: want the size limit named", err)
	}
	if _, err := specfile.LoadWith(specfile.Options{Stdin: strings.NewReader(big)}, "-"); err == nil || !strings.Contains(err.Error(), "larger than 10 MB") {
		t.Errorf("stdin: err %v: want the size limit named", err)
	}
}

// nearMissKinds is every string one edit away from ZeroDowntimeService
// (a deletion, a substitution by a letter, an insertion of one, a swap of
// two neighbours), plus case changes and a few two edits away.
func nearMissKinds() []string {
	const k = spec.Kind
	set := map[string]bool{strings.ToLower(k): true, strings.ToUpper(k): true, "ZeroDowntimeServce": true, "ZeroDowntimeSrvce": true, "ZeroDowntimeServic": true, "zeroDowntimeService": true}
	letters := "abcdefghijklmnopqrstuvwxyzADS"
	for i := 0; i <= len(k); i++ {
		for _, c := range letters {
			set[k[:i]+string(c)+k[i:]] = true // insertion
			if i < len(k) {
				set[k[:i]+string(c)+k[i+1:]] = true // substitution
			}
		}
		if i < len(k) {
			set[k[:i]+k[i+1:]] = true // deletion
		}
		if i+1 < len(k) {
			set[k[:i]+string(k[i+1])+string(k[i])+k[i+2:]] = true // swap
		}
	}
	delete(set, k)
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// In a directory, where other kinds are skipped, a document that was
// meant to be a zds spec is never silently dropped: every near-miss kind,
// a zds.dev apiVersion of another version, and miscapitalised keys are
// reported at the document; a Helm template beside the specs is skipped.
func TestNearMissDocumentsInADirectoryAreReported(t *testing.T) {
	type tc struct{ name, doc string }
	var cases []tc
	for _, k := range nearMissKinds() {
		cases = append(cases, tc{"kind " + k, strings.Replace(validDoc, "kind: ZeroDowntimeService", "kind: "+k, 1)})
	}
	for _, v := range []string{"zds.dev/v1beta1", "zds.dev/v1", "zds.dev/v2alpha1"} {
		cases = append(cases, tc{"apiVersion " + v, strings.Replace(validDoc, "apiVersion: zds.dev/v1alpha1", "apiVersion: "+v, 1)})
	}
	cases = append(cases,
		tc{"key Kind", strings.Replace(validDoc, "kind: ZeroDowntimeService", "Kind: ZeroDowntimeService", 1)},
		tc{"key APIVersion", strings.Replace(validDoc, "apiVersion: zds.dev/v1alpha1", "APIVersion: zds.dev/v1alpha1", 1)},
	)
	if len(cases) < 500 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "svc.yaml"), []byte(c.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := specfile.Load(dir)
		var inv *specfile.Invalid
		if !errors.As(err, &inv) || len(inv.Problems) == 0 || inv.Problems[0].Line == 0 || strings.Contains(err.Error(), "no ZeroDowntimeService documents found") {
			t.Errorf("%s: %v; want the document's mistake reported at its line", c.name, err)
		}
	}
	// Unrelated kinds, and a template, are still skipped.
	dir := t.TempDir()
	for name, body := range map[string]string{
		"svc.yaml":         validDoc,
		"deploy.yaml":      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
		"service.yaml":     "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n",
		"templates/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\ndata: {a: b}\n{{- end }}\n",
	} {
		f := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := specfile.Load(dir)
	if err != nil || len(docs) != 1 {
		t.Errorf("a spec beside other kinds and a Helm template: %d docs, %v; want the one spec", len(docs), err)
	}
}

// What the YAML decoder reported at the document's start in its own words
// (or accepted) is reported at the offending node, with the field path
// (#11 rows 10, 11, 12).
func TestNodeProblemsAreReportedWhereTheyAre(t *testing.T) {
	for _, tc := range []struct {
		name, src      string
		line, col      int
		path, contains string
	}{
		{"duplicate key", "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web}\nspec:\n  image: x:1\n  replicas: 3\n  replicas: 4\n  app: {maxRequestSeconds: 15}\n",
			7, 3, "spec.replicas", `duplicate key "replicas" (first at line 6, column 3)`},
		{"non-string key", "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web}\nspec:\n  image: x:1\n  labels: {1: x}\n  app: {maxRequestSeconds: 15}\n",
			6, 12, "spec.labels", "key 1 is not a string"},
		{"complex key", "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web}\nspec:\n  image: x:1\n  labels: {? [a]: x}\n  app: {maxRequestSeconds: 15}\n",
			6, 14, "spec.labels", "is not a string"},
		{"infinite number", "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web}\nspec:\n  image: x:1\n  replicas: .inf\n  app: {maxRequestSeconds: 15}\n",
			6, 13, "spec.replicas", "must be a finite number"},
		{"a huge number", "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web}\nspec:\n  image: x:1\n  replicas: 1e20\n  app: {maxRequestSeconds: 15}\n",
			6, 3, "spec.replicas", "must be at most 2147483647"},
		{"non-UTF-8 byte", "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web}\nspec:\n  image: \"x\xff:1\"\n",
			5, 12, "", "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := specfile.Parse("f.yaml", []byte(tc.src), true)
			for _, p := range problems {
				if p.Line == tc.line && p.Column == tc.col && p.Path == tc.path && strings.Contains(p.Message, tc.contains) {
					return
				}
			}
			t.Errorf("want f.yaml:%d:%d: %s: …%s…; got %v", tc.line, tc.col, tc.path, tc.contains, problems)
		})
	}
}

// In a directory, a document of another kind is skipped whatever else is
// wrong with it (a duplicate key in someone's Deployment is not zds's to
// report), and the skips are told to Options.Skipped.
func TestOtherKindsAreSkippedAndTold(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a-svc.yaml":    validDoc,
		"b-deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: 1\n  replicas: 2\n  selector: {matchLabels: {1: x}}\n",
		"c-chart.yaml":  "kind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var told []string
	docs, err := specfile.LoadWith(specfile.Options{Skipped: func(file string, line int, why string) {
		told = append(told, fmt.Sprintf("%s:%d: %s", filepath.Base(file), line, why))
	}}, dir)
	if err != nil || len(docs) != 1 {
		t.Fatalf("%d docs, %v: want the one spec", len(docs), err)
	}
	want := []string{"b-deploy.yaml:1: apps/v1 Deployment: not a zds spec", "c-chart.yaml:0: a template ({{ }}), not YAML until rendered"}
	if !slices.Equal(told, want) {
		t.Errorf("told %q, want %q", told, want)
	}
}
