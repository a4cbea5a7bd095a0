// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package service_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"strings"

	"github.com/zerodowntime/zds/components/podsecurity"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
	"github.com/zerodowntime/zds/internal/spectest"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TestALBProfile pins the ALB numbers the docs and spec comments quote.
func TestALBProfile(t *testing.T) {
	want := timing.HealthCheck{IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 2}
	p := service.ALB.Profile()
	if p.Kind != "alb" || p.PropagationSeconds != 25 || p.IdleTimeoutSeconds != 60 || p.HealthCheck != want {
		t.Errorf("ALB profile %+v, want kind alb, propagation 25, idle 60, health check %+v", p, want)
	}
	if m, ok := service.Lookup("alb"); !ok || !reflect.DeepEqual(m.Profile(), p) {
		t.Errorf(`Lookup("alb") = %v, %v; want the ALB mode`, m, ok)
	}
}

// TestModesAreConsistent checks the registry: every kind once, each
// mode's profile named after its kind.
func TestModesAreConsistent(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range service.Modes {
		if seen[m.Kind()] {
			t.Errorf("kind %q registered twice", m.Kind())
		}
		seen[m.Kind()] = true
		if m.Profile().Kind != m.Kind() {
			t.Errorf("mode %q has the profile of %q", m.Kind(), m.Profile().Kind)
		}
	}
	if want := []string{"alb", "nlb", "targetGroupBinding"}; !reflect.DeepEqual(service.Kinds(), want) {
		t.Errorf("Kinds() = %q, want %q", service.Kinds(), want)
	}
}

// TestEveryProblemIsReportedOnce corrupts random specs (integers far out of
// range, zero or negative) and checks that Resolve lists each problem once:
// validation and the timing model each check only what they own, so no
// error is deduplicated after the fact.
func TestEveryProblemIsReportedOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 1))
	corrupt := []func(s *spec.ServiceSpec, v int){
		func(s *spec.ServiceSpec, v int) { s.Replicas = &v; s.Autoscaling = spec.Autoscaling{} },
		func(s *spec.ServiceSpec, v int) { s.Rollout.MaxSurge = &v },
		func(s *spec.ServiceSpec, v int) { s.Disruption.MaxUnavailable = &v },
		func(s *spec.ServiceSpec, v int) { s.App.MaxRequestSeconds = v },
		func(s *spec.ServiceSpec, v int) { s.App.ShutdownSeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.App.StartupSeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.App.KeepAliveTimeoutSeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.LoadBalancer.PropagationSeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.HealthCheck.IntervalSeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.HealthCheck.TimeoutSeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.HealthCheck.HealthyThreshold = &v },
		func(s *spec.ServiceSpec, v int) { s.HealthCheck.UnhealthyThreshold = &v },
		func(s *spec.ServiceSpec, v int) { s.HealthCheck.Port = &v },
		func(s *spec.ServiceSpec, v int) { s.Port = v },
		func(s *spec.ServiceSpec, v int) { s.Timing.DeregistrationDelaySeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.Timing.PreStopSleepSeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.Timing.TerminationGracePeriodSeconds = &v },
		func(s *spec.ServiceSpec, v int) { s.Autoscaling.MinReplicas = &v },
		func(s *spec.ServiceSpec, v int) { s.Autoscaling.MaxReplicas = v },
	}
	values := []int{-1, 0, 1, 1 << 31, 1 << 40}
	failed := 0
	for range 3000 {
		s := spectest.Random(rng)
		for range 1 + rng.IntN(4) {
			corrupt[rng.IntN(len(corrupt))](&s, values[rng.IntN(len(values))])
		}
		_, err := service.Resolve("web", s, spec.Inputs{})
		var inv *spec.InvalidError
		if !errors.As(err, &inv) {
			continue
		}
		failed++
		seen := map[string]bool{}
		for _, e := range inv.Errors {
			if strings.ContainsAny(e.Error(), "{}") {
				t.Fatalf("a timing error kept its own input names: %s", e)
			}
			if seen[e.Error()] {
				t.Fatalf("reported twice: %s\nall: %v", e, inv.Errors)
			}
			seen[e.Error()] = true
		}
	}
	if failed < 1000 {
		t.Fatalf("only %d of 3000 corrupted specs were invalid: the corruption does not reach validation", failed)
	}
}

