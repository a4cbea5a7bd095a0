// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"runtime/debug"
	"testing"
)

// A binary says which zds it is however it was built (#21 found "dev" from
// a clone).
func TestVersionOf(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	for _, c := range []struct {
		name    string
		stamped string
		bi      *debug.BuildInfo
		want    string
	}{
		{"stamped at link time", "v1.2.3", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}}, "v1.2.3"},
		{"go install @version", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.4.0"}}, "v0.4.0"},
		{"go build in a clone", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261207145138-4f823cff3913+dirty"}}, "v0.0.0-20261207145138-4f823cff3913+dirty"},
		{"a commit but no version", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("4f823cff3913fd7d3b6cd3291e69079ddfd61dd7", "true")}, "devel 4f823cff3913+dirty"},
		{"clean commit", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("4f823cff3913fd7d", "false")}, "devel 4f823cff3913"},
		{"go run", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "dev"},
		{"no build info", "", nil, "dev"},
	} {
		if got := versionOf(c.stamped, c.bi); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
