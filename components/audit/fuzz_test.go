// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zerodowntime/zds/components/audit"
)

// Any bytes are read and checked without a panic: problems name a file
// position, findings name an object.
func FuzzRead(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}]}`))
	f.Add([]byte("kind: DeploymentList\nitems: [1, {kind: Deployment}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, problems := audit.Read("fuzz.yaml", data)
		for _, p := range problems {
			if p.File != "fuzz.yaml" || p.Message == "" {
				t.Fatalf("problem without file or message: %+v", p)
			}
		}
		r := audit.Check(objs, audit.Options{})
		for _, fd := range r.Findings() {
			if fd.Object == "" || fd.Message == "" {
				t.Fatalf("finding without object or message: %+v", fd)
			}
			if fd.Fix != nil {
				_ = fd.Fix.YAML()
				_ = fd.Fix.Command()
			}
		}
	})
}