// modeBase is a valid spec of the given load-balancer kind: R = 15 s,
// S = 15 s (the default), a VPC for targetGroupBinding.
func modeBase(kind string) spec.ServiceSpec {
	s := spec.ServiceSpec{
		Image:        "ghcr.io/acme/web:1.4.2",
		App:          spec.App{MaxRequestSeconds: 15},
		LoadBalancer: spec.LoadBalancer{Kind: kind},
	}
	if kind == service.KindTargetGroupBinding {
		s.LoadBalancer.VpcId = "vpc-0123456789abcdef0"
	}
	return s
}

// modeErrs resolves s and returns its errors (nil when it resolves). A
// failed Resolve must return an *InvalidError and no result.
func modeErrs(t *testing.T, s spec.ServiceSpec, in spec.Inputs) field.ErrorList {
	t.Helper()
	r, err := service.Resolve("web", s, in)
	if err == nil {
		if r == nil {
			t.Fatal("Resolve returned neither a result nor an error")
		}
		return nil
	}
	if r != nil {
		t.Errorf("Resolve returned a result with its error")
	}
	var invalid *spec.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("Resolve error %v (%T), want *spec.InvalidError", err, err)
	}
	if len(invalid.Errors) == 0 {
		t.Fatalf("InvalidError without errors")
	}
	return invalid.Errors
}

// modeMatch asserts that errs are exactly want: each wanted (path,
// fragment) matched by one error, no error left over.
func modeMatch(t *testing.T, errs field.ErrorList, want [][2]string) {
	t.Helper()
	used := make([]bool, len(errs))
	for _, w := range want {
		found := false
		for i, e := range errs {
			if !used[i] && e.Field == w[0] && strings.Contains(e.Error(), w[1]) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing error on %s containing %q; got %v", w[0], w[1], errs)
		}
	}
	for i, e := range errs {
		if !used[i] {
			t.Errorf("unexpected error: %v", e)
		}
	}
}

func autoscaled(min, max int) spec.Autoscaling {
	return spec.Autoscaling{Enabled: true, MinReplicas: intPtr(min), MaxReplicas: max, CPUUtilizationPercent: intPtr(70)}
}

