// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package yamlnode_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/zerodowntime/zds/components/yamlnode"
)

// corpus is every YAML file of the repository's examples and test data:
// specs, manifests from real charts, Helm and kustomize output.
func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, root := range []string{"../../examples", "../../components", "../../cmd", "../../tests/e2e"} {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				if b, err := os.ReadFile(path); err == nil {
					out[path] = b
				}
			}
			return nil
		})
	}
	if len(out) < 40 {
		t.Fatalf("only %d YAML files found: the corpus moved?", len(out))
	}
	return out
}

// Value gives what go-yaml's own Decode gives, on every document of the
// corpus and on the YAML features spec files use (anchors, aliases, merge
// keys, every scalar type), without Decode's quadratic duplicate-key scan.
func TestValueEqualsDecode(t *testing.T) {
	docs := corpus(t)
	docs["features"] = []byte(`
base: &base {a: 1, b: [x, y], c: {d: true}}
merged:
  <<: *base
  b: override
many:
  <<: [{p: 1, q: 1}, {p: 2, r: 2}]
scalars: [1, -2, 0x1f, 0o17, 1.5, .inf, -.Inf, .nan, true, false, null, ~, "1", '2', 2026-12-07, 1_000, +3, yes, no, on]
block: |
  two
  lines
folded: >
  one
  line
tagged: !!str 12
`)
	n := 0
	for name, data := range docs {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var doc yaml.Node
			if err := dec.Decode(&doc); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Logf("%s: %v (not YAML: skipped)", name, err)
				}
				break
			}
			var want any
			if err := doc.Decode(&want); err != nil {
				continue // duplicate keys and the like: Value's callers report those
			}
			got, err := yamlnode.Value(&doc)
			if err != nil {
				t.Errorf("%s:%d: %v", name, doc.Line, err)
				continue
			}
			if !reflect.DeepEqual(normal(got), normal(want)) {
				t.Errorf("%s:%d: Value\n%#v\nDecode\n%#v", name, doc.Line, got, want)
			}
			n++
		}
	}
	if n < 100 {
		t.Errorf("only %d documents compared", n)
	}
}

// normal turns Decode's map[string]interface{} and Value's
// map[string]any into one form (they are the same type; NaN is not equal
// to itself, so it becomes a string).
func normal(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = normal(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = normal(e)
		}
		return s
	case float64:
		if x != x {
			return "NaN"
		}
	}
	return v
}

// No file of the corpus is refused by the nesting limits: they cost a
// legitimate file nothing.
func TestNestingPassesTheCorpus(t *testing.T) {
	for name, data := range corpus(t) {
		if line, col, msg, ok := yamlnode.Nesting(data); !ok {
			t.Errorf("%s:%d:%d: %s", name, line, col, msg)
		}
	}
}

// Nesting refuses at the first place past a limit, and counts only
// brackets that open values (not inside quotes, comments or words).
func TestNesting(t *testing.T) {
	for _, c := range []struct {
		name      string
		data      string
		line, col int
	}{
		{"101 brackets", "a: " + strings.Repeat("[", 101), 1, 104},
		{"100 brackets are fine", "a: " + strings.Repeat("[", 100) + strings.Repeat("]", 100), 0, 0},
		{"brackets in quotes", `a: "` + strings.Repeat("[", 500) + `"` + "\nb: '" + strings.Repeat("{", 500) + "'", 0, 0},
		{"brackets in a comment", "a: 1 # " + strings.Repeat("[", 500), 0, 0},
		{"brackets in a word", "a: x" + strings.Repeat("[", 500), 0, 0},
		{"an escaped quote", `a: "\"` + strings.Repeat("[", 500) + `"`, 0, 0},
		{"'' in single quotes", `a: 'it''s ` + strings.Repeat("[", 500) + `'`, 0, 0},
		{"on line 3", "a: 1\nb: 2\nc: " + strings.Repeat("{", 200), 3, 104},
		{"1001 dashes", strings.Repeat("- ", 501), 1, 1001},
		{"deep indentation", strings.Repeat(" ", 1001) + "a: 1", 1, 1001},
	} {
		line, col, _, ok := yamlnode.Nesting([]byte(c.data))
		if ok != (c.line == 0) || line != c.line || col != c.col {
			t.Errorf("%s: %d:%d ok=%v, want %d:%d", c.name, line, col, ok, c.line, c.col)
		}
	}
}

// An alias bomb is refused at an alias, within the budget.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, l := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		b.WriteString(l + ": &" + l + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n")
		prev = l
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	_, err := yamlnode.Value(&doc)
	var ae *yamlnode.AliasError
	if !errors.As(err, &ae) || ae.Line < 2 {
		t.Fatalf("err %v, want an AliasError at an alias", err)
	}
}

// Duplicate finds a key given twice in any mapping, in linear time.
func TestDuplicate(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n"), &doc); err != nil {
		t.Fatal(err)
	}
	dup, first := yamlnode.Duplicate(&doc)
	if dup == nil || dup.Value != "c" || dup.Line != 5 || first.Line != 3 {
		t.Errorf("dup %+v first %+v", dup, first)
	}
}
