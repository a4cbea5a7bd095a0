// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const auditData = "../../components/audit/testdata"

// zds render's output, piped into zds check, is clean: exit 0 even with
// --fail-on info.
func TestCheckOfRenderedExamplesIsClean(t *testing.T) {
	rendered := mustRun(t, "render", "-f", examplesDir)
	var out, errOut bytes.Buffer
	code := runWith([]string{"check", "-f", "-", "--fail-on", "info"}, strings.NewReader(rendered), &out, &errOut)
	if code != 0 || errOut.Len() > 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "8 services: 0 errors, 0 warnings, 0 info") {
		t.Errorf("summary:\n%s", out.String())
	}
}

// Exit codes: 0 below the threshold, 1 at or above it or for unreadable
// input, 2 for usage errors.
func TestCheckExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"errors fail by default", []string{"check", "-f", filepath.Join(auditData, "k6-final.yaml")}, 1, "5 errors"},
		{"warnings and info pass by default", []string{"check", "-f", filepath.Join(auditData, "target-group-binding.yaml")}, 0, "0 errors, 1 warning, 1 info"},
		{"info fails with --fail-on info", []string{"check", "-f", filepath.Join(auditData, "target-group-binding.yaml"), "--fail-on", "info"}, 1, "1 info"},
		{"warnings pass below the threshold", []string{"check", "-f", filepath.Join(auditData, "budget-selects-nothing.yaml")}, 0, "3 warnings"},
		{"warnings fail with --fail-on warning", []string{"check", "-f", filepath.Join(auditData, "budget-selects-nothing.yaml"), "--fail-on", "warning"}, 1, "3 warnings"},
		{"a directory", []string{"check", "-f", auditData}, 1, "9 services"},
		{"bad threshold", []string{"check", "-f", auditData, "--fail-on", "fatal"}, 2, "--fail-on"},
		{"bad format", []string{"check", "-f", auditData, "-o", "xml"}, 2, "text, json, sarif"},
		{"no input", []string{"check"}, 2, "no manifests"},
		{"bad fact", []string{"check", "-f", auditData, "--max-request-seconds", "-3"}, 2, "--max-request-seconds"},
		{"missing file", []string{"check", "-f", "nope.yaml"}, 1, "nope.yaml: cannot read"},
		{"files and cluster", []string{"check", "-f", auditData, "--cluster"}, 2, "not both"},
		{"cluster flags without --cluster", []string{"check", "-f", auditData, "-A"}, 2, "go with --cluster"},
		{"-n puts objects without a namespace there", []string{"check", "-f", filepath.Join(auditData, "helm-app-template.yaml"), "-n", "shop"}, 1, "shop/web (alb)"},
		{"-n and -A", []string{"check", "--cluster", "-n", "shop", "-A"}, 2, "exclude each other"},
		{"missing kubeconfig", []string{"check", "--cluster", "--kubeconfig", "/nonexistent/kubeconfig"}, 1, "reading the kubeconfig"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := zds(t, tc.args...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s\n%s", code, tc.code, tc.want, out, errOut)
			}
		})
	}
}

// Unreadable input is named at its file and line, never a panic, and the
// rest is still checked.
func TestCheckNamesUnreadableInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: [1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	typed := filepath.Join(dir, "typed.yaml")
	if err := os.WriteFile(typed, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := zds(t, "check", "-f", bad, "-f", typed, "-f", filepath.Join(auditData, "alb-instance.yaml"))
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{bad + ":6:", typed + ":6:3: spec.replicas: Deployment/web: is a string, must be int32"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// -o json and -o sarif are well-formed and carry every finding with its
// location and fix.
func TestCheckJSONAndSARIF(t *testing.T) {
	file := filepath.Join(auditData, "k6-final.yaml")
	_, out, _ := zds(t, "check", "-f", file, "-o", "json")
	var rep struct {
		Services []struct {
			Name     string   `json:"name"`
			Assumed  []string `json:"assumed"`
			Findings []struct {
				Severity string `json:"severity"`
				Rule     string `json:"rule"`
				Line     int    `json:"line"`
				Fix      *struct {
					YAML    string `json:"yaml"`
					Command string `json:"command"`
				} `json:"fix"`
			} `json:"findings"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rep.Services) != 1 || len(rep.Services[0].Findings) != 11 || len(rep.Services[0].Assumed) != 3 {
		t.Fatalf("json: %+v", rep)
	}
	f := rep.Services[0].Findings[0]
	if f.Severity != "error" || f.Line == 0 || f.Fix == nil || !strings.HasPrefix(f.Fix.Command, "kubectl patch deployment app -n shop -p '") {
		t.Errorf("first finding: %+v", f)
	}

	_, out, _ = zds(t, "check", "-f", file, "-o", "sarif")
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil {
		t.Fatal(err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != 11 {
		t.Fatalf("sarif: %s", out)
	}
	levels := map[string]int{}
	for _, r := range sarif.Runs[0].Results {
		levels[r.Level]++
		if sarif.Runs[0].Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s points at rule %d", r.RuleID, r.RuleIndex)
		}
		if loc := r.Locations[0].Physical; loc.Artifact.URI != file || loc.Region.StartLine == 0 {
			t.Errorf("result %s at %+v", r.RuleID, loc)
		}
	}
	if levels["error"] != 5 || levels["warning"] != 4 || levels["note"] != 2 {
		t.Errorf("levels %v", levels)
	}
}

// The README's zds check sample is the command's output.
func TestREADMEShowsRealCheckOutput(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- zds check output: keep equal to the command's (a test checks) -->\n```\n"
	_, rest, ok := strings.Cut(string(readme), marker)
	if !ok {
		t.Fatal("the README shows no zds check output")
	}
	quoted, _, _ := strings.Cut(rest, "```\n")
	t.Chdir(auditData)
	code, out, _ := zds(t, "check", "-f", "nlb-short-prestop.yaml", "--max-request-seconds", "30", "--shutdown-seconds", "30")
	if code != 1 || out != quoted {
		t.Errorf("exit %d; the README's sample differs from the output:\n%s", code, out)
	}
}
