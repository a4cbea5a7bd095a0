// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Constants of the derivation. Each is documented in docs/timing.md.
const (
	// DeregistrationMarginSeconds is added to L + R to get the deregistration
	// delay (D = L + R + margin): the last request the load balancer starts,
	// at the end of propagation L, ends by L + R, and the margin covers
	// clock skew between the kubelet, the controller and the ELB.
	DeregistrationMarginSeconds = 5
	// GraceBufferSeconds is added to preStop + shutdown to get the grace
	// period (G = P + S + buffer): time for the kubelet to deliver SIGTERM and
	// for the process to exit after its last request.
	GraceBufferSeconds = 5
	// MaxDeregistrationDelaySeconds is the ELB maximum for
	// deregistration_delay.timeout_seconds.
	MaxDeregistrationDelaySeconds = 3600
	// MaxSeconds bounds every timing input: anything above an hour is
	// treated as a typo, not a configuration.
	MaxSeconds = 3600
	// MinPropagationSeconds is the smallest propagation budget accepted: no
	// ELB stops routing to a deregistered target faster than this (rule 5:
	// health checks do not make up the difference).
	MinPropagationSeconds = 5
	// ReadinessPeriodSeconds is the kubelet readiness probe period.
	ReadinessPeriodSeconds = 5
	// StartupPeriodSeconds is the kubelet startup probe period.
	StartupPeriodSeconds = 5
	// LivenessPeriodSeconds is the liveness probe period; it differs from the
	// readiness period so the two probes are never identical.
	LivenessPeriodSeconds = 10
	// MinLivenessFailureThreshold: at least 30 s of failures before a
	// restart; more when readiness tolerates longer (see Derive).
	MinLivenessFailureThreshold = 3
	// PodStartBudgetSeconds budgets scheduling, image pull and container
	// creation for one new pod when sizing rollout deadlines.
	PodStartBudgetSeconds = 60
	// MinProgressDeadlineSeconds is the least progressDeadlineSeconds
	// derived: three minutes without a pod created or available, room for
	// a new node (Karpenter, the cluster autoscaler) and an image pull
	// beyond PodStartBudgetSeconds. Kubernetes' default is 600.
	MinProgressDeadlineSeconds = 180
)

// Inputs are the facts the derivation starts from. Every field is in seconds
// unless its name says otherwise. Callers apply defaults first (see
// spec.WithDefaults); Derive validates ranges again so it is safe on its own.
type Inputs struct {
	LoadBalancer Profile

	MaxRequestSeconds       int  // R
	ShutdownSeconds         int  // S
	StartupSeconds          int  // worst-case start-up, covered by the startup probe
	InitSeconds             int  // worst-case run of the init containers, before start-up
	KeepAliveTimeoutSeconds *int // the app's HTTP keep-alive timeout, if known
	PropagationSeconds      int  // L
	IdleTimeoutSeconds      int  // the LB idle timeout

	HealthCheck HealthCheck

	// Sidecars are the containers beside the app, in the spec's order.
	Sidecars []Sidecar

	Replicas int // desired replicas during a rollout
	MaxSurge int // extra pods a rollout may create at once
	// Budget is the disruption budget's maxUnavailable: how many pods a
	// node drain evicts at once.
	Budget int
	// GateRequired: the API server refuses the service's pods without the
	// load balancer controller's readiness gate (zds's admission policy),
	// so no pod is ever Ready before its target is healthy, even while the
	// controller's webhook is down. Without it minReadySeconds must hold
	// each wave back for the registration time instead.
	GateRequired bool

	// Pins: set to check a value instead of deriving it.
	DeregistrationDelaySeconds    *int // D
	PreStopSleepSeconds           *int // P
	TerminationGracePeriodSeconds *int // G
}

