// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package scenario

import (
	"fmt"
	"time"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// PodStart is how long a pod takes on the harness's node from creation to
// its container started (image cached, a CNI bridge): about 2 s.
const PodStart = 2 * time.Second

// Model is timing.Predict's input for zds's configuration in env (#22):
// the harness's own latencies (the emulated controller acts after
// env.Controller, HAProxy's health check passes after H × I) and what zds
// derives from its spec (D, minReadySeconds, surge, budget, the admission
// policy).
func Model(env Environment, k Knobs) (timing.PaceInputs, error) {
	s := k.spec("model", env)
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		return timing.PaceInputs{}, fmt.Errorf("zds spec: %w", err)
	}
	o, err := k.objects("model", env)
	if err != nil {
		return timing.PaceInputs{}, err
	}
	hc := r.Spec.HealthCheck
	c := int(env.Controller / time.Second)
	return timing.PaceInputs{
		Replicas: env.Replicas, MaxSurge: o.Deployment.Spec.Strategy.RollingUpdate.MaxSurge.IntValue(),
		BudgetMaxUnavailable: o.PDB.Spec.MaxUnavailable.IntValue(),
		PodStart:             int(PodStart / time.Second), Startup: int((env.Startup + time.Second - 1) / time.Second),
		StartupPeriod: timing.StartupPeriodSeconds,
		Gated:         true, Registration: c + *hc.HealthyThreshold**hc.IntervalSeconds,
		MinReady:              int(o.Deployment.Spec.MinReadySeconds),
		GateRequired:          o.GatePolicy != nil,
		DeregistrationLatency: c, DeregistrationDelay: r.Timing.DeregistrationDelaySeconds,
	}, nil
}

// Predicted is the model's duration for an event of one of zds's
// configurations (0 for a configuration or event the model does not
// cover), and its lower bound (0 when pods get no gate).
func Predicted(env Environment, cfg Config, ev Event) (predicted, lowerBound time.Duration, err error) {
	if cfg.Knobs == nil || ev.Kind == "" {
		return 0, 0, nil
	}
	env = ev.in(env)
	in, err := Model(env, *cfg.Knobs)
	if err != nil {
		return 0, 0, err
	}
	if ev.Outage > 0 {
		// Refused while the webhook is down with the policy; created
		// without a gate without it.
		in.Outage, in.Gated = int(ev.Outage/time.Second), in.GateRequired
	}
	p := timing.Predict(in)
	sec := func(s int) time.Duration { return time.Duration(s) * time.Second }
	lb := sec(p.LowerBound)
	if !in.Gated {
		lb = 0
	}
	switch ev.Kind {
	case KindRollingUpdate:
		return sec(p.RollingUpdate), lb, nil
	case KindScaleDown:
		return sec(p.ScaleDown), sec(p.ScaleDown), nil
	case KindDrain:
		return sec(p.Drain), sec(p.ScaleDown), nil
	}
	return 0, 0, fmt.Errorf("event %s: unknown kind %q", ev.Name, ev.Kind)
}
