// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"strings"
	"testing"

	"github.com/zerodowntime/zds/components/preview"
)

// region returns the lines of main.go between the README markers, one tab
// of indentation removed: the snippet the README quotes.
func region(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "\t// README:begin\n")
	body, _, ok2 := strings.Cut(rest, "\t// README:end\n")
	if !ok || !ok2 {
		t.Fatal("main.go lacks the README:begin and README:end markers")
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		b.WriteString(strings.TrimPrefix(line, "\t"))
	}
	return b.String()
}

// quoted returns the README's Go block after the marker that names this
// program.
func quoted(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- quoted from examples/readme/main.go: keep them equal (its test checks) -->\n```go\n"
	_, rest, ok := strings.Cut(string(readme), marker)
	block, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatalf("README.md has no Go block after %q", marker)
	}
	return block
}

// The README's snippet is this program's, line for line: a change to
// either one fails here until the other follows.
func TestREADMEQuotesThisProgram(t *testing.T) {
	if got, want := quoted(t), region(t); got != want {
		t.Errorf("README.md's snippet differs from examples/readme/main.go:\n--- README\n%s\n--- main.go\n%s", got, want)
	}
}

// The snippet runs: the component registers under the EKS provider, with
// the image and certificate as Pulumi inputs.
func TestProgramRuns(t *testing.T) {
	t.Setenv("PULUMI_CONFIG", `{"readme:repository":"ghcr.io/acme/web","readme:version":"1.4.2","readme:kubeconfig":"{}"}`)
	rec, err := preview.Run(program, preview.Stack("readme", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	deps := rec.Find("kubernetes:apps/v1:Deployment")
	if len(deps) != 1 {
		t.Fatalf("%d Deployments, want 1", len(deps))
	}
	if p := deps[0].Provider; !strings.Contains(p, "providers:kubernetes::eks") {
		t.Errorf("the Deployment's provider is %q, want the eks provider", p)
	}
	if len(rec.Find("aws:acm/certificate:Certificate")) != 1 {
		t.Errorf("no certificate registered")
	}
}