// Sidecar is a container beside the app, as far as the termination chain
// goes. A native sidecar (an init container with restartPolicy Always,
// Kubernetes ≥ 1.29) gets SIGTERM only once every regular container has
// exited, the native sidecars one after another in reverse order; a
// classic one (a second regular container) gets it after its own preStop,
// whatever the app is doing.
type Sidecar struct {
	Name            string
	ShutdownSeconds int // from SIGTERM to exit
	// OnRequestPath: requests reach the app through it (a proxy), so it
	// must serve until the app has drained.
	OnRequestPath bool
	Native        bool
	// PreStopSleepSeconds pins a classic sidecar's preStop sleep.
	PreStopSleepSeconds *int
}

// SidecarResult is what the derivation sets on a sidecar.
type SidecarResult struct {
	Name string `json:"name"`
	// PreStopSleepSeconds of a classic sidecar: P + S on the request path
	// (it serves until the app has drained), else 0 (no hook). Native
	// sidecars need none.
	PreStopSleepSeconds int `json:"preStopSleepSeconds"`
}

// HealthCheck is the load balancer's target health check (I, H, U).
type HealthCheck struct {
	IntervalSeconds    int `json:"intervalSeconds"` // I
	TimeoutSeconds     int `json:"timeoutSeconds"`
	HealthyThreshold   int `json:"healthyThreshold"`   // H
	UnhealthyThreshold int `json:"unhealthyThreshold"` // U
}

// Probe is a kubelet probe's timing; path and port come from the spec.
type Probe struct {
	PeriodSeconds    int32 `json:"periodSeconds"`
	TimeoutSeconds   int32 `json:"timeoutSeconds"`
	FailureThreshold int32 `json:"failureThreshold"`
	SuccessThreshold int32 `json:"successThreshold"`
}

// Result holds every derived value. Field names match the Kubernetes and
// ELB settings they end up in.
type Result struct {
	DeregistrationDelaySeconds    int `json:"deregistrationDelaySeconds"`
	PreStopSleepSeconds           int `json:"preStopSleepSeconds"`
	TerminationGracePeriodSeconds int `json:"terminationGracePeriodSeconds"`

	// Sidecars, in the order of Inputs.Sidecars.
	Sidecars []SidecarResult `json:"sidecars,omitempty"`

	HealthCheck HealthCheck `json:"healthCheck"`
	Readiness   Probe       `json:"readinessProbe"`
	Startup     Probe       `json:"startupProbe"`
	Liveness    Probe       `json:"livenessProbe"`

	MinReadySeconds         int `json:"minReadySeconds"`
	ProgressDeadlineSeconds int `json:"progressDeadlineSeconds"`
	// RegistrationSeconds: pod Ready (to Kubernetes) → target healthy at the LB.
	RegistrationSeconds int `json:"registrationSeconds"`
	// PodStepSeconds: one wave of new pods, from creation to available.
	PodStepSeconds int `json:"podStepSeconds"`
	// RolloutWaves is how many surge waves a rolling update takes:
	// ceil(replicas / maxSurge).
	RolloutWaves int `json:"rolloutWaves"`
	// RolloutSeconds estimates a full rolling update.
	RolloutSeconds int `json:"rolloutSeconds"`
	// AwaitTimeoutSeconds is the Pulumi create/update timeout for the Deployment.
	AwaitTimeoutSeconds int `json:"awaitTimeoutSeconds"`
	// HealthCheckDetectionSeconds = U × I: how long the LB takes to notice a
	// dead target. Reported, never relied on (rule 5).
	HealthCheckDetectionSeconds int `json:"healthCheckDetectionSeconds"`

	Explanation []Step `json:"explanation"`
}

// Step explains one derived value: what it is, where it came from.
type Step struct {
	// Name is the setting, as a field path a user recognises.
	Name  string `json:"name"`
	Value int    `json:"value"`
	// Source is "pinned" (the user set it; checked, not changed), "derived",
	// "default", or "set" (an input the user gave, checked).
	Source  string `json:"source"`
	Rule    string `json:"rule"`
	Formula string `json:"formula"`
}

func (r *Result) explain(name string, value int, source, rule, formula string, args ...any) {
	r.Explanation = append(r.Explanation, Step{
		Name: name, Value: value, Source: source, Rule: rule, Formula: fmt.Sprintf(formula, args...),
	})
}

