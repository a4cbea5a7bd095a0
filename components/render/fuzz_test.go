// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package render_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/specfile"
)

// FuzzLoadRender feeds arbitrary bytes through what zds render does with a
// file: parse, validate, build and order. Whatever the input, it must not
// panic, and a document that parses must render (make fuzz runs it).
func FuzzLoadRender(f *testing.F) {
	examples, _ := filepath.Glob("../../examples/*/*.zds.yaml")
	for _, e := range examples {
		if b, err := os.ReadFile(e); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: zds.dev/v1alpha1\nkind: ZeroDowntimeService\nmetadata: {name: web}\nspec: {image: x:1, replicas: 4294967297, app: {maxRequestSeconds: 15}}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("{{ .Values }}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, problems := specfile.Parse("fuzz.yaml", data, true)
		if len(problems) > 0 {
			for _, p := range problems {
				if p.Message == "" {
					t.Fatalf("a problem without a message: %+v", p)
				}
			}
			return
		}
		if len(docs) == 0 {
			return
		}
		for _, d := range docs {
			if d.Resolved.Spec.LoadBalancer.Kind == "targetGroupBinding" {
				return // zds render refuses it by design
			}
		}
		if _, err := render.Manifests(docs); err != nil {
			t.Fatalf("valid documents did not render: %v", err)
		}
	})
}
