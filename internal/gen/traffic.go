// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/zerodowntime/zds/internal/trafficmodel"
)

// ablationRow matches a row of docs/traffic.md for zds with one rule broken:
// | event | zds, rule N broken | requests | failed | failed % | duration | causes |
var ablationRow = regexp.MustCompile(`(?m)^\| ([^|]+) \| zds, rule (\d) broken \| (\d+) \| (\d+) \| ([\d.]+) \|`)

// measuredAblations reads what breaking each rule cost in the last
// `make traffic` run (docs/traffic.md, committed), by rule ID.
func measuredAblations(root string) (map[string]string, error) {
	raw, err := os.ReadFile(filepath.Join(root, "docs", "traffic.md"))
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, m := range ablationRow.FindAllStringSubmatch(string(raw), -1) {
		event, rule, sent, failed, pct := m[1], m[2], m[3], m[4], m[5]
		verdict := "dropped no request"
		if failed != "0" {
			verdict = fmt.Sprintf("dropped %s of %s requests (%s %%)", failed, sent, pct)
		}
		out[rule] = fmt.Sprintf("Measured ([traffic.md](traffic.md)): zds's output with only this rule broken %s in a %s.", verdict, event)
	}
	return out, nil
}

// measuredEvents are the report's zds rows beside the rollout model's
// predictions (none before the first make traffic).
func measuredEvents(root string) ([]trafficmodel.Row, error) {
	raw, err := os.ReadFile(filepath.Join(root, "docs", "traffic.md"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return trafficmodel.Rows(raw)
}
