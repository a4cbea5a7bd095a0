// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package trafficmodel holds the traffic harness's environment as the
// rollout model (timing.Predict) sees it, and reads the zds rows of its
// report (docs/traffic.md) beside the model's predictions: one place for
// the test that the model is right and for the table docs/timing.md shows.
package trafficmodel

import (
	"fmt"
	"strings"
	"time"

	"github.com/zerodowntime/zds/components/timing"
)

// Harness is tests/traffic/scenario's Default environment and zds's spec
// there: 3 replicas, surge 1, a budget of 1; pods start in about 2 s on
// its real node with the image cached; the app listens after 1 s; the
// emulated controller registers and deregisters after c = 1 s, HAProxy's
// health check passes after H × I = 2 × 5 s; zds derives D = L + R + 5 =
// 13 and minReadySeconds 20 (its registration with the ALB's 10 s
// controller latency). tests/traffic/scenario.Model derives the same from
// the harness's code, for TestRollouts.
var Harness = timing.PaceInputs{
	Replicas: 3, MaxSurge: 1, BudgetMaxUnavailable: 1,
	PodStart: 2, Startup: 1, StartupPeriod: timing.StartupPeriodSeconds,
	Gated: true, Registration: 1 + 2*5, MinReady: 20,
	DeregistrationLatency: 1, DeregistrationDelay: 13,
}

// Row is one zds row of the report with the model's prediction.
type Row struct {
	Event, Config string
	Measured      time.Duration
	// Predicted and LowerBound are in seconds (LowerBound 0 where the
	// event has none: no gate).
	Predicted, LowerBound int
}

// Ratio is measured / predicted.
func (r Row) Ratio() float64 { return r.Measured.Seconds() / float64(r.Predicted) }

// predictions are the zds rows the model covers: event|configuration.
var predictions = map[string]func() (int, int){
	"rolling update|zds":                          func() (int, int) { p := timing.Predict(Harness); return p.RollingUpdate, p.LowerBound },
	"rolling update by pulumi up|zds (pulumi up)": func() (int, int) { p := timing.Predict(Harness); return p.RollingUpdate, p.LowerBound },
	"rolling update, 8 s start-up|zds": func() (int, int) {
		in := Harness
		in.Startup = 8
		p := timing.Predict(in)
		return p.RollingUpdate, p.LowerBound
	},
	"rolling update, controller down|zds": func() (int, int) {
		in := Harness
		in.Gated = false
		return timing.Predict(in).RollingUpdate, 0
	},
	"rolling update, controller down|zds without minReadySeconds": func() (int, int) {
		in := Harness
		in.Gated, in.MinReady = false, 0
		return timing.Predict(in).RollingUpdate, 0
	},
	"scale-down by half|zds":     func() (int, int) { p := timing.Predict(Harness); return p.ScaleDown, p.ScaleDown },
	"evictions (node drain)|zds": func() (int, int) { p := timing.Predict(Harness); return p.Drain, p.ScaleDown },
}

// Rows are the report's zds rows the model covers, in the report's
// order; it is an error when one is missing.
func Rows(report []byte) ([]Row, error) {
	var out []Row
	for _, line := range strings.Split(string(report), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 8 {
			continue
		}
		ev, cfg := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2])
		predict, ok := predictions[ev+"|"+cfg]
		if !ok {
			continue
		}
		d, err := time.ParseDuration(strings.TrimSpace(cells[6]))
		if err != nil {
			return nil, fmt.Errorf("%s / %s: duration %q: %v", ev, cfg, cells[6], err)
		}
		p, lb := predict()
		out = append(out, Row{Event: ev, Config: cfg, Measured: d, Predicted: p, LowerBound: lb})
	}
	if len(out) != len(predictions) {
		return out, fmt.Errorf("found %d of the %d zds rows the model covers", len(out), len(predictions))
	}
	return out, nil
}
