// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/zerodowntime/zds/components/audit"
)

// The same objects read from multi-document YAML, a JSON v1 List (kubectl
// get -o json, zds render -o json) and a YAML List (kubectl get -o yaml)
// give the same findings; List items keep their own positions.
func TestReadsYAMLJSONAndLists(t *testing.T) {
	data, err := os.ReadFile("testdata/k6-final.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs, problems := audit.Read("k6.yaml", data)
	if len(problems) > 0 || len(objs) != 3 {
		t.Fatalf("%d objects, %v", len(objs), problems)
	}
	var items []any
	for _, o := range objs {
		items = append(items, o.Raw)
	}
	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": items}
	jsonList, _ := json.MarshalIndent(list, "", "  ")
	yamlList, _ := yaml.Marshal(list)
	want := findingsOf(audit.Check(objs, audit.Options{}))
	for name, b := range map[string][]byte{"list.json": jsonList, "list.yaml": yamlList} {
		got, problems := audit.Read(name, b)
		if len(problems) > 0 || len(got) != 3 {
			t.Fatalf("%s: %d objects, %v", name, len(got), problems)
		}
		if got[1].Line <= got[0].Line || got[2].Line <= got[1].Line {
			t.Errorf("%s: items at lines %d, %d, %d", name, got[0].Line, got[1].Line, got[2].Line)
		}
		if f := findingsOf(audit.Check(got, audit.Options{})); f != want {
			t.Errorf("%s: findings\n%s\nwant\n%s", name, f, want)
		}
	}
}

func findingsOf(r *audit.Report) string {
	var out []string
	for _, f := range r.Findings() {
		out = append(out, finding(f))
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// Documents that are no Kubernetes object (Helm's NOTES, an empty
// document, a comment) are skipped; objects of other kinds are read and
// ignored by the rules.
func TestSkipsWhatIsNoObject(t *testing.T) {
	in := "---\n# Source: chart/templates/NOTES.txt\n---\nplain text\n---\n- a\n- list\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	objs, problems := audit.Read("helm.yaml", []byte(in))
	if len(problems) > 0 || len(objs) != 1 || objs[0].Kind != "ConfigMap" {
		t.Fatalf("%v %v", objs, problems)
	}
	if r := audit.Check(objs, audit.Options{}); len(r.Services) != 0 || len(r.Findings()) != 0 {
		t.Errorf("a ConfigMap alone gave %v", describe(r))
	}
}