// Mode-specific bad input: every row names its field and says why.
func TestModeSpecificInputIsRejected(t *testing.T) {
	const (
		alb = service.KindALB
		nlb = service.KindNLB
		tgb = service.KindTargetGroupBinding
	)
	listener := "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"
	cert := "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
	tests := []struct {
		name   string
		kind   string
		change func(*spec.ServiceSpec)
		inputs spec.Inputs
		want   [][2]string // field path, message fragment
	}{
		// nlb
		{"nlb with a host", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.Host = "web.example.com" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.host", "not used with loadBalancer.kind nlb (an NLB routes by port, not by host or path)"}}},
		{"nlb with paths", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.Paths = []string{"/api"} }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.paths", "not used with loadBalancer.kind nlb"}}},
		{"nlb with a group", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.GroupName = "shop" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.groupName", "ALB groups only"}}},
		{"nlb with a group owner", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.GroupAttributesOwner = true }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.groupAttributesOwner", "not used with loadBalancer.kind nlb"}}},
		{"nlb with sslRedirect false", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.SSLRedirect = boolPtr(false) }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.sslRedirect", "an NLB does not speak HTTP"}}},
		{"nlb with sslRedirect and a certificate", nlb, func(s *spec.ServiceSpec) {
			s.LoadBalancer.SSLRedirect = boolPtr(true)
			s.LoadBalancer.CertificateArn = cert
		}, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.sslRedirect", "serve HTTPS on 443 with certificateArn"}}},
		{"nlb with an idle timeout", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.IdleTimeoutSeconds = intPtr(120) }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.idleTimeoutSeconds", "rule 8 does not apply"}}},
		{"nlb with a listener", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.ListenerArn = listener }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.listenerArn", "not used with loadBalancer.kind nlb"}}},
		{"nlb with a listener as a Pulumi input", nlb, nil, spec.Inputs{ListenerArn: true},
			[][2]string{{"spec.loadBalancer.listenerArn", "not used with loadBalancer.kind nlb"}}},
		{"nlb with a VPC", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.VpcId = "vpc-1" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.vpcId", "the controller creates the target group"}}},
		{"nlb with an ingress class", nlb, func(s *spec.ServiceSpec) { s.LoadBalancer.IngressClassName = "alb" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.ingressClassName", "there is no Ingress"}}},

		// targetGroupBinding
		{"targetGroupBinding without a VPC", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.VpcId = "" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.vpcId", "Required value: the target group needs the VPC"}}},
		{"targetGroupBinding with the VPC as a Pulumi input", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.VpcId = "" }, spec.Inputs{VpcId: true},
			nil},
		{"targetGroupBinding with a VPC that is not a VPC ID", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.VpcId = "subnet-1" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.vpcId", "must be a VPC ID"}}},
		{"targetGroupBinding with a listener but no priority", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.ListenerArn = listener }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.listenerRulePriority", "Required value: a listener rule needs a priority"}}},
		{"targetGroupBinding with a listener input but no priority", tgb, nil, spec.Inputs{ListenerArn: true},
			[][2]string{{"spec.loadBalancer.listenerRulePriority", "Required value"}}},
		{"targetGroupBinding with a priority out of range", tgb, func(s *spec.ServiceSpec) {
			s.LoadBalancer.ListenerArn = listener
			s.LoadBalancer.ListenerRulePriority = intPtr(50001)
		}, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.listenerRulePriority", "between 1 and 50000"}}},
		{"targetGroupBinding with a host but no listener", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.Host = "web.example.com" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.host", "host is a listener-rule condition: set listenerArn"}}},
		{"targetGroupBinding with a priority but no listener", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.ListenerRulePriority = intPtr(10) }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.listenerRulePriority", "there is no rule to order"}}},
		{"targetGroupBinding with a certificate", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.CertificateArn = cert }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.certificateArn", "not used with loadBalancer.kind targetGroupBinding"}}},
		{"targetGroupBinding with a certificate as a Pulumi input", tgb, nil, spec.Inputs{CertificateArn: true},
			[][2]string{{"spec.loadBalancer.certificateArn", "not used with loadBalancer.kind targetGroupBinding"}}},
		{"targetGroupBinding with a scheme", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.Scheme = "internet-facing" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.scheme", "managed outside this service"}}},
		{"targetGroupBinding with a group", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.GroupName = "shop" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.groupName", "ALB groups belong to Ingresses"}}},
		{"targetGroupBinding with skipAwait", tgb, func(s *spec.ServiceSpec) { s.LoadBalancer.SkipAwait = true }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.skipAwait", "no Ingress to await"}}},

		// alb
		{"alb with a VPC", alb, func(s *spec.ServiceSpec) { s.LoadBalancer.VpcId = "vpc-1" }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.vpcId", "not used with loadBalancer.kind alb"}}},
		{"alb with a VPC as a Pulumi input", alb, nil, spec.Inputs{VpcId: true},
			[][2]string{{"spec.loadBalancer.vpcId", "not used with loadBalancer.kind alb"}}},
		{"alb with a listener", alb, func(s *spec.ServiceSpec) { s.LoadBalancer.ListenerArn = listener }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.listenerArn", "use kind targetGroupBinding"}}},
		{"alb with a listener rule priority", alb, func(s *spec.ServiceSpec) { s.LoadBalancer.ListenerRulePriority = intPtr(1) }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.listenerRulePriority", "use groupOrder"}}},
		{"groupAttributesOwner without a group", alb, func(s *spec.ServiceSpec) { s.LoadBalancer.GroupAttributesOwner = true }, spec.Inputs{},
			[][2]string{{"spec.loadBalancer.groupAttributesOwner", "set loadBalancer.groupName"}}},

		// autoscaling
		{"autoscaling minReplicas 1", alb, func(s *spec.ServiceSpec) { s.Autoscaling = autoscaled(1, 5) }, spec.Inputs{},
			[][2]string{{"spec.autoscaling.minReplicas", "set autoscaling.minReplicas to at least 2"}}},
		{"autoscaling maxReplicas below minReplicas", alb, func(s *spec.ServiceSpec) { s.Autoscaling = autoscaled(3, 2) }, spec.Inputs{},
			[][2]string{{"spec.autoscaling.maxReplicas", "must be at least autoscaling.minReplicas (3)"}}},
		{"autoscaling without a target", alb, func(s *spec.ServiceSpec) {
			s.Autoscaling = autoscaled(2, 5)
			s.Autoscaling.CPUUtilizationPercent = nil
		}, spec.Inputs{},
			[][2]string{{"spec.autoscaling.cpuUtilizationPercent", "needs a target"}}},
		{"autoscaling with replicas", alb, func(s *spec.ServiceSpec) {
			s.Autoscaling = autoscaled(2, 5)
			s.Replicas = intPtr(3)
		}, spec.Inputs{},
			[][2]string{{"spec.replicas", "the autoscaler owns the replica count"}}},
		{"autoscaling settings with autoscaling off", alb, func(s *spec.ServiceSpec) {
			s.Autoscaling = autoscaled(2, 5)
			s.Autoscaling.Enabled = false
		}, spec.Inputs{},
			[][2]string{{"spec.autoscaling.enabled", "autoscaling is off"}}},
		{"autoscaling maxReplicas alone with autoscaling off", alb, func(s *spec.ServiceSpec) {
			s.Autoscaling = spec.Autoscaling{MaxReplicas: 5}
		}, spec.Inputs{},
			[][2]string{{"spec.autoscaling.enabled", "set autoscaling.enabled: true"}}},
		{"disruption.maxUnavailable equal to autoscaling minReplicas", alb, func(s *spec.ServiceSpec) {
			s.Autoscaling = autoscaled(2, 5)
			s.Disruption.MaxUnavailable = intPtr(2)
		}, spec.Inputs{},
			[][2]string{{"spec.disruption.maxUnavailable", "must be below autoscaling.minReplicas (2)"}}},
		{"disruption.maxUnavailable above autoscaling minReplicas", alb, func(s *spec.ServiceSpec) {
			s.Autoscaling = autoscaled(3, 5)
			s.Disruption.MaxUnavailable = intPtr(4)
		}, spec.Inputs{},
			[][2]string{{"spec.disruption.maxUnavailable", "lower it to at most 2"}}},
		{"autoscaling memory target above 1000 %", alb, func(s *spec.ServiceSpec) {
			s.Autoscaling = autoscaled(2, 5)
			s.Autoscaling.MemoryUtilizationPercent = intPtr(1001)
		}, spec.Inputs{},
			[][2]string{{"spec.autoscaling.memoryUtilizationPercent", "between 1 and 1000"}}},
		{"autoscaling stabilization above an hour", alb, func(s *spec.ServiceSpec) {
			s.Autoscaling = autoscaled(2, 5)
			s.Autoscaling.ScaleDownStabilizationSeconds = intPtr(3601)
		}, spec.Inputs{},
			[][2]string{{"spec.autoscaling.scaleDownStabilizationSeconds", "between 0 and 3600"}}},

		// spread
		{"spread.zones unknown", alb, func(s *spec.ServiceSpec) { s.Spread.Zones = "Always" }, spec.Inputs{},
			[][2]string{{"spec.spread.zones", `Unsupported value: "Always"`}}},
		{"spread.nodes unknown", nlb, func(s *spec.ServiceSpec) { s.Spread.Nodes = "off" }, spec.Inputs{},
			[][2]string{{"spec.spread.nodes", `supported values: "DoNotSchedule", "ScheduleAnyway", "Off"`}}},

		// timing, in every mode
		{"alb deregistration delay 3601", alb, func(s *spec.ServiceSpec) { s.Timing.DeregistrationDelaySeconds = intPtr(3601) }, spec.Inputs{},
			[][2]string{{"spec.timing.deregistrationDelaySeconds", "above the ELB maximum of 3600: lower it to at most 3600"}}},
		{"nlb deregistration delay 3601", nlb, func(s *spec.ServiceSpec) { s.Timing.DeregistrationDelaySeconds = intPtr(3601) }, spec.Inputs{},
			[][2]string{{"spec.timing.deregistrationDelaySeconds", "above the ELB maximum of 3600"}}},
		{"targetGroupBinding deregistration delay 3601", tgb, func(s *spec.ServiceSpec) { s.Timing.DeregistrationDelaySeconds = intPtr(3601) }, spec.Inputs{},
			[][2]string{{"spec.timing.deregistrationDelaySeconds", "above the ELB maximum of 3600"}}},
		{"nlb preStop below the NLB propagation default", nlb, func(s *spec.ServiceSpec) { s.Timing.PreStopSleepSeconds = intPtr(60) }, spec.Inputs{},
			[][2]string{{"spec.timing.preStopSleepSeconds", "must be at least loadBalancer.propagationSeconds (120)"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := modeBase(tc.kind)
			if tc.change != nil {
				tc.change(&s)
			}
			modeMatch(t, modeErrs(t, s, tc.inputs), tc.want)
		})
	}
}

// A valid NLB spec gets the NLB profile: L = 120, health-check timeout 6,
// and the chain derived from it.
func TestNLBSpecResolvesWithTheNLBProfile(t *testing.T) {
	s := modeBase(service.KindNLB)
	s.LoadBalancer.Scheme = "internet-facing"
	s.LoadBalancer.CertificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	tm := r.Timing
	if r.TimingInputs().LoadBalancer.Kind != "nlb" || r.TimingInputs().PropagationSeconds != 120 {
		t.Errorf("profile %q, L = %d; want nlb, 120", r.TimingInputs().LoadBalancer.Kind, r.TimingInputs().PropagationSeconds)
	}
	if tm.PreStopSleepSeconds < 120 || tm.DeregistrationDelaySeconds < 120+15 {
		t.Errorf("P = %d, D = %d; want P ≥ 120 (NLB propagation), D ≥ L + R = 135", tm.PreStopSleepSeconds, tm.DeregistrationDelaySeconds)
	}
	// R = S = 15, L = 120: D = 120 + 15 + 5, P = max(120, 140 − 15 + 1), G = 126 + 15 + 5.
	if got := [3]int{tm.DeregistrationDelaySeconds, tm.PreStopSleepSeconds, tm.TerminationGracePeriodSeconds}; got != [3]int{140, 126, 146} {
		t.Errorf("D, P, G = %v, want [140 126 146]", got)
	}
	// NLB registration: 120 s before health checks count, then H × I = 2 × 10.
	// The gate waits for it; the API server refuses pods without one.
	if tm.RegistrationSeconds != 140 || tm.MinReadySeconds != 0 {
		t.Errorf("registration %d, minReady %d; want 140 (NLB registration is minutes, not seconds) and 0 (behind a required gate)", tm.RegistrationSeconds, tm.MinReadySeconds)
	}
	if hc := tm.HealthCheck; hc.IntervalSeconds != 10 || hc.TimeoutSeconds != 6 || hc.HealthyThreshold != 2 || hc.UnhealthyThreshold != 2 {
		t.Errorf("health check %+v, want the NLB defaults 10/6/2/2", hc)
	}
	lb := r.Spec.LoadBalancer
	if len(lb.Paths) != 0 || lb.IngressClassName != "" || lb.SSLRedirect != nil || lb.Scheme != "internet-facing" {
		t.Errorf("nlb defaults: paths %v, class %q, sslRedirect %v, scheme %q; want none of the ALB settings", lb.Paths, lb.IngressClassName, lb.SSLRedirect, lb.Scheme)
	}

	// A pinned propagation is used instead of the profile's.
	s.LoadBalancer.PropagationSeconds = intPtr(180)
	r, err = service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatalf("Resolve with propagation 180: %v", err)
	}
	// L = 180: D = 180 + 15 + 5 = 200, P = max(180, 200 − 15 + 1) = 186.
	if r.Timing.DeregistrationDelaySeconds != 200 || r.Timing.PreStopSleepSeconds != 186 {
		t.Errorf("D = %d, P = %d; want 200 and 186 from the pinned propagation 180", r.Timing.DeregistrationDelaySeconds, r.Timing.PreStopSleepSeconds)
	}
}

func TestTargetGroupBindingSpecWithListenerResolves(t *testing.T) {
	s := modeBase(service.KindTargetGroupBinding)
	s.LoadBalancer.ListenerArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/1/2"
	s.LoadBalancer.ListenerRulePriority = intPtr(10)
	s.LoadBalancer.Host = "web.example.com"
	s.LoadBalancer.Paths = []string{"/", "/api"}
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if r.TimingInputs().LoadBalancer.Kind != "targetGroupBinding" || r.TimingInputs().PropagationSeconds != 25 {
		t.Errorf("profile %q, L = %d; want targetGroupBinding with the ALB's 25", r.TimingInputs().LoadBalancer.Kind, r.TimingInputs().PropagationSeconds)
	}
	// R = S = 15, L = 25: D = 25 + 15 + 5 = 45, P = max(25, 31) = 31, G = 51.
	if got := [3]int{r.Timing.DeregistrationDelaySeconds, r.Timing.PreStopSleepSeconds, r.Timing.TerminationGracePeriodSeconds}; got != [3]int{45, 31, 51} {
		t.Errorf("D, P, G = %v, want [45 31 51]", got)
	}
	if lb := r.Spec.LoadBalancer; lb.Scheme != "" || lb.IngressClassName != "" {
		t.Errorf("targetGroupBinding got ALB Ingress defaults: scheme %q, class %q", lb.Scheme, lb.IngressClassName)
	}

	// The listener and the VPC may both come as Pulumi inputs.
	s.LoadBalancer.ListenerArn, s.LoadBalancer.VpcId = "", ""
	if _, err := service.Resolve("web", s, spec.Inputs{ListenerArn: true, VpcId: true}); err != nil {
		t.Errorf("Resolve with listener and VPC inputs: %v", err)
	}
}

func TestAutoscalingSpecResolves(t *testing.T) {
	s := modeBase(service.KindALB)
	s.Autoscaling = spec.Autoscaling{Enabled: true, MinReplicas: intPtr(3), MaxReplicas: 10, MemoryUtilizationPercent: intPtr(80)}
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if r.TimingInputs().Replicas != 10 {
		t.Errorf("timing replicas %d, want maxReplicas 10: rollout deadlines are sized for the most pods", r.TimingInputs().Replicas)
	}
	// maxSurge defaults to a quarter of maxReplicas, rounded up.
	if r.TimingInputs().MaxSurge != 3 || val(r.Spec.Rollout.MaxSurge) != 3 {
		t.Errorf("maxSurge %d (spec %v), want ceil(10 / 4) = 3", r.TimingInputs().MaxSurge, val(r.Spec.Rollout.MaxSurge))
	}
	if r.Spec.Replicas != nil {
		t.Errorf("replicas defaulted to %d although the autoscaler owns them", *r.Spec.Replicas)
	}
	if val(r.Spec.Autoscaling.ScaleDownStabilizationSeconds) != 300 {
		t.Errorf("stabilization %v, want the default 300", val(r.Spec.Autoscaling.ScaleDownStabilizationSeconds))
	}

	// minReplicas defaults to 2.
	s.Autoscaling.MinReplicas = nil
	r, err = service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatalf("Resolve without minReplicas: %v", err)
	}
	if val(r.Spec.Autoscaling.MinReplicas) != 2 {
		t.Errorf("minReplicas %v, want the default 2", val(r.Spec.Autoscaling.MinReplicas))
	}
}

// Rule 8 is about layer-7 load balancers reusing idle connections: an NLB
// reuses none, so a short keep-alive is fine there and an error elsewhere.
func TestKeepAliveRuleDependsOnTheKind(t *testing.T) {
	for _, tc := range []struct {
		kind    string
		wantErr bool
	}{
		{service.KindNLB, false},
		{service.KindALB, true},
		{service.KindTargetGroupBinding, true},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			s := modeBase(tc.kind)
			s.App.KeepAliveTimeoutSeconds = intPtr(30) // below the ALB default idle timeout of 60
			errs := modeErrs(t, s, spec.Inputs{})
			if !tc.wantErr {
				modeMatch(t, errs, nil)
				return
			}
			modeMatch(t, errs, [][2]string{{"spec.app.keepAliveTimeoutSeconds", "rule 8 (keep-alive > LB idle timeout): app.keepAliveTimeoutSeconds (30) must exceed loadBalancer.idleTimeoutSeconds (60)"}})
		})
	}

	// With targetGroupBinding, idleTimeoutSeconds declares the idle
	// timeout of the ALB managed elsewhere, and rule 8 uses it.
	s := modeBase(service.KindTargetGroupBinding)
	s.App.KeepAliveTimeoutSeconds = intPtr(30)
	s.LoadBalancer.IdleTimeoutSeconds = intPtr(20)
	modeMatch(t, modeErrs(t, s, spec.Inputs{}), nil)
	s.LoadBalancer.IdleTimeoutSeconds = intPtr(30)
	modeMatch(t, modeErrs(t, s, spec.Inputs{}), [][2]string{{"spec.app.keepAliveTimeoutSeconds", "lower loadBalancer.idleTimeoutSeconds to at most 29"}})
}

// Every mode-specific problem is reported at once.
func TestModeProblemsAreReportedTogether(t *testing.T) {
	s := modeBase(service.KindTargetGroupBinding)
	s.LoadBalancer.VpcId = ""
	s.LoadBalancer.Host = "web.example.com"
	s.LoadBalancer.Scheme = "internal"
	s.Autoscaling = autoscaled(1, 4)
	s.Spread.Zones = "Sometimes"
	modeMatch(t, modeErrs(t, s, spec.Inputs{}), [][2]string{
		{"spec.loadBalancer.vpcId", "Required value"},
		{"spec.loadBalancer.host", "set listenerArn"},
		{"spec.loadBalancer.scheme", "remove it"},
		{"spec.autoscaling.minReplicas", "at least 2"},
		{"spec.spread.zones", "Unsupported value"},
	})
}

// maxReplicas is required with autoscaling. Leaving it out is one problem,
// on spec.autoscaling.maxReplicas: spec.replicas must not be named, since
// setting it is forbidden with autoscaling.
func TestAutoscalingWithoutMaxReplicasBlamesOnlyMaxReplicas(t *testing.T) {
	s := modeBase(service.KindALB)
	s.Autoscaling = spec.Autoscaling{Enabled: true, CPUUtilizationPercent: intPtr(70)}
	errs := modeErrs(t, s, spec.Inputs{})
	if len(errs) == 0 {
		t.Fatal("autoscaling without maxReplicas resolved")
	}
	found := false
	for _, e := range errs {
		switch e.Field {
		case "spec.autoscaling.maxReplicas":
			found = true
		case "spec.replicas":
			t.Errorf("error names spec.replicas, which autoscaling forbids: %v", e)
		}
	}
	if !found {
		t.Errorf("no error on spec.autoscaling.maxReplicas: %v", errs)
	}
}

func intPtr(n int) *int    { return &n }
func boolPtr(b bool) *bool { return &b }

// val dereferences p, nil for nil.
func val[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// A patch applies to the built object in both sinks; a patch that breaks a
// rule is refused at its own path, naming the rule.
func TestPatches(t *testing.T) {
	deploymentPatch := func(pod map[string]any) spec.Patch {
		return spec.Patch{Kind: "Deployment", Patch: map[string]any{"spec": map[string]any{"template": map[string]any{"spec": pod}}}}
	}
	app := func(fields map[string]any) map[string]any {
		fields["name"] = "app"
		return map[string]any{"containers": []any{fields}}
	}
	t.Run("applied", func(t *testing.T) {
		s := spectest.Base()
		s.Patches = []spec.Patch{
			deploymentPatch(app(map[string]any{"imagePullPolicy": "Always"})),
			deploymentPatch(map[string]any{"topologySpreadConstraints": nil}), // null removes
		}
		r, err := service.Resolve("web", s, spec.Inputs{})
		if err != nil {
			t.Fatal(err)
		}
		d := service.Build(r).Deployment
		if got := d.Spec.Template.Spec.Containers[0].ImagePullPolicy; got != "Always" {
			t.Errorf("imagePullPolicy %q, want Always", got)
		}
		if n := len(d.Spec.Template.Spec.TopologySpreadConstraints); n != 0 {
			t.Errorf("%d spread constraints left after a null patch", n)
		}
		if d.Spec.Template.Spec.Containers[0].Lifecycle.PreStop.Sleep == nil {
			t.Errorf("the patch dropped the preStop hook it did not name")
		}
	})
	for _, tc := range []struct {
		name        string
		patch       spec.Patch
		path, words string
	}{
		{"preStop below L", deploymentPatch(app(map[string]any{"lifecycle": map[string]any{"preStop": map[string]any{"sleep": map[string]any{"seconds": 5}}}})),
			"spec.patches[0].patch", "rule 2"},
		{"a shorter grace period", deploymentPatch(map[string]any{"terminationGracePeriodSeconds": 30}),
			"spec.patches[0].patch", "rule 4"},
		{"maxUnavailable above 0", spec.Patch{Kind: "Deployment", Patch: map[string]any{"spec": map[string]any{"strategy": map[string]any{"rollingUpdate": map[string]any{"maxUnavailable": 1}}}}},
			"spec.patches[0].patch", "rule 6"},
		{"a shorter deregistration delay", spec.Patch{Kind: "Ingress", Patch: map[string]any{"metadata": map[string]any{"annotations": map[string]any{"alb.ingress.kubernetes.io/target-group-attributes": "deregistration_delay.timeout_seconds=10"}}}},
			"spec.patches[0].patch", "rule 1"},
		{"another health-check path", spec.Patch{Kind: "Ingress", Patch: map[string]any{"metadata": map[string]any{"annotations": map[string]any{"alb.ingress.kubernetes.io/healthcheck-path": "/"}}}},
			"spec.patches[0].patch", "rule 7"},
		{"a selector that selects nothing", spec.Patch{Kind: "Service", Patch: map[string]any{"spec": map[string]any{"selector": map[string]any{"app.kubernetes.io/name": "other"}}}},
			"spec.patches[0].patch", "rule selection"},
		{"a new name", spec.Patch{Kind: "Service", Patch: map[string]any{"metadata": map[string]any{"name": "other"}}},
			"spec.patches[0].patch", "metadata.name"},
		{"a kind the service has not", spec.Patch{Kind: "HorizontalPodAutoscaler", Patch: map[string]any{}},
			"spec.patches[0].kind", "no HorizontalPodAutoscaler"},
		{"a field Kubernetes does not have", deploymentPatch(map[string]any{"terminationGracePeriod": 30}),
			"spec.patches[0].patch", "not valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := spectest.Base()
			s.Patches = []spec.Patch{tc.patch}
			_, err := service.Resolve("web", s, spec.Inputs{})
			var inv *spec.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("the patch was accepted (%v)", err)
			}
			for _, e := range inv.Errors {
				if e.Field == tc.path && strings.Contains(e.Error(), tc.words) {
					return
				}
			}
			t.Errorf("no error on %s naming %q: %v", tc.path, tc.words, inv.Errors)
		})
	}
}

// zds's pods meet the Pod Security restricted standard (#21), judged by
// the admission library's own evaluator, for every random valid spec of
// every mode: sidecars, init containers, volumes, exec or native preStop,
// a spec's own user.
func TestRandomSpecsMeetRestricted(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 4))
	valid := 0
	for range 1000 {
		s := spectest.Random(rng)
		s.Patches = nil
		if rng.IntN(2) == 0 {
			uid := int64(1 + rng.IntN(65535))
			s.Pod.RunAsUser = &uid
		}
		r, err := service.Resolve("web", s, spec.Inputs{})
		if err != nil {
			continue
		}
		valid++
		o := service.Build(r)
		v, err := podsecurity.Evaluate("restricted", &o.Deployment.Spec.Template)
		if err != nil || !v.Allowed {
			t.Fatalf("%v %v for the pods of\n%+v", v, err, s)
		}
	}
	if valid < 300 {
		t.Fatalf("only %d valid random specs", valid)
	}
}