// Input names one of the facts or pins in Inputs, in errors: it is the
// error's field path, and {name} in its message stands for the input. The
// timing model knows nothing of the spec; package spec maps both to the
// spec field each input comes from (spec.TimingErrors).
type Input string

// The inputs, by the name errors use.
const (
	InMaxRequest  Input = "maxRequestSeconds"       // R
	InShutdown    Input = "shutdownSeconds"         // S
	InStartup     Input = "startupSeconds"          // start-up budget
	InInit        Input = "initSeconds"             // the init containers' run
	InKeepAlive   Input = "keepAliveTimeoutSeconds" // the app's keep-alive
	InPropagation Input = "propagationSeconds"      // L
	InIdleTimeout Input = "idleTimeoutSeconds"      // the LB idle timeout
	InInterval    Input = "healthCheck.intervalSeconds"
	InHCTimeout   Input = "healthCheck.timeoutSeconds"
	InHealthy     Input = "healthCheck.healthyThreshold"
	InUnhealthy   Input = "healthCheck.unhealthyThreshold"
	InDereg       Input = "deregistrationDelaySeconds"    // D, pinned
	InPreStop     Input = "preStopSleepSeconds"           // P, pinned
	InGrace       Input = "terminationGracePeriodSeconds" // G, pinned
	InReplicas    Input = "replicas"
	InSidecars    Input = "sidecars"
	InMaxSurge    Input = "maxSurge"
)

// AllInputs lists every Input, so that a mapping can be checked complete.
var AllInputs = []Input{
	InMaxRequest, InShutdown, InStartup, InInit, InKeepAlive, InPropagation, InIdleTimeout,
	InInterval, InHCTimeout, InHealthy, InUnhealthy, InDereg, InPreStop, InGrace,
	InReplicas, InMaxSurge, InSidecars,
}

// Path is the input's field path in errors.
func (in Input) Path() *field.Path {
	parts := strings.Split(string(in), ".")
	return field.NewPath(parts[0], parts[1:]...)
}

// Ref is how a message names the input: {name}.
func (in Input) Ref() string { return "{" + string(in) + "}" }

var (
	pathMaxRequest  = InMaxRequest.Path()
	pathShutdown    = InShutdown.Path()
	pathStartup     = InStartup.Path()
	pathInit        = InInit.Path()
	pathKeepAlive   = InKeepAlive.Path()
	pathPropagation = InPropagation.Path()
	pathIdleTimeout = InIdleTimeout.Path()
	pathInterval    = InInterval.Path()
	pathHCTimeout   = InHCTimeout.Path()
	pathHealthy     = InHealthy.Path()
	pathUnhealthy   = InUnhealthy.Path()
	pathDereg       = InDereg.Path()
	pathPreStop     = InPreStop.Path()
	pathGrace       = InGrace.Path()
	pathMaxSurge    = InMaxSurge.Path()
	pathReplicas    = InReplicas.Path()
)

func source(pinned *int) string {
	if pinned != nil {
		return "pinned"
	}
	return "derived"
}

