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
	// Outage is how long the controller acts on nothing from the trigger
	// (it neither registers nor deregisters targets): the old targets
	// start draining only once it is back.
	Outage int
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
	p.RollingUpdate = max(p.Waves*p.Wave, in.Outage) + drained
	p.LowerBound = p.Ready + drained
	p.ScaleDown = drained
	steps := ceilDiv(max(in.Replicas, 1), max(in.BudgetMaxUnavailable, 1))
	p.Drain = (steps-1)*p.Ready + max(p.Ready, drained)
	if in.Gated && in.MinReady > 0 {
		p.Idle = append(p.Idle, fmt.Sprintf("minReadySeconds %d s in each of %d waves: the readiness gate has already waited for registration", in.MinReady, p.Waves))
	}
	if p.Waves > 1 {
		p.Idle = append(p.Idle, fmt.Sprintf("%d waves of maxSurge %d where capacity for more would take one", p.Waves, max(in.MaxSurge, 1)))
	}
	return p
}

func roundUp(v, step int) int { return ceilDiv(v, step) * step }

// PaceOf is the model's input for a derived service, as zds explain shows
// it: pod start at its budget, start-up and init containers at their
// worst case, registration behind the gate as derived, c at its upper
// bound L; the budget from the disruption's maxUnavailable.
func PaceOf(in Inputs, r Result, budget int) PaceInputs {
	return PaceInputs{
		Replicas: in.Replicas, MaxSurge: in.MaxSurge, BudgetMaxUnavailable: budget,
		PodStart: PodStartBudgetSeconds + in.InitSeconds, Startup: in.StartupSeconds, StartupPeriod: StartupPeriodSeconds,
		Gated: true, Registration: r.RegistrationSeconds, MinReady: r.MinReadySeconds,
		DeregistrationLatency: in.PropagationSeconds, DeregistrationDelay: r.DeregistrationDelaySeconds,
	}
}
