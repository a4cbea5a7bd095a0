// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package golden compares test output with files under testdata/, and
// rewrites them with `go test ./... -update`. Review the diff of a rewrite
// like any other change.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/specfile"
)

var (
	update     = flag.Bool("update", false, "rewrite golden files under testdata/ with the current output")
	updateURNs = flag.Bool("update-urns", false, "rewrite testdata/urns.golden.txt: only for a URN change that ships aliases")
)

// Assert compares got with the golden file at path.
func Assert(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./... -update` to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n%s", path, diff(want, got))
	}
}

// Preview runs a Pulumi program under the mock monitor and compares what it
// prints (resource tree, checked timing chains, manifests) with
// testdata/preview.golden.yaml. It fails if any object breaks a rule.
func Preview(t *testing.T, program pulumi.RunFunc) {
	t.Helper()
	rec, err := preview.Run(program)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	var b bytes.Buffer
	if err := rec.Print(&b); err != nil {
		t.Errorf("%v\n%s", err, b.String())
	}
	Assert(t, filepath.Join("testdata", "preview.golden.yaml"), b.Bytes())
	URNs(t, rec)
}

// URNs compares the URN of every registered resource with
// testdata/urns.golden.txt. A child's URN is its identity to the Pulumi
// engine: a changed type, name or parent chain makes the next `pulumi up`
// delete the user's live Deployment, Service or Ingress and create a new
// one, which is downtime caused by a zero-downtime tool. So -update does not
// rewrite this file; -update-urns does, for a change that ships
// pulumi.Aliases to the old URNs (and tests them).
func URNs(t *testing.T, rec *preview.Recording) {
	t.Helper()
	var urns []string
	for _, r := range rec.Resources() {
		urns = append(urns, r.URN)
	}
	slices.Sort(urns) // identity, not order: the order has its own golden file
	var b bytes.Buffer
	for _, u := range urns {
		b.WriteString(u)
		b.WriteByte('\n')
	}
	path := filepath.Join("testdata", "urns.golden.txt")
	if *updateURNs {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./examples/*/ -update-urns` to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("resource URNs differ from %s: users' live resources would be replaced on their next `pulumi up`. Keep the URNs, or ship pulumi.Aliases to the old ones and rerun with -update-urns:\n%s", path, diff(want, b.Bytes()))
	}
}

// diff shows the first differing lines, enough to locate a change.
func diff(want, got []byte) string {
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	var out bytes.Buffer
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var a, b []byte
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if !bytes.Equal(a, b) {
			out.WriteString("line ")
			out.WriteString(strconv.Itoa(i + 1))
			out.WriteString(":\n  - ")
			out.Write(a)
			out.WriteString("\n  + ")
			out.Write(b)
			out.WriteString("\n")
			shown++
		}
	}
	return out.String()
}

// SameAsSpecFile proves that rendering a spec file yields exactly the
// objects a Go program registers: the spec path and the Pulumi path of an
// example must never diverge.
func SameAsSpecFile(t *testing.T, program pulumi.RunFunc, specPath string) {
	t.Helper()
	rec, err := preview.Run(program)
	if err != nil {
		t.Fatalf("program failed: %v", err)
	}
	docs, err := specfile.Load(specPath)
	if err != nil {
		t.Fatalf("%s: %v", specPath, err)
	}
	rendered, err := render.Manifests(docs)
	if err != nil {
		t.Fatal(err)
	}
	want, err := render.YAML(render.Distinct(rec.Manifests()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := render.YAML(rendered)
	if err != nil {
		t.Fatal(err)
	}
	if len(rendered) == 0 || !bytes.Equal(got, want) {
		t.Errorf("zds render -f %s differs from what the Go program registers:\n%s", specPath, diff(want, got))
	}
}
