// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/blang/semver"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// sdkDirs are the directories the SDK generators own: make generate
// replaces their whole content, so a file the codegen no longer writes
// goes too.
var sdkDirs = []string{filepath.Join("sdk", "nodejs"), filepath.Join("sdk", "python"), filepath.Join("sdk", "go")}

// codegenTool names the generator in the SDKs' "do not edit" headers.
const codegenTool = "zds-gen"

// bindPackage binds the package schema as the Pulumi CLI would before
// generating an SDK; a schema the CLI would refuse fails here.
func bindPackage(schemaJSON []byte) (*pschema.Package, error) {
	var spec pschema.PackageSpec
	if err := json.Unmarshal(schemaJSON, &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := pschema.BindSpec(spec, noPackages{}, pschema.ValidationOptions{})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("the package schema does not bind: %v", diags)
	}
	return pkg, nil
}

// sdks generates the TypeScript, Python and Go SDKs with Pulumi's own
// codegen (github.com/pulumi/pulumi/pkg/v3), as `pulumi package
// gen-sdk` does.
func sdks(schemaJSON []byte) (map[string][]byte, error) {
	out := map[string][]byte{}
	gens := []struct {
		dir string
		gen func(*pschema.Package) (map[string][]byte, error)
	}{
		{sdkDirs[0], func(p *pschema.Package) (map[string][]byte, error) {
			return nodejs.GeneratePackage(codegenTool, p, nil, nil, false, noPackages{})
		}},
		{sdkDirs[1], func(p *pschema.Package) (map[string][]byte, error) {
			return python.GeneratePackage(codegenTool, p, nil, noPackages{})
		}},
		{sdkDirs[2], func(p *pschema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(codegenTool, p, nil)
		}},
	}
	for _, g := range gens {
		// Each generator records its language's settings in the package:
		// bind afresh for each.
		pkg, err := bindPackage(schemaJSON)
		if err != nil {
			return nil, err
		}
		files, err := g.gen(pkg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g.dir, err)
		}
		for name, content := range files {
			out[filepath.Join(g.dir, name)] = content
		}
	}
	return out, nil
}

// noPackages is the loader of a schema that references no other package:
// the SDKs depend on @pulumi/pulumi alone, and nothing is downloaded.
type noPackages struct{}

func (noPackages) LoadPackage(pkg string, _ *semver.Version) (*pschema.Package, error) {
	return nil, fmt.Errorf("the zds schema references no other package, not %s", pkg)
}

func (noPackages) LoadPackageV2(_ context.Context, d *pschema.PackageDescriptor) (*pschema.Package, error) {
	return nil, fmt.Errorf("the zds schema references no other package, not %s", d.Name)
}

func (noPackages) LoadPackageReference(pkg string, _ *semver.Version) (pschema.PackageReference, error) {
	return nil, fmt.Errorf("the zds schema references no other package, not %s", pkg)
}

func (noPackages) LoadPackageReferenceV2(_ context.Context, d *pschema.PackageDescriptor) (pschema.PackageReference, error) {
	return nil, fmt.Errorf("the zds schema references no other package, not %s", d.Name)
}