// Derive computes every timing from in, or returns every problem found. It
// never changes a pinned value: a pin that breaks a rule is an error naming
// the rule, the numbers and the smallest fix.
func Derive(in Inputs) (Result, field.ErrorList) {
	errs := checkRanges(in)
	if len(errs) > 0 {
		// The rules compare inputs; with an input out of range their
		// messages would only repeat the same mistake.
		return Result{}, errs
	}
	var r Result
	L := in.PropagationSeconds

	// Rule 8: keep-alive above the LB idle timeout.
	if k := in.KeepAliveTimeoutSeconds; k != nil && in.LoadBalancer.ReusesConnections && *k <= in.IdleTimeoutSeconds {
		fix := fmt.Sprintf("raise the app's keep-alive to at least %d", in.IdleTimeoutSeconds+1)
		if *k > 1 {
			fix += fmt.Sprintf(", or lower {idleTimeoutSeconds} to at most %d", *k-1)
		}
		errs = append(errs, field.Invalid(pathKeepAlive, *k, fmt.Sprintf(
			"rule 8 (keep-alive > LB idle timeout): {keepAliveTimeoutSeconds} (%d) must exceed {idleTimeoutSeconds} (%d), or the LB reuses connections the app already closed (random 502s): %s",
			*k, in.IdleTimeoutSeconds, fix)))
	}

	c, chainErrs := deriveChain(in)
	errs = append(errs, chainErrs...)
	if len(errs) > 0 {
		return Result{}, errs
	}
	D, P, G := c.D, c.P, c.G
	r.DeregistrationDelaySeconds, r.PreStopSleepSeconds, r.TerminationGracePeriodSeconds = D, P, G
	r.Sidecars = c.sidecars
	r.Explanation = append(r.Explanation, c.steps...)
	r.explainKeepAlive(in)
	hc := in.HealthCheck
	r.HealthCheck = hc
	r.HealthCheckDetectionSeconds = hc.UnhealthyThreshold * hc.IntervalSeconds

	r.explain("healthCheck.detectionSeconds", r.HealthCheckDetectionSeconds, "derived", "5: not relied on", "U × I = %d × %d; the preStop sleep (%d) covers propagation (%d) by itself", hc.UnhealthyThreshold, hc.IntervalSeconds, P, L)

	r.deriveProbes(in)
	r.deriveRollout(in)
	return r, nil
}

// explainKeepAlive states rule 8 for the explanation: checked, not
// checked (the app's keep-alive is unknown), or not applicable.
func (r *Result) explainKeepAlive(in Inputs) {
	idle, source := in.IdleTimeoutSeconds, "set"
	if idle == in.LoadBalancer.IdleTimeoutSeconds {
		source = "default"
	}
	const name, rule = "loadBalancer.idleTimeoutSeconds", "8: keep-alive > LB idle timeout"
	switch k := in.KeepAliveTimeoutSeconds; {
	case !in.LoadBalancer.ReusesConnections:
		r.explain(name, idle, source, "8: not applicable", "the %s load balancer reuses no connections to targets, so the app's keep-alive cannot cause 502s", in.LoadBalancer.Kind)
	case k == nil:
		r.explain(name, idle, source, rule, "not checked: set app.keepAliveTimeoutSeconds to the app's idle-connection timeout, which must exceed %d", idle)
	default:
		r.explain(name, idle, source, rule, "app keep-alive %d > idle timeout %d: the LB never reuses a connection the app closed", *k, idle)
	}
}

// deriveProbes sets the kubelet probes.
func (r *Result) deriveProbes(in Inputs) {
	hc := in.HealthCheck
	// Probes. Readiness mirrors the LB health check (rule 7: same path and
	// port; the spec wires those), with the LB's timeout and unhealthy count.
	r.Readiness = Probe{
		PeriodSeconds:    ReadinessPeriodSeconds,
		TimeoutSeconds:   int32(min(hc.TimeoutSeconds, ReadinessPeriodSeconds)),
		FailureThreshold: int32(hc.UnhealthyThreshold),
		SuccessThreshold: 1,
	}
	r.explain("readinessProbe.periodSeconds", ReadinessPeriodSeconds, "default", "7: same path and port as the LB health check", "period %d s, failureThreshold U = %d", ReadinessPeriodSeconds, hc.UnhealthyThreshold)
	startupFailures := ceilDiv(in.StartupSeconds, StartupPeriodSeconds) + 1
	r.Startup = Probe{
		PeriodSeconds:    StartupPeriodSeconds,
		TimeoutSeconds:   r.Readiness.TimeoutSeconds,
		FailureThreshold: int32(startupFailures),
		SuccessThreshold: 1,
	}
	r.explain("startupProbe.failureThreshold", startupFailures, "derived", "start-up budget ≥ app.startupSeconds", "ceil(%d / %d) + 1 = %d → budget %d s", in.StartupSeconds, StartupPeriodSeconds, startupFailures, startupFailures*StartupPeriodSeconds)
	// Liveness gives up only after twice the readiness window: a slow pod
	// leaves rotation long before it is restarted. 10 × (U + 1) > 2 × 5 × U.
	r.Liveness = Probe{
		PeriodSeconds:    LivenessPeriodSeconds,
		TimeoutSeconds:   r.Readiness.TimeoutSeconds,
		FailureThreshold: int32(max(MinLivenessFailureThreshold, hc.UnhealthyThreshold+1)),
		SuccessThreshold: 1,
	}
}

