package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
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
	if len(files) != 3 {
		t.Fatalf("want 3 generated files, got %d", len(files))
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
