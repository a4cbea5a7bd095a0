// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/zerodowntime/zds/components/timing"
	"github.com/zerodowntime/zds/internal/trafficmodel"
)

// The model predicts what the traffic harness measured: every zds row of
// docs/traffic.md (the last `make traffic`) lies within 1.25× of the
// prediction for its event, either way, and no faster than its lower
// bound. A model that is not right is no use for deriving a rollout's
// pace or its deadlines (#22).
func TestModelPredictsTheMeasuredEvents(t *testing.T) {
	data, err := os.ReadFile("../../docs/traffic.md")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := trafficmodel.Rows(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if ratio := r.Ratio(); ratio > 1.25 || ratio < 1/1.25 || r.Measured.Seconds() < float64(r.LowerBound) {
			t.Errorf("%s / %s: measured %s, the model predicts %d s (lower bound %d s): outside 1.25×", r.Event, r.Config, r.Measured, r.Predicted, r.LowerBound)
		} else {
			t.Logf("%s / %s: measured %s, predicted %d s (%.2f×)", r.Event, r.Config, r.Measured, r.Predicted, ratio)
		}
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
			Outage: rng.IntN(120) * rng.IntN(2), GateRequired: rng.IntN(2) == 0,
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

// A ReplicaSet whose pods the API server refuses retries after 5 ms,
// doubling: 5, 15, 35 ms, … 5.115 s, 10.235 s, 20.475 s, 40.955 s.
func ExampleReplicaSetRetry() {
	for _, outage := range []int{0, 1, 5, 10, 30} {
		fmt.Printf("outage %2d s: first retry at %d s\n", outage, timing.ReplicaSetRetry(outage))
	}
	// Output:
	// outage  0 s: first retry at 0 s
	// outage  1 s: first retry at 2 s
	// outage  5 s: first retry at 6 s
	// outage 10 s: first retry at 11 s
	// outage 30 s: first retry at 41 s
}