// deriveRollout sizes the way in (rule 6) and the rollout's deadlines, from
// the rollout model.
func (r *Result) deriveRollout(in Inputs) {
	hc := in.HealthCheck
	// The way in (rule 6): registration at the LB paces the rollout.
	r.RegistrationSeconds = in.LoadBalancer.RegistrationLatencySeconds + hc.HealthyThreshold*hc.IntervalSeconds
	r.explain("registrationSeconds", r.RegistrationSeconds, "derived", "6: readiness gate waits for a healthy target", "controller latency %d + H × I = %d + %d × %d", in.LoadBalancer.RegistrationLatencySeconds, in.LoadBalancer.RegistrationLatencySeconds, hc.HealthyThreshold, hc.IntervalSeconds)
	// The readiness gate holds each new pod until its target is healthy.
	// The controller's webhook fails open (since v2.11), so a pod created
	// while it is down has no gate: either the API server refuses such a
	// pod (GateRequired, zds's admission policy) or minReadySeconds holds
	// every wave back for the registration time, gate or not.
	if in.GateRequired {
		r.MinReadySeconds = 0
		r.explain("minReadySeconds", 0, "derived", "6: rollout never outruns LB registration", "0: the readiness gate waits for registration, and the API server refuses pods without it (loadBalancer.requireReadinessGate)")
	} else {
		r.MinReadySeconds = r.RegistrationSeconds
		r.explain("minReadySeconds", r.MinReadySeconds, "derived", "6: rollout never outruns LB registration", "= registrationSeconds %d: pods created while the controller's webhook is down get no gate (loadBalancer.requireReadinessGate is off)", r.RegistrationSeconds)
	}

	if in.InitSeconds > 0 {
		r.explain("initContainers.maxSeconds", in.InitSeconds, "set", "rollout deadlines", "every new pod runs its init containers (Σ maxSeconds = %d) before the app starts: each wave takes that much longer", in.InitSeconds)
	}
	// The deadlines come from the rollout model (pace.go) at its worst
	// case: every pod at its start-up budget, c at L. One wave is pod
	// start + the startup probe's whole budget + registration +
	// minReadySeconds.
	p := Predict(PaceOf(in, *r))
	r.PodStepSeconds = p.Wave
	r.RolloutWaves = p.Waves
	r.RolloutSeconds = p.RollingUpdate
	r.explain("rolloutSeconds", r.RolloutSeconds, "derived", "estimate (the model)", "ceil(replicas %d / maxSurge %d) = %d waves × %d s + L %d + D %d", in.Replicas, in.MaxSurge, p.Waves, p.Wave, in.PropagationSeconds, r.DeregistrationDelaySeconds)
	// Kubernetes marks a rollout failed when it makes no progress (a pod
	// created or available) for this long: twice the longest healthy wave
	// fails a stuck one soon, at any size.
	r.ProgressDeadlineSeconds = max(MinProgressDeadlineSeconds, 2*p.Wave)
	r.explain("progressDeadlineSeconds", r.ProgressDeadlineSeconds, "derived", "a healthy wave always makes progress in time; a stuck one fails soon", "max(%d, 2 × %d s per wave)", MinProgressDeadlineSeconds, p.Wave)
	// Pulumi waits for the whole rollout; a stuck one ends sooner, when
	// Kubernetes reports the deadline exceeded.
	r.AwaitTimeoutSeconds = max(r.ProgressDeadlineSeconds, ceilDiv(3*r.RolloutSeconds, 2))
	r.explain("awaitTimeoutSeconds", r.AwaitTimeoutSeconds, "derived", "Pulumi waits for the whole rollout", "max(progressDeadlineSeconds %d, 1.5 × rolloutSeconds %d)", r.ProgressDeadlineSeconds, r.RolloutSeconds)
}

