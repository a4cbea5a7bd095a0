// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package manifests_test

import (
	"cmp"
	"slices"
	"testing"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
)

func TestApplyOrder(t *testing.T) {
	byName := func(names []string) func(i, j int) int {
		return func(i, j int) int { return cmp.Compare(names[i], names[j]) }
	}
	for _, tc := range []struct {
		name  string
		names []string
		deps  map[int][]int
		want  []int
	}{
		{name: "no dependencies: by less", names: []string{"c", "a", "b"}, want: []int{1, 2, 0}},
		{name: "ties by index", names: []string{"a", "a", "a"}, want: []int{0, 1, 2}},
		{name: "a dependency overrides less", names: []string{"a", "b"}, deps: map[int][]int{0: {1}}, want: []int{1, 0}},
		// Once b is done, a (first by less) is ready again before c.
		{name: "the first ready by less at each step", names: []string{"a", "b", "c"}, deps: map[int][]int{0: {1}}, want: []int{1, 0, 2}},
		{name: "a chain", names: []string{"a", "b", "c"}, deps: map[int][]int{0: {1}, 1: {2}}, want: []int{2, 1, 0}},
		{name: "unknown indexes are ignored", names: []string{"a", "b"}, deps: map[int][]int{0: {7, -1}}, want: []int{0, 1}},
		{name: "a cycle comes last, by less", names: []string{"a", "b", "c"}, deps: map[int][]int{0: {1}, 1: {0}}, want: []int{2, 0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := manifests.ApplyOrder(len(tc.names), func(i int) []int { return tc.deps[i] }, byName(tc.names))
			if !slices.Equal(got, tc.want) {
				t.Errorf("ApplyOrder = %v, want %v", got, tc.want)
			}
		})
	}
}

// Every item waits only for items listed before it, so registering them in
// Items' order never refers to a child that does not exist yet.
func TestItemsComeAfterWhatTheyWaitFor(t *testing.T) {
	for _, kind := range []string{"alb", "nlb", "targetGroupBinding"} {
		s := web()
		s.LoadBalancer.Kind = kind
		if kind == "targetGroupBinding" {
			s.LoadBalancer.VpcId = "vpc-1"
		}
		seen := map[string]bool{}
		for _, it := range service.Build(resolved(s)).Items() {
			for _, a := range it.After {
				if !seen[a] {
					t.Errorf("%s: %s waits for %s, which comes later or not at all", kind, it.Kind, a)
				}
			}
			if seen[it.Kind] {
				t.Errorf("%s: two items of kind %s", kind, it.Kind)
			}
			seen[it.Kind] = true
		}
	}
}
