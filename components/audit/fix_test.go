// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/yaml"

	"github.com/zerodowntime/zds/components/audit"
)

// schemaOf is the Go type strategic merge patches of a kind follow.
var schemaOf = map[string]any{
	"Deployment": appsv1.Deployment{}, "Service": corev1.Service{}, "Ingress": networkingv1.Ingress{},
	"PodDisruptionBudget": policyv1.PodDisruptionBudget{}, "Namespace": corev1.Namespace{},
	"HorizontalPodAutoscaler": autoscalingv2.HorizontalPodAutoscaler{},
}

// applyFixes applies every fix as kubectl would (strategic merge patches,
// new objects created) and returns the objects as YAML.
func applyFixes(t *testing.T, objs []*audit.Object, r *audit.Report) []byte {
	t.Helper()
	raws := make([]map[string]any, len(objs))
	for i, o := range objs {
		raws[i] = o.Raw
	}
	find := func(f *audit.Fix) int {
		for i, m := range raws {
			meta, _ := m["metadata"].(map[string]any)
			ns, _ := meta["namespace"].(string)
			if m["kind"] == f.Kind && meta["name"] == f.Name && ns == f.Namespace {
				return i
			}
		}
		return -1
	}
	for _, f := range r.Findings() {
		fix := f.Fix
		if fix == nil {
			continue
		}
		if fix.Create != nil {
			if find(fix) < 0 {
				raws = append(raws, fix.Create)
			}
			continue
		}
		i := find(fix)
		if i < 0 { // not in the input (a namespace): create it with the patch
			var m map[string]any
			if err := yaml.Unmarshal([]byte(fix.YAML()), &m); err != nil {
				t.Fatal(err)
			}
			raws = append(raws, m)
			continue
		}
		var err error
		if schema, ok := schemaOf[fix.Kind]; ok {
			raws[i], err = strategicpatch.StrategicMergeMapPatch(raws[i], fix.Patch, schema)
		} else {
			b, _ := json.Marshal(fix.Patch)
			var p map[string]any
			_ = json.Unmarshal(b, &p)
			raws[i] = mergeMaps(raws[i], p)
		}
		if err != nil {
			t.Fatalf("applying %s's fix: %v", f.Object, err)
		}
	}
	var out []byte
	for _, m := range raws {
		b, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, "---\n"...), b...)
	}
	return out
}

func mergeMaps(dst, src map[string]any) map[string]any {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = mergeMaps(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

// Every fix together clears every finding it is for, and makes no new
// one: what may remain are the findings only a person can fix (no
// readiness probe, an identical liveness probe, a fact the objects do not
// hold).
func TestFixesClearTheirFindings(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			objs, problems := audit.Read(path, data)
			if len(problems) > 0 {
				t.Fatal(problems)
			}
			before := audit.Check(objs, audit.Options{})
			var unfixable []string
			for _, f := range before.Findings() {
				if f.Fix == nil {
					unfixable = append(unfixable, f.Rule+" "+f.Object)
				}
			}
			fixed := applyFixes(t, objs, before)
			objs2, problems := audit.Read("fixed", fixed)
			if len(problems) > 0 {
				t.Fatalf("%v\n%s", problems, fixed)
			}
			after := audit.Check(objs2, audit.Options{})
			var left []string
			for _, f := range after.Findings() {
				left = append(left, f.Rule+" "+f.Object)
			}
			for _, l := range left {
				if !slices.Contains(unfixable, l) {
					t.Errorf("after every fix, %s remains or is new (the findings without a fix: %s)\n%s", l, strings.Join(unfixable, "; "), describe(after))
				}
			}
		})
	}
}