func ceilDiv(a, b int) int {
	if b <= 0 {
		return a
	}
	return (a + b - 1) / b
}

func between(errs field.ErrorList, p *field.Path, v, lo, hi int, what string) field.ErrorList {
	if v < lo || v > hi {
		errs = append(errs, field.Invalid(p, v, fmt.Sprintf("must be between %d and %d%s", lo, hi, what)))
	}
	return errs
}

func pinBetween(errs field.ErrorList, p *field.Path, v *int, lo, hi int) field.ErrorList {
	if v == nil {
		return errs
	}
	return between(errs, p, *v, lo, hi, "")
}

// checkRanges rejects negative and absurd values: each on its own field.
func checkRanges(in Inputs) field.ErrorList {
	var errs field.ErrorList
	errs = between(errs, pathMaxRequest, in.MaxRequestSeconds, 1, MaxSeconds, " seconds (the app's longest request; set it to the server's request timeout)")
	errs = between(errs, pathShutdown, in.ShutdownSeconds, 0, MaxSeconds, " seconds")
	errs = between(errs, pathStartup, in.StartupSeconds, 0, MaxSeconds, " seconds")
	errs = between(errs, pathInit, in.InitSeconds, 0, 10*MaxSeconds, " seconds (every init container's maxSeconds together)")
	if in.KeepAliveTimeoutSeconds != nil {
		errs = between(errs, pathKeepAlive, *in.KeepAliveTimeoutSeconds, 1, 4000+MaxSeconds, " seconds")
	}
	errs = between(errs, pathPropagation, in.PropagationSeconds, MinPropagationSeconds, MaxSeconds,
		fmt.Sprintf(" seconds (rule 5: no ELB stops sending new requests faster than %d s, and failing health checks are not relied on)", MinPropagationSeconds))
	errs = between(errs, pathIdleTimeout, in.IdleTimeoutSeconds, 1, 4000, " seconds (the ELB range)")
	hc := in.HealthCheck
	errs = between(errs, pathInterval, hc.IntervalSeconds, 5, 300, " seconds (the ELB range)")
	errs = between(errs, pathHCTimeout, hc.TimeoutSeconds, 2, 120, " seconds (the ELB range)")
	if hc.TimeoutSeconds >= hc.IntervalSeconds {
		errs = append(errs, field.Invalid(pathHCTimeout, hc.TimeoutSeconds, fmt.Sprintf(
			"must be below {healthCheck.intervalSeconds} (%d), as the ELB requires: lower it to at most %d", hc.IntervalSeconds, hc.IntervalSeconds-1)))
	}
	errs = between(errs, pathHealthy, hc.HealthyThreshold, 2, 10, " (the ELB range)")
	errs = between(errs, pathUnhealthy, hc.UnhealthyThreshold, 2, 10, " (the ELB range)")
	errs = pinBetween(errs, pathDereg, in.DeregistrationDelaySeconds, 0, 1<<30)
	errs = pinBetween(errs, pathPreStop, in.PreStopSleepSeconds, 1, MaxSeconds)
	errs = pinBetween(errs, pathGrace, in.TerminationGracePeriodSeconds, 1, 3*MaxSeconds)
	if in.Replicas < 1 {
		errs = append(errs, field.Invalid(pathReplicas, in.Replicas, "must be at least 1"))
	}
	if in.MaxSurge < 1 {
		errs = append(errs, field.Invalid(pathMaxSurge, in.MaxSurge, "rule 6: must be at least 1: with maxUnavailable 0 a rollout can only make progress by surging"))
	}
	return errs
}
