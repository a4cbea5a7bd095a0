// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/timing"
)

// Well-known labels.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelVersion   = "app.kubernetes.io/version"
	LabelComponent = "app.kubernetes.io/component"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// ReadinessGateLabel on a namespace makes the AWS Load Balancer
	// Controller's webhook inject target-health readiness gates into pods
	// created there afterwards.
	ReadinessGateLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"
	ReadinessGateValue = "enabled"
	ManagedBy          = "zds"
)

// +k8s:deepcopy-gen=false

// Resolved is a spec with every default applied, validated, and its timings
// derived: everything needed to build the objects. service.Resolve makes
// it, once per service.
type Resolved struct {
	// Spec has every default applied.
	Spec ServiceSpec
	// Profile is the load-balancer kind's timing profile.
	Profile timing.Profile
	// Timing holds every derived value.
	Timing timing.Result
	// Inputs says which values come from Pulumi inputs.
	Inputs Inputs
}

// TimingInputs are the facts the timing model derived Timing from.
func (r *Resolved) TimingInputs() timing.Inputs { return r.Spec.TimingInputs(r.Profile) }

// +k8s:deepcopy-gen=false

// InvalidError lists every problem found in a spec. Its message has one
// line per problem: field path, the rule it breaks, the smallest fix.
type InvalidError struct {
	Errors field.ErrorList
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	b.WriteString("invalid ZeroDowntimeService:")
	for _, err := range e.Errors {
		b.WriteString("\n  - ")
		b.WriteString(err.Error())
	}
	return b.String()
}

// timingFields are the spec fields the timing model's inputs come from
// (see TimingInputs).
var timingFields = map[timing.Input]*field.Path{
	timing.InMaxRequest:  field.NewPath("spec", "app", "maxRequestSeconds"),
	timing.InShutdown:    field.NewPath("spec", "app", "shutdownSeconds"),
	timing.InStartup:     field.NewPath("spec", "app", "startupSeconds"),
	timing.InInit:        field.NewPath("spec", "initContainers"),
	timing.InKeepAlive:   field.NewPath("spec", "app", "keepAliveTimeoutSeconds"),
	timing.InPropagation: field.NewPath("spec", "loadBalancer", "propagationSeconds"),
	timing.InIdleTimeout: field.NewPath("spec", "loadBalancer", "idleTimeoutSeconds"),
	timing.InInterval:    field.NewPath("spec", "healthCheck", "intervalSeconds"),
	timing.InHCTimeout:   field.NewPath("spec", "healthCheck", "timeoutSeconds"),
	timing.InHealthy:     field.NewPath("spec", "healthCheck", "healthyThreshold"),
	timing.InUnhealthy:   field.NewPath("spec", "healthCheck", "unhealthyThreshold"),
	timing.InDereg:       field.NewPath("spec", "timing", "deregistrationDelaySeconds"),
	timing.InPreStop:     field.NewPath("spec", "timing", "preStopSleepSeconds"),
	timing.InGrace:       field.NewPath("spec", "timing", "terminationGracePeriodSeconds"),
	timing.InReplicas:    field.NewPath("spec", "replicas"),
	timing.InMaxSurge:    field.NewPath("spec", "rollout", "maxSurge"),
	timing.InSidecars:    field.NewPath("spec", "sidecars"),
}

// timingWords turns the timing model's {input} references into the spec's
// field names, e.g. {propagationSeconds} into loadBalancer.propagationSeconds.
var timingWords = func() *strings.Replacer {
	var pairs []string
	for in, p := range timingFields {
		pairs = append(pairs, in.Ref(), strings.TrimPrefix(p.String(), "spec."))
	}
	return strings.NewReplacer(pairs...)
}()

// TimingErrors maps the errors package timing reports against its own
// inputs to the spec: each error's path becomes the spec field the input
// comes from, and each {input} in its message that field's name.
func TimingErrors(errs field.ErrorList) field.ErrorList {
	out := make(field.ErrorList, len(errs))
	for i, e := range errs {
		m := *e
		// The input, or an element of it (sidecars[0].preStopSleepSeconds).
		for in, p := range timingFields {
			if rest, ok := strings.CutPrefix(e.Field, string(in)); ok && (rest == "" || rest[0] == '[' || rest[0] == '.') {
				m.Field = p.String() + rest
			}
		}
		m.Detail = timingWords.Replace(e.Detail)
		out[i] = &m
	}
	return out
}

// timingSidecars are the sidecars as the timing model sees them.
func (s ServiceSpec) timingSidecars() []timing.Sidecar {
	var out []timing.Sidecar
	for _, sc := range s.Sidecars {
		shutdown := DefaultSidecarShutdownSeconds
		if sc.ShutdownSeconds != nil {
			shutdown = *sc.ShutdownSeconds
		}
		out = append(out, timing.Sidecar{Name: sc.Name, ShutdownSeconds: shutdown, OnRequestPath: sc.OnRequestPath, Native: !sc.Classic, PreStopSleepSeconds: sc.PreStopSleepSeconds})
	}
	return out
}

// InitSeconds is the longest the init containers run together (they run
// one after another), for a defaulted spec.
func (s ServiceSpec) InitSeconds() int {
	total := 0
	for _, c := range s.InitContainers {
		if c.MaxSeconds != nil {
			total += *c.MaxSeconds
		}
	}
	return total
}

// TimingInputs extracts the facts the timing model needs from a defaulted
// spec.
func (s ServiceSpec) TimingInputs(p timing.Profile) timing.Inputs {
	idle := p.IdleTimeoutSeconds
	if s.LoadBalancer.IdleTimeoutSeconds != nil {
		idle = *s.LoadBalancer.IdleTimeoutSeconds
	}
	return timing.Inputs{
		LoadBalancer:            p,
		MaxRequestSeconds:       s.App.MaxRequestSeconds,
		ShutdownSeconds:         *s.App.ShutdownSeconds,
		StartupSeconds:          *s.App.StartupSeconds,
		InitSeconds:             s.InitSeconds(),
		Sidecars:                s.timingSidecars(),
		KeepAliveTimeoutSeconds: s.App.KeepAliveTimeoutSeconds,
		PropagationSeconds:      *s.LoadBalancer.PropagationSeconds,
		IdleTimeoutSeconds:      idle,
		HealthCheck: timing.HealthCheck{
			IntervalSeconds:    *s.HealthCheck.IntervalSeconds,
			TimeoutSeconds:     *s.HealthCheck.TimeoutSeconds,
			HealthyThreshold:   *s.HealthCheck.HealthyThreshold,
			UnhealthyThreshold: *s.HealthCheck.UnhealthyThreshold,
		},
		// At least 1: a missing maxReplicas is Validate's to report.
		Replicas:                      max(1, s.MaxReplicas()),
		MaxSurge:                      *s.Rollout.MaxSurge,
		Budget:                        *s.Disruption.MaxUnavailable,
		GateRequired:                  *s.LoadBalancer.RequireReadinessGate,
		DeregistrationDelaySeconds:    s.Timing.DeregistrationDelaySeconds,
		PreStopSleepSeconds:           s.Timing.PreStopSleepSeconds,
		TerminationGracePeriodSeconds: s.Timing.TerminationGracePeriodSeconds,
	}
}
