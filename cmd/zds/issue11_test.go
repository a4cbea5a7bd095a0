// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zerodowntime/zds/components/outdir"
)

// spec11 is a valid spec file with one line replaced by the row's.
const spec11 = `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: web
  namespace: shop
spec:
  image: ghcr.io/acme/web:1.4.2
  app:
    maxRequestSeconds: 15
  pod: {}
`

// with returns spec11 with its pod line replaced by extra (at 2 spaces).
func with(extra string) string {
	return strings.Replace(spec11, "  pod: {}\n", extra, 1)
}

// TestHostileInputRows runs every row of the hostile-input report (issue
// #11) through the CLI, each as the user ran it: the exit code and what
// stderr must say, or the state left behind. Rows 2, 3 and 5 also have
// their own tests (TestRenderDir*); this table keeps the whole report in
// one place, so a regression on any row fails here by its number.
func TestHostileInputRows(t *testing.T) {
	rows := []cliRow{
		{name: "1 replicas 4294967297", files: map[string]string{"a.yaml": with("  replicas: 4294967297\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml:10:3: spec.replicas", "at most 2147483647"}},
		{name: "1 replicas 2147483648", files: map[string]string{"a.yaml": with("  replicas: 2147483648\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"spec.replicas", "2147483647"}},
		{name: "1 rollout.maxSurge 9223372036854775807", files: map[string]string{"a.yaml": with("  rollout: {maxSurge: 9223372036854775807}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"spec.rollout.maxSurge"}},
		{name: "1 autoscaling.maxReplicas 4294967297", files: map[string]string{"a.yaml": with("  autoscaling: {enabled: true, maxReplicas: 4294967297, cpuUtilizationPercent: 60}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"spec.autoscaling.maxReplicas"}},
		{name: "1 pod.runAsUser 4294967296", files: map[string]string{"a.yaml": with("  pod: {runAsUser: 4294967296}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"spec.pod.runAsUser"}},
		{name: "2 a second render with fewer services leaves only its own files", files: map[string]string{"a.yaml": spec11 + "---\n" + strings.Replace(spec11, "name: web", "name: api", 1), "b.yaml": spec11},
			args: []string{"render", "-f", "{dir}/a.yaml", "-d", "{dir}/out"}, code: 0,
			check: func(t *testing.T, dir string) {
				before := names(t, filepath.Join(dir, "out"))
				if code, _, errOut := zds(t, "render", "-f", filepath.Join(dir, "b.yaml"), "-d", filepath.Join(dir, "out"), "--output", "json"); code != 0 {
					t.Fatalf("second render: exit %d: %s", code, errOut)
				}
				after := names(t, filepath.Join(dir, "out"))
				for _, n := range after {
					if !strings.HasSuffix(n, ".json") {
						t.Errorf("after a JSON render, %s is left from the first (%v)", n, before)
					}
				}
				if len(after) >= len(before) {
					t.Errorf("fewer services, as many files: %v then %v", before, after)
				}
			}},
		{name: "3 a directory in the way fails whole and changes nothing", files: map[string]string{"a.yaml": spec11, "out/07-shop-deployment-web.yaml/x": "x"},
			args: []string{"render", "-f", "{dir}/a.yaml", "-d", "{dir}/out"}, code: 1, stderr: []string{"07-shop-deployment-web.yaml was not written by zds and is in the way"},
			check: func(t *testing.T, dir string) {
				if got := names(t, filepath.Join(dir, "out")); !slices.Equal(got, []string{"07-shop-deployment-web.yaml"}) {
					t.Errorf("a failed render left %v in the directory, want only what was there", got)
				}
			}},
		{name: "4 near-miss kind in a directory", files: map[string]string{"d/a.yaml": strings.Replace(spec11, "kind: ZeroDowntimeService", "kind: ZeroDowntimeServce", 1)},
			args: []string{"render", "-f", "{dir}/d"}, code: 1, stderr: []string{"a.yaml:2", "ZeroDowntimeServce"}},
		{name: "4 near-miss apiVersion in a directory", files: map[string]string{"d/a.yaml": strings.Replace(spec11, "zds.dev/v1alpha1", "zds.dev/v1beta1", 1)},
			args: []string{"render", "-f", "{dir}/d"}, code: 1, stderr: []string{"a.yaml:1", "zds.dev/v1beta1"}},
		{name: "4 miscapitalised Kind: in a directory", files: map[string]string{"d/a.yaml": strings.Replace(spec11, "kind:", "Kind:", 1)},
			args: []string{"render", "-f", "{dir}/d"}, code: 1, stderr: []string{"a.yaml:2", "Kind"}},
		{name: "5 a link to a directory of specs", files: map[string]string{"d/a.yaml": spec11, "link": "->d"},
			args: []string{"render", "-f", "{dir}/link"}, code: 0, out: []string{"kind: Deployment"}},
		{name: "6 a Helm chart beside specs", files: map[string]string{"d/a.yaml": spec11, "d/chart/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"},
			args: []string{"render", "-v", "-f", "{dir}/d"}, code: 0, out: []string{"kind: Deployment"}, stderr: []string{"note: skipped", "deploy.yaml", "template"}},
		{name: "7 serviceAccountName Bad_SA", files: map[string]string{"a.yaml": with("  pod: {serviceAccountName: Bad_SA}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"spec.pod.serviceAccountName"}},
		{name: "7 annotation key ???", files: map[string]string{"a.yaml": with("  pod: {annotations: {\"???\": x}}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"spec.pod.annotations"}},
		{name: "7 successCodes 299-200", files: map[string]string{"a.yaml": with("  healthCheck: {successCodes: \"299-200\"}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"spec.healthCheck.successCodes", "descending"}},
		{name: "7 successCodes 999", files: map[string]string{"a.yaml": with("  healthCheck: {successCodes: \"999\"}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"spec.healthCheck.successCodes", "outside 200–499"}},
		{name: "8 -f - reads stdin", files: map[string]string{"-": spec11}, args: []string{"render", "-f", "-"}, code: 0, out: []string{"kind: Deployment"}},
		{name: "9 help on an unknown topic", args: []string{"help", "frob"}, code: 2, stderr: []string{"unknown help topic"}},
		{name: "10 duplicate key at the key, with its path", files: map[string]string{"a.yaml": with("  replicas: 3\n  replicas: 4\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml:11:3: spec.replicas: duplicate key"}},
		{name: "11 replicas 1e20", files: map[string]string{"a.yaml": with("  replicas: 1e20\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml:10:3: spec.replicas", "at most 2147483647"}},
		{name: "11 .inf", files: map[string]string{"a.yaml": with("  replicas: .inf\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml:10:13: spec.replicas", "finite"}},
		{name: "11 a non-string label key", files: map[string]string{"a.yaml": with("  labels: {1: x}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml:10:12: spec.labels", "not a string"}},
		{name: "11 a complex key", files: map[string]string{"a.yaml": with("  labels: {? [a, b] : x}\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml:10:", "spec.labels", "not a string"}},
		{name: "12 a syntax error on line 3, at its column", files: map[string]string{"a.yaml": "apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web\nspec: {}\n"}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml:4:1: not valid YAML", "line 3"}},
		{name: "12 a non-UTF-8 byte has a position", files: map[string]string{"a.yaml": with("  version: \"a\xffb\"\n")}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml:10:14: not valid UTF-8"}},
		{name: "13 one file given twice", files: map[string]string{"a.yaml": spec11}, args: []string{"render", "-f", "{dir}/a.yaml", "-f", "{dir}/a.yaml"}, code: 0,
			check: func(t *testing.T, dir string) {
				_, out, _ := zds(t, "render", "-f", filepath.Join(dir, "a.yaml"), "-f", filepath.Join(dir, "a.yaml"))
				if n := strings.Count(out, "kind: Deployment"); n != 1 {
					t.Errorf("the same file twice rendered %d Deployments, want 1", n)
				}
			}},
		{name: "15 a 50 MB spec", files: map[string]string{"a.yaml": spec11 + "# " + strings.Repeat("x", 50<<20) + "\n"}, args: []string{"render", "-f", "{dir}/a.yaml"},
			code: 1, stderr: []string{"a.yaml", "10 MB"}},
	}
	runCLIRows(t, rows)
}

// cliRow is one row of a bad-input report run through the CLI as the user
// ran it.
type cliRow struct {
	name  string
	files map[string]string // written under a temp dir; "-" is stdin; "->target" makes a link
	args  []string          // {dir} is the temp dir
	code  int
	// stderr must contain each fragment, and none of notStderr; stdout
	// must contain each of out.
	stderr, notStderr, out []string
	check                  func(t *testing.T, dir string)
}

// runCLIRows runs each row in a fresh temporary directory: the exit code,
// what stderr and stdout must say, then the row's check of what is left.
func runCLIRows(t *testing.T, rows []cliRow) {
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			dir := t.TempDir()
			var stdin bytes.Buffer
			for name, content := range r.files {
				if name == "-" {
					stdin.WriteString(content)
					continue
				}
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if target, ok := strings.CutPrefix(content, "->"); ok {
					if err := os.Symlink(target, p); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := make([]string, len(r.args))
			for i, a := range r.args {
				args[i] = strings.ReplaceAll(a, "{dir}", dir)
			}
			var out, errOut bytes.Buffer
			code := runWith(args, &stdin, &out, &errOut)
			if code != r.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, r.code, errOut.String())
			}
			for _, want := range r.stderr {
				if !strings.Contains(errOut.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
				}
			}
			for _, bad := range r.notStderr {
				if strings.Contains(errOut.String(), bad) {
					t.Errorf("stderr says %q:\n%s", bad, errOut.String())
				}
			}
			for _, want := range r.out {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q", want)
				}
			}
			if r.check != nil {
				r.check(t, dir)
			}
		})
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != outdir.RecordName { // zds's record of what it wrote
			out = append(out, e.Name())
		}
	}
	return slices.Sorted(slices.Values(out))
}
