// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package render_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/internal/spectest"
)

// render.YAML writes exactly what sigs.k8s.io/yaml (JSON, then YAML)
// writes, without the round trip: for random rendered services, and for
// the values where a direct encoding would differ (large whole numbers,
// keys with digits, fractions, odd strings).
func TestYAMLIsWhatSigsYAMLWrites(t *testing.T) {
	var objs []map[string]any
	objs = append(objs, map[string]any{
		"replicas": float64(2147483647), "big": float64(1e6), "neg": float64(-3), "half": 0.5,
		"labels": map[string]any{"a10": "x", "a9": "y", "B": "z", "a-1": "yes", "n": "1e3", "empty": ""},
		"list":   []any{float64(1), "on", true, nil, map[string]any{}},
	})
	rng := rand.New(rand.NewPCG(2, 9))
	for len(objs) < 300 {
		r, err := service.Resolve("web", spectest.Random(rng), spec.Inputs{})
		if err != nil {
			continue
		}
		for _, it := range service.Build(r).Items() {
			m, err := manifests.ToMap(it.Object)
			if err != nil {
				t.Fatal(err)
			}
			objs = append(objs, m)
		}
	}
	for _, o := range objs {
		got, err := render.YAML([]map[string]any{o})
		if err != nil {
			t.Fatal(err)
		}
		want, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("render.YAML differs from sigs.k8s.io/yaml:\n%s\nwant:\n%s", got, want)
		}
	}
}
