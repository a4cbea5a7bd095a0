// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"go.yaml.in/yaml/v3"
)

// Both plugin manifests load with the Pulumi SDK's own loader, name the Go
// runtime, and lead to this main package: what `pulumi package add`
// builds.
func TestPluginManifestsLeadHere(t *testing.T) {
	for _, manifest := range []string{"PulumiPlugin.yaml", "../../PulumiPlugin.yaml"} {
		proj, err := workspace.LoadPluginProject(manifest)
		if err != nil {
			t.Fatalf("%s: %v", manifest, err)
		}
		if proj.Runtime.Name() != "go" {
			t.Errorf("%s: runtime %q, want go", manifest, proj.Runtime.Name())
		}
	}
	raw, err := os.ReadFile("../../PulumiPlugin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Main string `yaml:"main"`
	}
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join("../..", root.Main))
	here, _ := filepath.Abs(".")
	if abs != here {
		t.Errorf("PulumiPlugin.yaml's main is %s, not this package", root.Main)
	}
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.PackageClauseOnly)
	if err != nil || f.Name.Name != "main" {
		t.Errorf("main.go is not package main: %v", err)
	}
}
