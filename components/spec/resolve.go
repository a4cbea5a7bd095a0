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

// Resolved is a spec with every default applied, validated, and its timings
// derived: everything needed to build the objects.
type Resolved struct {
	Spec         ServiceSpec
	TimingInputs timing.Inputs
	Timing       timing.Result
	Inputs       Inputs
}

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

// Resolve applies defaults, validates, and derives the timings: the whole
// pure core in one call. It returns an *InvalidError listing every problem,
// so a user can fix a spec in one pass; nothing is built when it fails.
func Resolve(name string, s ServiceSpec, in Inputs) (*Resolved, error) {
	d := s.WithDefaults(name, s.LoadBalancer.CertificateArn != "" || in.CertificateArn)
	errs := d.Validate(in)
	if profile, ok := timing.Profiles[d.LoadBalancer.Kind]; ok {
		ti := d.TimingInputs(profile)
		r, terrs := timing.Derive(ti)
		errs = append(errs, terrs...)
		if len(errs) == 0 {
			return &Resolved{Spec: d, TimingInputs: ti, Timing: r, Inputs: in}, nil
		}
	}
	return nil, &InvalidError{Errors: dedupe(errs)}
}

// dedupe drops repeats: the timing package re-checks some ranges (replicas)
// that Validate already reported.
func dedupe(errs field.ErrorList) field.ErrorList {
	seen := map[string]bool{}
	var out field.ErrorList
	for _, e := range errs {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	return out
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
		DeregistrationDelaySeconds:    s.Timing.DeregistrationDelaySeconds,
		PreStopSleepSeconds:           s.Timing.PreStopSleepSeconds,
		TerminationGracePeriodSeconds: s.Timing.TerminationGracePeriodSeconds,
	}
}
