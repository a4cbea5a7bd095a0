// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package load

import (
	"math"
	"net/url"
	"testing"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func draw(t *testing.T, tr vegeta.Targeter, n int) []string {
	t.Helper()
	urls := make([]string, n)
	for i := range urls {
		var tgt vegeta.Target
		if err := tr(&tgt); err != nil {
			t.Fatal(err)
		}
		if tgt.Method != "POST" { // never replayed by the transport (see method)
			t.Fatalf("method %q", tgt.Method)
		}
		urls[i] = tgt.URL
	}
	return urls
}

func TestTargeterIsSeeded(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1/work")
	a := draw(t, newTargeter(base, DefaultMix(1000), 7), 100)
	b := draw(t, newTargeter(base, DefaultMix(1000), 7), 100)
	c := draw(t, newTargeter(base, DefaultMix(1000), 8), 100)
	same := func(x, y []string) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("same seed gave different targets")
	}
	if same(a, c) {
		t.Error("different seeds gave the same targets")
	}
}

func TestTargeterFollowsMix(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:1/work?keep=1")
	mix := []Class{
		{Name: "short", Weight: 90, MinMS: 10, MaxMS: 50},
		{Name: "long", Weight: 10, MinMS: 500, MaxMS: 2000},
		{Name: "never", Weight: 0, MinMS: 9999, MaxMS: 9999},
	}
	const n = 20000
	long := 0
	for _, raw := range draw(t, newTargeter(base, mix, 1), n) {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != "/work" || u.Query().Get("keep") != "1" {
			t.Fatalf("target %s lost the base path or query", raw)
		}
		switch ms := msOf(raw); {
		case ms >= 10 && ms <= 50:
		case ms >= 500 && ms <= 2000:
			long++
		default:
			t.Fatalf("ms=%d is in no class", ms)
		}
	}
	if share := float64(long) / n; math.Abs(share-0.10) > 0.01 {
		t.Errorf("long share %.3f, want 0.10±0.01", share)
	}
}

func TestValidateMix(t *testing.T) {
	tests := []struct {
		name string
		mix  []Class
		ok   bool
	}{
		{"default", DefaultMix(1000), true},
		{"fixed duration", []Class{{Weight: 1, MinMS: 300, MaxMS: 300}}, true},
		{"empty", nil, false},
		{"all zero weights", []Class{{Weight: 0, MaxMS: 1}}, false},
		{"negative weight", []Class{{Weight: -1, MaxMS: 1}, {Weight: 2, MaxMS: 1}}, false},
		{"min above max", []Class{{Weight: 1, MinMS: 5, MaxMS: 4}}, false},
		{"negative ms", []Class{{Weight: 1, MinMS: -5, MaxMS: 4}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validateMix(tt.mix); (err == nil) != tt.ok {
				t.Errorf("validateMix = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
