// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing_test

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zerodowntime/zds/components/timing"
)

// harness is the traffic harness's environment (tests/traffic/scenario's
// Default and zdsSpec) as the model sees it: 3 replicas, surge 1, a budget
// of 1; pods start in about 2 s on its real node with the image cached;
// the app listens after 1 s; the emulated controller registers and
// deregisters after c = 1 s, HAProxy's health check passes after H × I =
// 2 × 5 s; zds derives D = L + R + 5 = 13 and minReadySeconds 20 (its
// registration with the ALB's 10 s controller latency).
var harness = timing.PaceInputs{
	Replicas: 3, MaxSurge: 1, BudgetMaxUnavailable: 1,
	PodStart: 2, Startup: 1, StartupPeriod: timing.StartupPeriodSeconds,
	Gated: true, Registration: 1 + 2*5, MinReady: 20,
	DeregistrationLatency: 1, DeregistrationDelay: 13,
}

// The model predicts what the traffic harness measured: every zds row of
// docs/traffic.md (the last `make traffic`) lies within 1.25× of the
// prediction for its event, either way. A model that is not right is no
// use for deriving a rollout's pace or its deadlines (#22).
func TestModelPredictsTheMeasuredEvents(t *testing.T) {
	data, err := os.ReadFile("../../docs/traffic.md")
	if err != nil {
		t.Fatal(err)
	}
	withStartup := harness
	withStartup.Startup = 8
	noGate := harness
	noGate.Gated = false
	noGateNoMinReady := noGate
	noGateNoMinReady.MinReady = 0
	cases := map[string]func() int{
		"rolling update|zds":                                          func() int { return timing.Predict(harness).RollingUpdate },
		"rolling update by pulumi up|zds (pulumi up)":                 func() int { return timing.Predict(harness).RollingUpdate },
		"rolling update, 8 s start-up|zds":                            func() int { return timing.Predict(withStartup).RollingUpdate },
		"rolling update, controller down|zds":                         func() int { return timing.Predict(noGate).RollingUpdate },
		"rolling update, controller down|zds without minReadySeconds": func() int { return timing.Predict(noGateNoMinReady).RollingUpdate },
		"scale-down by half|zds":                                      func() int { return timing.Predict(harness).ScaleDown },
		"evictions (node drain)|zds":                                  func() int { return timing.Predict(harness).Drain },
	}
	seen := 0
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 8 {
			continue
		}
		key := strings.TrimSpace(cells[1]) + "|" + strings.TrimSpace(cells[2])
		predict, ok := cases[key]
		if !ok {
			continue
		}
		measured, err := time.ParseDuration(strings.TrimSpace(cells[6]))
		if err != nil {
			t.Fatalf("%s: duration %q: %v", key, cells[6], err)
		}
		seen++
		p := float64(predict())
		if m := measured.Seconds(); m > 1.25*p || m < p/1.25 {
			t.Errorf("%s: measured %s, the model predicts %.0f s: outside 1.25×", key, measured, p)
		} else {
			t.Logf("%s: measured %s, predicted %.0f s (%.2f×)", key, measured, p, m/p)
		}
	}
	if seen != len(cases) {
		t.Errorf("found %d of the %d zds rows in docs/traffic.md", seen, len(cases))
	}
}

// The model's shape, for any inputs: the lower bound is one wave, so no
// rollout beats it; more replicas never make an event shorter, more surge
// or a larger budget never longer; minReadySeconds behind a gate is
// reported as waiting for nothing.
func TestModelShape(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 1))
	for range 20000 {
		in := timing.PaceInputs{
			Replicas: 1 + rng.IntN(60), MaxSurge: 1 + rng.IntN(20), BudgetMaxUnavailable: 1 + rng.IntN(10),
			PodStart: rng.IntN(60), Startup: rng.IntN(300), StartupPeriod: 1 + rng.IntN(10),
			Gated: rng.IntN(2) == 0, Registration: rng.IntN(200), MinReady: rng.IntN(120),
			DeregistrationLatency: rng.IntN(20), DeregistrationDelay: rng.IntN(3600),
		}
		p := timing.Predict(in)
		if p.LowerBound > p.RollingUpdate {
			t.Fatalf("lower bound %d above the rollout %d for %+v", p.LowerBound, p.RollingUpdate, in)
		}
		more := in
		more.Replicas++
		if q := timing.Predict(more); q.RollingUpdate < p.RollingUpdate || q.Drain < p.Drain {
			t.Fatalf("one more replica made an event shorter: %+v → %+v for %+v", p, q, in)
		}
		wider := in
		wider.MaxSurge++
		wider.BudgetMaxUnavailable++
		if q := timing.Predict(wider); q.RollingUpdate > p.RollingUpdate || q.Drain > p.Drain {
			t.Fatalf("more surge or budget made an event longer: %+v → %+v for %+v", p, q, in)
		}
		idle := strings.Join(p.Idle, "; ")
		if want := in.Gated && in.MinReady > 0; strings.Contains(idle, "minReadySeconds") != want {
			t.Fatalf("idle %q for gated=%v minReady=%d", idle, in.Gated, in.MinReady)
		}
	}
}
