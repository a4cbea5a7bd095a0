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
// derives from its spec (D, minReadySeconds, surge, budget).
func Model(env Environment) (timing.PaceInputs, error) {
	s := zdsSpec("model", env)
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		return timing.PaceInputs{}, fmt.Errorf("zds spec: %w", err)
	}
	o := service.Build(r)
	hc := r.Spec.HealthCheck
	c := int(env.Controller / time.Second)
	return timing.PaceInputs{
		Replicas: env.Replicas, MaxSurge: o.Deployment.Spec.Strategy.RollingUpdate.MaxSurge.IntValue(),
		BudgetMaxUnavailable: o.PDB.Spec.MaxUnavailable.IntValue(),
		PodStart:             int(PodStart / time.Second), Startup: int((env.Startup + time.Second - 1) / time.Second),
		StartupPeriod: timing.StartupPeriodSeconds,
		Gated:         true, Registration: c + *hc.HealthyThreshold**hc.IntervalSeconds,
		MinReady:              int(o.Deployment.Spec.MinReadySeconds),
		DeregistrationLatency: c, DeregistrationDelay: r.Timing.DeregistrationDelaySeconds,
	}, nil
}

// Predicted is the model's duration for an event of zds's configuration
// (0 for an event the model does not cover), and its lower bound.
func Predicted(env Environment, ev Event) (predicted, lowerBound time.Duration, err error) {
	in, err := Model(env)
	if err != nil {
		return 0, 0, err
	}
	p := timing.Predict(in)
	var s int
	switch ev.Name {
	case RollingUpdate.Name, PulumiRollingUpdate.Name:
		s = p.RollingUpdate
	case ScaleDown.Name:
		return time.Duration(p.ScaleDown) * time.Second, time.Duration(p.ScaleDown) * time.Second, nil
	case Evictions.Name:
		return time.Duration(p.Drain) * time.Second, time.Duration(p.ScaleDown) * time.Second, nil
	default:
		return 0, 0, nil
	}
	return time.Duration(s) * time.Second, time.Duration(p.LowerBound) * time.Second, nil
}
