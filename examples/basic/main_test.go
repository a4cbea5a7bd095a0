// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/tests/golden"
)

func TestPreviewGolden(t *testing.T) { golden.Preview(t, program) }

func TestSpecFileRendersTheSameObjects(t *testing.T) {
	golden.SameAsSpecFile(t, program, "service.zds.yaml")
}

func printed(t *testing.T, config map[string]string) string {
	t.Helper()
	b, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PULUMI_CONFIG", string(b))
	rec, err := preview.Run(program, preview.Stack("zds", "dev"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := rec.Print(&out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// The root Pulumi.yaml runs this example; its config defaults must be the
// ones the program falls back to, or `pulumi up` and `go run` would differ.
func TestPulumiYAMLConfigDefaultsMatchTheProgram(t *testing.T) {
	raw, err := os.ReadFile("../../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		Name    string `json:"name"`
		Main    string `json:"main"`
		Runtime any    `json:"runtime"`
		Config  map[string]struct {
			Default any `json:"default"`
		} `json:"config"`
	}
	if err := yaml.Unmarshal(raw, &project); err != nil {
		t.Fatal(err)
	}
	if project.Name != "zds" || project.Main != "examples/basic" {
		t.Fatalf("Pulumi.yaml: name %q main %q, want zds and examples/basic", project.Name, project.Main)
	}
	fromYAML := map[string]string{}
	for k, v := range project.Config {
		fromYAML["zds:"+k] = strings.TrimSpace(string(must(json.Marshal(v.Default))))
		if s, ok := v.Default.(string); ok {
			fromYAML["zds:"+k] = s
		}
	}
	for _, k := range []string{"zds:image", "zds:host", "zds:replicas"} {
		if _, ok := fromYAML[k]; !ok {
			t.Errorf("Pulumi.yaml declares no default for %s", k)
		}
	}
	if got, want := printed(t, fromYAML), printed(t, map[string]string{}); got != want {
		t.Errorf("Pulumi.yaml's defaults give other objects than the program's fallbacks")
	}
	// And config is really read: otherwise the comparison above proves nothing.
	changed := printed(t, map[string]string{"zds:replicas": "7", "zds:host": "other.example.com"})
	if !strings.Contains(changed, "replicas: 7") || !strings.Contains(changed, "host: other.example.com") {
		t.Errorf("config values do not reach the component")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
