// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing

import "fmt"

// PaceInputs are what the time a rollout, a scale-down or a node drain
// takes depends on (docs/timing.md#how-long-events-take). Every duration
// is in seconds.
type PaceInputs struct {
	Replicas int
	// MaxSurge is the rollout's surge (maxUnavailable is 0, rule 6).
	MaxSurge int
	// BudgetMaxUnavailable is the PodDisruptionBudget's: how many pods a
	// drain may evict at once.
	BudgetMaxUnavailable int
	// PodStart is scheduling to the app container started (image cached).
	PodStart int
	// Startup is the app's start-up, until it listens; StartupPeriod the
	// startup probe's period, whose first success after Startup makes the
	// pod Ready (the readiness probe follows at once).
	Startup, StartupPeriod int
	// Gated is true when the readiness gate was injected: a pod is Ready
	// only once its target is healthy, Registration after the probes pass
	// (the controller's latency plus H × I).
	Gated        bool
	Registration int
	// MinReady is the Deployment's minReadySeconds.
	MinReady int
	// DeregistrationLatency is c, deletion → the controller deregisters
	// the target; D the deregistration delay. The load balancer holds a
	// removed target until c + D.
	DeregistrationLatency, DeregistrationDelay int
	// Outage is how long the controller is down from the trigger: it
	// neither registers nor deregisters targets, and its webhook injects
	// no gate into pods created meanwhile. Without GateRequired those pods
	// run ungated (Gated false) and the old targets start draining only
	// once the controller is back; with it the API server refuses them
	// and the rollout starts at the ReplicaSet's first retry after the
	// outage (ReplicaSetRetry).
	Outage int
	// GateRequired: zds's admission policy refuses pods without the gate.
	GateRequired bool
}

// ReplicaSetRetry is when a ReplicaSet whose pod creations the API
// server refuses from t = 0 first retries at or after outage seconds: the
// controller requeues a failed sync after 5 ms, doubling each time
// (client-go's default controller rate limiter), so the n-th retry is at
// 5 ms × (2ⁿ − 1).
func ReplicaSetRetry(outage int) int {
	if outage <= 0 {
		return 0
	}
	ms := 0
	for step := 5; ms < 1000*outage; step *= 2 {
		ms += step
	}
	return (ms + 999) / 1000
}

// Pace is the model's prediction for each event, from the trigger until
// the Deployment is done and the load balancer holds exactly the pods it
// should (what the traffic harness measures), in seconds.
type Pace struct {
	// Ready is one new pod's creation → Ready (its gate passed when
	// gated); Wave is Ready plus minReadySeconds: one surge of new pods
	// becoming available.
	Ready, Wave int
	Waves       int
	// RollingUpdate is Waves × Wave, then the last old targets' draining.
	RollingUpdate int
	// LowerBound is the yardstick no safe rolling update beats: every new
	// pod at once (one wave), Ready with its target registered, then the
	// old targets' draining.
	LowerBound int
	// ScaleDown is the removed targets' draining: pods terminate together.
	ScaleDown int
	// Drain is a node drain's evictions, BudgetMaxUnavailable at a time,
	// each next one allowed once the replacements are Ready, then the last
	// evicted target's draining.
	Drain int
	// Idle names the terms that wait for nothing the rules need.
	Idle []string
}

// Predict computes the model.
func Predict(in PaceInputs) Pace {
	var p Pace
	p.Ready = in.PodStart + roundUp(in.Startup, max(in.StartupPeriod, 1))
	if in.Gated {
		p.Ready += in.Registration
	}
	p.Wave = p.Ready + in.MinReady
	p.Waves = ceilDiv(max(in.Replicas, 1), max(in.MaxSurge, 1))
	drained := in.DeregistrationLatency + in.DeregistrationDelay
	if in.GateRequired {
		p.RollingUpdate = ReplicaSetRetry(in.Outage) + p.Waves*p.Wave + drained
	} else {
		p.RollingUpdate = max(p.Waves*p.Wave, in.Outage) + drained
	}
	p.LowerBound = p.Ready + drained
	p.ScaleDown = drained
	steps := ceilDiv(max(in.Replicas, 1), max(in.BudgetMaxUnavailable, 1))
	p.Drain = (steps-1)*p.Ready + max(p.Ready, drained)
	if in.Gated && in.MinReady > 0 {
		p.Idle = append(p.Idle, fmt.Sprintf("minReadySeconds %d s in each of %d waves: the readiness gate has already waited for registration", in.MinReady, p.Waves))
	}
	if p.Waves > 1 {
		p.Idle = append(p.Idle, fmt.Sprintf("%d waves of maxSurge %d where room for more pods (capacity.headroom) would take fewer", p.Waves, max(in.MaxSurge, 1)))
	}
	return p
}

func roundUp(v, step int) int { return ceilDiv(v, step) * step }

// PaceOf is the model's input for a derived service, as zds explain shows
// it: pod start at its budget, start-up and init containers at their
// worst case, registration behind the gate as derived, c at its upper
// bound L; the budget from the disruption's maxUnavailable (in.Budget).
func PaceOf(in Inputs, r Result) PaceInputs {
	return PaceInputs{
		Replicas: in.Replicas, MaxSurge: in.MaxSurge, BudgetMaxUnavailable: max(in.Budget, 1),
		// The start-up probe passes on its first try after start-up at
		// best, after its whole failure budget at worst.
		PodStart: PodStartBudgetSeconds + in.InitSeconds, Startup: roundUp(in.StartupSeconds, StartupPeriodSeconds) + StartupPeriodSeconds, StartupPeriod: StartupPeriodSeconds,
		Gated: true, Registration: r.RegistrationSeconds, MinReady: r.MinReadySeconds,
		DeregistrationLatency: in.PropagationSeconds, DeregistrationDelay: r.DeregistrationDelaySeconds,
	}
}
