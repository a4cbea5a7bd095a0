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

// Harness is the configuration the report (docs/traffic.md) measured, as
// the model sees it: tests/traffic/scenario's Default environment, 3
// replicas, surge 1, a budget of 1; pods start in about 2 s on its real
// node with the image cached; the app listens after 1 s; the emulated
// controller registers and deregisters after c = 1 s, HAProxy's health
// check passes after H × I = 2 × 5 s; zds derived D = L + R + 5 = 13 and,
// without the admission policy that requires the gate (the report
// predates it, #22), minReadySeconds 20 (its registration with the ALB's
// 10 s controller latency). tests/traffic/scenario.Model derives today's
// configuration from the harness's code, for TestRollouts.
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

// events are the report's events the model covers, as changes to the
// harness's inputs, and the prediction each reads.
var events = map[string]struct {
	set  func(*timing.PaceInputs)
	read func(timing.Pace) (predicted, lowerBound int)
}{
	"rolling update":               {nil, rolling},
	"rolling update by pulumi up":  {nil, rolling},
	"rolling update, 8 s start-up": {func(in *timing.PaceInputs) { in.Startup = 8 }, rolling},
	// In the measured run the webhook stayed down for the whole event, so
	// no new pod got a gate; the controller acted on nothing for the
	// outage.
	"rolling update, controller down":      {func(in *timing.PaceInputs) { in.Gated, in.Outage = false, 5 }, ungated},
	"rolling update, controller down 30 s": {func(in *timing.PaceInputs) { in.Gated, in.Outage = false, 30 }, ungated},
	"rolling update, 12 replicas":          {func(in *timing.PaceInputs) { in.Replicas, in.MaxSurge, in.BudgetMaxUnavailable = 12, 3, 3 }, rolling},
	"scale-down by half":                   {nil, func(p timing.Pace) (int, int) { return p.ScaleDown, p.ScaleDown }},
	"evictions (node drain)":               {nil, drain},
	"evictions (node drain), 12 replicas":  {func(in *timing.PaceInputs) { in.Replicas, in.MaxSurge, in.BudgetMaxUnavailable = 12, 3, 3 }, drain},
}

func rolling(p timing.Pace) (int, int) { return p.RollingUpdate, p.LowerBound }
func ungated(p timing.Pace) (int, int) { return p.RollingUpdate, 0 }
func drain(p timing.Pace) (int, int)   { return p.Drain, p.ScaleDown }

// configs are zds's configurations in the report, as changes to the
// harness's inputs (after the event's: a knob set by hand wins).
var configs = map[string]func(*timing.PaceInputs){
	"zds":                         nil,
	"zds (pulumi up)":             nil,
	"zds without minReadySeconds": func(in *timing.PaceInputs) { in.MinReady = 0 },
	"zds, maxSurge 2":             func(in *timing.PaceInputs) { in.MaxSurge = 2 },
	"zds, maxSurge 2, without minReadySeconds": func(in *timing.PaceInputs) { in.MaxSurge, in.MinReady = 2, 0 },
	"zds, budget 2": func(in *timing.PaceInputs) { in.BudgetMaxUnavailable = 2 },
}

// Predict is the model's prediction for a row of the report, and whether
// the model covers it.
func Predict(event, config string) (predicted, lowerBound int, ok bool) {
	ev, ok1 := events[event]
	cfg, ok2 := configs[config]
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	in := Harness
	if ev.set != nil {
		ev.set(&in)
	}
	if cfg != nil {
		cfg(&in)
	}
	p, lb := ev.read(timing.Predict(in))
	return p, lb, true
}

// minRows is how many of the report's rows the model must find: every zds
// row of the committed report.
const minRows = 7

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
		p, lb, ok := Predict(ev, cfg)
		if !ok {
			continue
		}
		d, err := time.ParseDuration(strings.TrimSpace(cells[6]))
		if err != nil {
			return nil, fmt.Errorf("%s / %s: duration %q: %v", ev, cfg, cells[6], err)
		}
		out = append(out, Row{Event: ev, Config: cfg, Measured: d, Predicted: p, LowerBound: lb})
	}
	if len(out) < minRows {
		return out, fmt.Errorf("found %d zds rows the model covers, want at least %d", len(out), minRows)
	}
	return out, nil
}
