// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package scenario

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestNamespaceFor(t *testing.T) {
	for name, want := range map[string]string{
		"zds":                "t-zds",
		"zds, rule 1 broken": "t-zds-rule-1-broken",
		"probes only":        "t-probes-only",
		"Field  recipe!":     "t-field-recipe",
		// 63 characters at most, and two long names stay apart.
		"zds, requireReadinessGate off, without minReadySeconds rolling update, controller down 30 s": "t-zds-requirereadinessgate-off-without-minreadyseconds-0eeb8da3",
		"zds, requireReadinessGate off, without minReadySeconds rolling update, controller down":      "t-zds-requirereadinessgate-off-without-minreadyseconds-5ca56bc7",
	} {
		got := namespaceFor(name)
		if got != want {
			t.Errorf("namespaceFor(%q) = %q, want %q", name, got, want)
		}
		if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
			t.Errorf("%q is no namespace name: %v", got, errs)
		}
	}
}
