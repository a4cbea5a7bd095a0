// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/zerodowntime/zds/components/timing"
)

// exampleChain is one example service's termination chain as its golden
// preview states it (the examples' tests keep those files equal to what
// each program registers), with the values zds derived before rule 1
// became D ≥ L + R.
type exampleChain struct {
	Example, Service       string
	R, S, L                int
	D, P, G                int
	OldD, OldP, OldG       int
	DeltaD, DeltaP, DeltaG int
}

var (
	chainOf   = regexp.MustCompile(`(?m)^# Timing chain of (\S+) \(read back from the objects\):$`)
	chainLine = regexp.MustCompile(`(?m)^#   grace (\d+)s > preStop (\d+)s \+ shutdown (\d+)s > deregistration delay (\d+)s ≥ propagation (\d+)s \+ longest request (\d+)s$`)
)

// exampleChains reads every example's golden preview.
func exampleChains(root string) ([]exampleChain, error) {
	files, err := filepath.Glob(filepath.Join(root, "examples", "*", "testdata", "preview.golden.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []exampleChain
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		names, lines := chainOf.FindAllSubmatch(b, -1), chainLine.FindAllSubmatch(b, -1)
		if len(names) == 0 || len(names) != len(lines) {
			return nil, fmt.Errorf("%s: %d timing-chain headers and %d chain lines; regenerate the golden files (make golden)", f, len(names), len(lines))
		}
		example := filepath.Base(filepath.Dir(filepath.Dir(f)))
		for i, m := range lines {
			n := make([]int, 6)
			for j := range n {
				n[j], _ = strconv.Atoi(string(m[j+1]))
			}
			c := exampleChain{Example: example, Service: string(names[i][1]),
				G: n[0], P: n[1], S: n[2], D: n[3], L: n[4], R: n[5]}
			// What zds derived before (no example pins a value): D = R + 5,
			// P = max(L, D − S + 1), G = P + S + 5.
			c.OldD = min(c.R+timing.DeregistrationMarginSeconds, timing.MaxDeregistrationDelaySeconds)
			c.OldP = max(c.L, c.OldD-c.S+1)
			c.OldG = c.OldP + c.S + timing.GraceBufferSeconds
			c.DeltaD, c.DeltaP, c.DeltaG = c.D-c.OldD, c.P-c.OldP, c.G-c.OldG
			out = append(out, c)
		}
	}
	return out, nil
}
