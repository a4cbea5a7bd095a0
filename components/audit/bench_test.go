// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zerodowntime/zds/components/audit"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/internal/spectest"
)

// Reading and checking 1,000 services' manifests in-process (bench/check
// compares the whole command with kube-score).
func BenchmarkCheck1000(b *testing.B) {
	path := filepath.Join(b.TempDir(), "services.zds.yaml")
	if err := os.WriteFile(path, spectest.SpecFile(1000), 0o644); err != nil {
		b.Fatal(err)
	}
	docs, err := specfile.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	ms, err := render.Manifests(docs)
	if err != nil {
		b.Fatal(err)
	}
	data, err := render.YAML(ms)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		objs, problems := audit.Read("manifests.yaml", data)
		if len(problems) > 0 {
			b.Fatal(problems)
		}
		if r := audit.Check(objs, audit.Options{}); len(r.Services) != 1000 {
			b.Fatalf("%d services", len(r.Services))
		}
	}
}
