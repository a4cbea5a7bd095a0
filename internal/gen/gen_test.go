// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The committed schema and docs must be what the generator produces from
// the current code: a doc comment changed without `make generate` fails
// here (and in CI's check-generated).
func TestGeneratedFilesAreUpToDate(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{schemaPath, referencePath, timingPath, pulumiSchemaPath, "sdk/nodejs/index.ts", "sdk/python/pulumi_zds/__init__.py", "sdk/go/zds/zeroDowntimeService.go"} {
		if _, ok := files[want]; !ok {
			t.Errorf("the generator does not write %s", want)
		}
	}
	// Nothing stale in the SDK directories: each file there is one the
	// codegen writes today.
	for _, dir := range sdkDirs {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if _, ok := files[rel]; !ok {
				t.Errorf("%s is not generated any more: run make generate, which removes it", rel)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run make generate and commit", path)
		}
	}
}

func TestSchemaDescriptionsComeFromDocComments(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := schemaJSON(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"description": "MaxRequestSeconds is the longest request the app serves`,
		`"default": 8080`,
		`"enum": [`,
		`"additionalProperties": false`,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("schema lacks %s", want)
		}
	}
}

func TestUnwrapJoinsLinesAndKeepsParagraphs(t *testing.T) {
	got := unwrap("a long\nline  here\n\nsecond\n paragraph\n")
	if want := "a long line here\n\nsecond paragraph"; got != want {
		t.Errorf("unwrap = %q, want %q", got, want)
	}
}

// The timing page quotes what breaking each rule cost in docs/traffic.md.
func TestMeasuredAblationsAreReadFromTheTrafficReport(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := measuredAblations(root)
	if err != nil || len(got) != 0 {
		t.Fatalf("without a report: %v, %v; want nothing", got, err)
	}
	report := "| event | configuration | requests | failed | failed % | event duration | failures by cause |\n" +
		"| rolling update | zds | 28992 | 0 | 0.00 | 1m52s |  |\n" +
		"| rolling update | zds, rule 1 broken | 25000 | 120 | 0.48 | 1m50s | http 503: 120 |\n" +
		"| rolling update | zds, rule 3 broken | 25100 | 0 | 0.00 | 1m51s |  |\n"
	if err := os.WriteFile(filepath.Join(root, "docs", "traffic.md"), []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err = measuredAblations(root)
	if err != nil {
		t.Fatal(err)
	}
	if want := "dropped 120 of 25000 requests (0.48 %) in a rolling update"; !bytes.Contains([]byte(got["1"]), []byte(want)) {
		t.Errorf("rule 1: %q, want it to say %q", got["1"], want)
	}
	if want := "dropped no request"; !bytes.Contains([]byte(got["3"]), []byte(want)) {
		t.Errorf("rule 3: %q, want it to say %q", got["3"], want)
	}
	if _, ok := got["2"]; ok || len(got) != 2 {
		t.Errorf("got %v, want rules 1 and 3 only", got)
	}
}

// The API docs name each input, output and type field as the generated
// TypeScript and Python SDKs spell it, with the TypeScript type the SDK
// declares: the docs cannot drift from the SDKs.
func TestAPIDocsAgreeWithTheSDKs(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	var pkg pschema.PackageSpec
	if err := json.Unmarshal(files[pulumiSchemaPath], &pkg); err != nil {
		t.Fatal(err)
	}
	var ts, py strings.Builder
	for path, content := range files {
		switch {
		case strings.HasPrefix(path, "sdk/nodejs/") && strings.HasSuffix(path, ".ts"):
			ts.Write(content)
		case strings.HasPrefix(path, "sdk/python/") && strings.HasSuffix(path, ".py"):
			py.Write(content)
		}
	}
	docs := string(files[apiDocsPath])
	check := func(where string, props map[string]pschema.PropertySpec, required []string, input bool) {
		for name, p := range props {
			opt := "?"
			if slices.Contains(required, name) {
				opt = ""
			}
			decl := name + opt + ": " + tsType(p.TypeSpec, input, opt != "") + ";"
			if !input {
				decl = "readonly " + name + ": " + tsType(p.TypeSpec, false, false) + ";"
			}
			if !strings.Contains(ts.String(), decl) {
				t.Errorf("%s.%s: the TypeScript SDK does not declare %q", where, name, decl)
			}
			if getter := "def " + python.PyName(name) + "(self)"; !strings.Contains(py.String(), getter) {
				t.Errorf("%s.%s: the Python SDK has no %q", where, name, getter)
			}
			if !strings.Contains(docs, "| `"+name+"`") {
				t.Errorf("%s.%s is not in the API docs", where, name)
			}
		}
	}
	res := pkg.Resources["zds:index:ZeroDowntimeService"]
	check("inputs", res.InputProperties, res.RequiredInputs, true)
	check("outputs", res.Properties, nil, false)
	for tok, typ := range pkg.Types {
		check(tok, typ.Properties, typ.Required, true)
		if !strings.Contains(docs, "### "+typeName(tok)+"\n") {
			t.Errorf("%s has no section in the API docs", tok)
		}
	}
}
