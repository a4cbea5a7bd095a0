// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package check_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"fmt"
	"strconv"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/internal/spectest"
)

func ptr[T any](v T) *T { return &v }

func build(t *testing.T, s spec.ServiceSpec) *manifests.Objects {
	t.Helper()
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	return service.Build(r)
}

// base is a valid ALB service with every fact given.
func base() spec.ServiceSpec { return spectest.Base() }

func TestValidObjectsPass(t *testing.T) {
	ch, v := check.Objects(build(t, base()))
	if len(v) > 0 {
		t.Fatalf("violations on valid objects: %v", v)
	}
	if ch.MaxRequestSeconds != 15 || ch.ShutdownSeconds != 10 || ch.PropagationSeconds != 25 {
		t.Errorf("facts not read back: %+v", ch)
	}
}

// Each mutation breaks one rule; the checker must name it.
func TestEveryBrokenObjectIsCaught(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rule   string
		mutate func(o *manifests.Objects)
	}{
		{"deregistration delay below the longest request", "1", func(o *manifests.Objects) {
			o.Ingress.Annotations[service.AnnTargetGroupAttributes] = "deregistration_delay.timeout_seconds=5"
		}},
		{"deregistration delay covers the longest request but not a request started at L (the old rule 1)", "1", func(o *manifests.Objects) {
			o.Ingress.Annotations[service.AnnTargetGroupAttributes] = "deregistration_delay.timeout_seconds=39"
		}},
		{"no deregistration delay: ELB default 300", "1", func(o *manifests.Objects) {
			delete(o.Ingress.Annotations, service.AnnTargetGroupAttributes)
		}},
		{"preStop shorter than propagation", "2", func(o *manifests.Objects) {
			o.Deployment.Spec.Template.Spec.Containers[0].Lifecycle.PreStop.Sleep.Seconds = 10
		}},
		{"no preStop hook", "2", func(o *manifests.Objects) {
			o.Deployment.Spec.Template.Spec.Containers[0].Lifecycle = nil
		}},
		{"pod exits while the target drains", "3", func(o *manifests.Objects) {
			o.Ingress.Annotations[service.AnnTargetGroupAttributes] = "deregistration_delay.timeout_seconds=300"
		}},
		{"grace period cuts the drain", "4", func(o *manifests.Objects) {
			o.Deployment.Spec.Template.Spec.TerminationGracePeriodSeconds = ptr(int64(30))
		}},
		{"instance targets", "6", func(o *manifests.Objects) {
			o.Ingress.Annotations[service.AnnTargetType] = "instance"
		}},
		{"rollout may drop capacity", "6", func(o *manifests.Objects) {
			o.Deployment.Spec.Strategy.RollingUpdate.MaxUnavailable = ptr(intstr.FromInt32(1))
		}},
		{"rollout cannot surge", "6", func(o *manifests.Objects) {
			o.Deployment.Spec.Strategy.RollingUpdate.MaxSurge = ptr(intstr.FromInt32(0))
		}},
		{"namespace without the readiness-gate label", "6", func(o *manifests.Objects) {
			o.NamespacePatch.Labels = nil
		}},
		{"health check path differs from readiness", "7", func(o *manifests.Objects) {
			o.Ingress.Annotations[service.AnnHealthCheckPath] = "/"
		}},
		{"health check port differs from readiness", "7", func(o *manifests.Objects) {
			o.Ingress.Annotations[service.AnnHealthCheckPort] = "9090"
		}},
		{"keep-alive below idle timeout", "8", func(o *manifests.Objects) {
			o.Deployment.Annotations[manifests.AnnKeepAliveSeconds] = "60"
		}},
		{"startup probe budget too small", "startup", func(o *manifests.Objects) {
			o.Deployment.Spec.Template.Spec.Containers[0].StartupProbe.FailureThreshold = 1
		}},
		{"liveness identical to readiness", "liveness", func(o *manifests.Objects) {
			c := &o.Deployment.Spec.Template.Spec.Containers[0]
			c.LivenessProbe = c.ReadinessProbe.DeepCopy()
		}},
		{"PDB selector matches nothing", "selection", func(o *manifests.Objects) {
			o.PDB.Spec.Selector.MatchLabels = map[string]string{"app": "other"}
		}},
		{"PDB on a removed API", "api", func(o *manifests.Objects) {
			o.PDB.APIVersion = "policy/v1beta1"
		}},
		{"Service selects other pods", "selection", func(o *manifests.Objects) {
			o.Service.Spec.Selector = map[string]string{"app": "other"}
		}},
		{"Ingress routes to another Service", "selection", func(o *manifests.Objects) {
			o.Ingress.Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name = "other"
		}},
		{"missing fact annotation", "facts", func(o *manifests.Objects) {
			delete(o.Deployment.Annotations, manifests.AnnMaxRequestSeconds)
		}},
		{"exec preStop that is not sleep", "2", func(o *manifests.Objects) {
			o.Deployment.Spec.Template.Spec.Containers[0].Lifecycle.PreStop = &corev1.LifecycleHandler{
				Exec: &corev1.ExecAction{Command: []string{"/bin/drain"}}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := build(t, base())
			tc.mutate(o)
			_, violations := check.Objects(o)
			found := false
			for _, v := range violations {
				if v.Rule == tc.rule {
					found = true
				}
			}
			if !found {
				t.Errorf("rule %s not reported; got %v", tc.rule, violations)
			}
		})
	}
}

// For random valid specs, the emitted objects satisfy every rule, as read
// back by the checker (which shares no code with the derivation).
func TestRandomValidSpecsEmitObjectsThatSatisfyEveryRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	valid := 0
	for i := 0; i < 3000; i++ {
		s := spectest.Random(rng, service.KindALB)
		r, err := service.Resolve("web", s, spec.Inputs{})
		if err != nil {
			if !strings.Contains(err.Error(), "spec.") {
				t.Fatalf("error without a field path: %v", err)
			}
			continue
		}
		valid++
		_, violations := check.Objects(service.Build(r))
		if len(violations) > 0 {
			t.Fatalf("case %d: valid spec emits objects that break rules: %v\nspec: %+v", i, violations, s)
		}
	}
	if valid < 1000 {
		t.Errorf("only %d of 3000 random specs were valid: the generator tests too little", valid)
	}
}

func modeInt(n int) *int { return &n }

// modeSpec is a valid spec of one mode: R = 15, S = 10, keep-alive 75.
func modeSpec(mode string) spec.ServiceSpec {
	s := spec.ServiceSpec{
		Namespace: "shop",
		Image:     "ghcr.io/acme/web:1.4.2",
		App:       spec.App{MaxRequestSeconds: 15, ShutdownSeconds: modeInt(10), KeepAliveTimeoutSeconds: modeInt(75)},
		Liveness:  spec.Liveness{Enabled: true},
	}
	switch mode {
	case "nlb":
		s.LoadBalancer = spec.LoadBalancer{Kind: service.KindNLB, Scheme: "internet-facing", CertificateArn: "arn:aws:acm:eu-west-1:1:certificate/x"}
	case "targetGroupBinding":
		s.LoadBalancer = spec.LoadBalancer{
			Kind: service.KindTargetGroupBinding, VpcId: "vpc-1",
			ListenerArn: "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x/1/2", ListenerRulePriority: modeInt(5),
			Host: "web.example.com", Paths: []string{"/api"},
		}
	case "autoscaling":
		s.Autoscaling = spec.Autoscaling{Enabled: true, MinReplicas: modeInt(3), MaxReplicas: 12, CPUUtilizationPercent: modeInt(60)}
		s.Disruption.MaxUnavailable = modeInt(2)
	}
	return s
}

func modeBuild(t *testing.T, s spec.ServiceSpec) (*spec.Resolved, *manifests.Objects) {
	t.Helper()
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	return r, service.Build(r)
}

func TestEveryModePassesTheChecker(t *testing.T) {
	for _, mode := range []string{"nlb", "targetGroupBinding", "autoscaling"} {
		t.Run(mode, func(t *testing.T) {
			r, o := modeBuild(t, modeSpec(mode))
			switch mode {
			case "nlb":
				if o.Ingress != nil || o.Service.Spec.Type != corev1.ServiceTypeLoadBalancer {
					t.Fatalf("nlb built an Ingress (%v) or a %s Service", o.Ingress != nil, o.Service.Spec.Type)
				}
			case "targetGroupBinding":
				if o.Ingress != nil || o.TargetGroup == nil || o.TargetGroupBinding == nil || o.ListenerRule == nil {
					t.Fatalf("targetGroupBinding objects: ingress %v, target group %v, binding %v, rule %v", o.Ingress, o.TargetGroup, o.TargetGroupBinding, o.ListenerRule)
				}
			case "autoscaling":
				if o.HPA == nil || o.Deployment.Spec.Replicas != nil {
					t.Fatalf("autoscaling: HPA %v, deployment replicas %v", o.HPA, o.Deployment.Spec.Replicas)
				}
			}
			ch, v := check.Objects(o)
			if len(v) > 0 {
				t.Fatalf("violations on valid %s objects: %v", mode, v)
			}
			tm := r.Timing
			if ch.DeregistrationDelaySeconds != tm.DeregistrationDelaySeconds || ch.PreStopSleepSeconds != tm.PreStopSleepSeconds ||
				ch.TerminationGracePeriodSeconds != tm.TerminationGracePeriodSeconds {
				t.Errorf("chain read back D, P, G = %d, %d, %d; derived %d, %d, %d", ch.DeregistrationDelaySeconds, ch.PreStopSleepSeconds,
					ch.TerminationGracePeriodSeconds, tm.DeregistrationDelaySeconds, tm.PreStopSleepSeconds, tm.TerminationGracePeriodSeconds)
			}
			wantL := 25
			if mode == "nlb" {
				wantL = 120
			}
			if ch.PropagationSeconds != wantL || ch.MaxRequestSeconds != 15 || ch.ShutdownSeconds != 10 {
				t.Errorf("facts L %d, R %d, S %d; want %d, 15, 10", ch.PropagationSeconds, ch.MaxRequestSeconds, ch.ShutdownSeconds, wantL)
			}
			if ch.HealthCheckIntervalSeconds != 10 || ch.UnhealthyThreshold != 2 {
				t.Errorf("health check read back %d s × %d, want 10 s × 2", ch.HealthCheckIntervalSeconds, ch.UnhealthyThreshold)
			}
		})
	}
}

// Each mutation breaks one rule of one mode; the checker must name it.
func TestEveryBrokenModeObjectIsCaught(t *testing.T) {
	preStopPlusShutdown := func(o *manifests.Objects) int {
		s, _ := strconv.Atoi(o.Deployment.Annotations[manifests.AnnShutdownSeconds])
		return int(o.Deployment.Spec.Template.Spec.Containers[0].Lifecycle.PreStop.Sleep.Seconds) + s
	}
	for _, tc := range []struct {
		name   string
		mode   string
		rule   string
		detail string // a fragment of the violation, when one rule has several checks
		mutate func(o *manifests.Objects)
	}{
		// nlb: the settings live on the Service.
		{"nlb without deregistration delay", "nlb", "1", "", func(o *manifests.Objects) {
			o.Service.Annotations[service.AnnNLBTargetGroupAttrs] = "deregistration_delay.connection_termination.enabled=true"
		}},
		{"nlb deregistration delay below the longest request", "nlb", "1", "", func(o *manifests.Objects) {
			o.Service.Annotations[service.AnnNLBTargetGroupAttrs] = "deregistration_delay.timeout_seconds=10,deregistration_delay.connection_termination.enabled=true"
		}},
		{"nlb deregistration delay covers R but not the NLB's propagation L + R", "nlb", "1", "", func(o *manifests.Objects) {
			// The NLB example's D before rule 1 became D ≥ L + R.
			o.Service.Annotations[service.AnnNLBTargetGroupAttrs] = "deregistration_delay.timeout_seconds=35,deregistration_delay.connection_termination.enabled=true"
		}},
		{"nlb deregistration delay outlasts the pod", "nlb", "3", "", func(o *manifests.Objects) {
			o.Service.Annotations[service.AnnNLBTargetGroupAttrs] = fmt.Sprintf("deregistration_delay.timeout_seconds=%d", preStopPlusShutdown(o))
		}},
		{"nlb preStop shorter than the NLB's propagation", "nlb", "2", "", func(o *manifests.Objects) {
			o.Deployment.Spec.Template.Spec.Containers[0].Lifecycle.PreStop.Sleep.Seconds = 60
		}},
		{"nlb instance targets", "nlb", "6", "", func(o *manifests.Objects) {
			o.Service.Annotations[service.AnnNLBTargetType] = "instance"
		}},
		{"nlb health check path differs from readiness", "nlb", "7", "", func(o *manifests.Objects) {
			o.Service.Annotations[service.AnnNLBHealthCheckPath] = "/"
		}},
		{"nlb health check port differs from readiness", "nlb", "7", "", func(o *manifests.Objects) {
			o.Service.Annotations[service.AnnNLBHealthCheckPort] = "9090"
		}},
		{"nlb Service selects other pods", "nlb", "selection", "", func(o *manifests.Objects) {
			o.Service.Spec.Selector = map[string]string{"app": "other"}
		}},

		// targetGroupBinding: the settings live on the AWS target group.
		{"target group deregistration delay outlasts the pod", "targetGroupBinding", "3", "", func(o *manifests.Objects) {
			o.TargetGroup.DeregistrationDelaySeconds = preStopPlusShutdown(o) + 1
		}},
		{"target group deregistration delay below the longest request", "targetGroupBinding", "1", "", func(o *manifests.Objects) {
			o.TargetGroup.DeregistrationDelaySeconds = 14
		}},
		{"target group deregistration delay covers R but not L + R", "targetGroupBinding", "1", "", func(o *manifests.Objects) {
			o.TargetGroup.DeregistrationDelaySeconds = 20
		}},
		{"target group deregistration delay above the ELB maximum", "targetGroupBinding", "1", "", func(o *manifests.Objects) {
			o.TargetGroup.DeregistrationDelaySeconds = 3601
		}},
		{"target group with instance targets", "targetGroupBinding", "6", "", func(o *manifests.Objects) {
			o.TargetGroup.TargetType = "instance"
		}},
		{"binding with instance targets", "targetGroupBinding", "6", "", func(o *manifests.Objects) {
			o.TargetGroupBinding.Spec.TargetType = "instance"
		}},
		{"target group health check path differs", "targetGroupBinding", "7", "", func(o *manifests.Objects) {
			o.TargetGroup.HealthCheckPath = "/ready"
		}},
		{"target group health check port differs", "targetGroupBinding", "7", "", func(o *manifests.Objects) {
			o.TargetGroup.HealthCheckPort = "8081"
		}},
		{"binding refers to another Service", "targetGroupBinding", "selection", "", func(o *manifests.Objects) {
			o.TargetGroupBinding.Spec.ServiceRef.Name = "other"
		}},
		{"binding refers to a port the Service lacks", "targetGroupBinding", "selection", "", func(o *manifests.Objects) {
			o.TargetGroupBinding.Spec.ServiceRef.Port = intstr.FromInt32(443)
		}},
		{"keep-alive below the ALB idle timeout", "targetGroupBinding", "8", "", func(o *manifests.Objects) {
			o.Deployment.Annotations[manifests.AnnKeepAliveSeconds] = "60"
		}},
		{"binding without its target group", "targetGroupBinding", "completeness", "", func(o *manifests.Objects) {
			o.TargetGroup = nil
		}},

		// autoscaling
		{"HPA minReplicas 1", "autoscaling", "autoscaling", "minReplicas below 2", func(o *manifests.Objects) {
			o.HPA.Spec.MinReplicas = ptr(int32(1))
		}},
		{"HPA minReplicas 1 under a minAvailable budget", "autoscaling", "autoscaling", "minReplicas below 2", func(o *manifests.Objects) {
			o.HPA.Spec.MinReplicas = ptr(int32(1))
			o.PDB.Spec.MaxUnavailable, o.PDB.Spec.MinAvailable = nil, ptr(intstr.FromInt32(1))
		}},
		{"HPA without minReplicas (Kubernetes defaults it to 1)", "autoscaling", "autoscaling", "minReplicas below 2", func(o *manifests.Objects) {
			o.HPA.Spec.MinReplicas = nil
		}},
		{"Deployment sets replicas under an HPA", "autoscaling", "autoscaling", "sets replicas (3)", func(o *manifests.Objects) {
			o.Deployment.Spec.Replicas = ptr(int32(3))
		}},
		{"PDB maxUnavailable equal to the HPA minimum", "autoscaling", "autoscaling", "maxUnavailable 3 is not below the autoscaler's minReplicas 3", func(o *manifests.Objects) {
			o.PDB.Spec.MaxUnavailable = ptr(intstr.FromInt32(*o.HPA.Spec.MinReplicas))
		}},
		{"PDB maxUnavailable above the HPA minimum", "autoscaling", "autoscaling", "not below the autoscaler's minReplicas", func(o *manifests.Objects) {
			o.PDB.Spec.MaxUnavailable = ptr(intstr.FromInt32(*o.HPA.Spec.MinReplicas + 1))
		}},
		{"HPA scales another Deployment", "autoscaling", "autoscaling", "not Deployment/web", func(o *manifests.Objects) {
			o.HPA.Spec.ScaleTargetRef.Name = "other"
		}},
		{"HPA scales a StatefulSet", "autoscaling", "autoscaling", "scales StatefulSet/web", func(o *manifests.Objects) {
			o.HPA.Spec.ScaleTargetRef.Kind = "StatefulSet"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, o := modeBuild(t, modeSpec(tc.mode))
			if _, v := check.Objects(o); len(v) > 0 {
				t.Fatalf("unmutated %s objects already break rules: %v", tc.mode, v)
			}
			tc.mutate(o)
			_, violations := check.Objects(o)
			found := false
			for _, v := range violations {
				if v.Rule == tc.rule && strings.Contains(v.Detail, tc.detail) {
					found = true
				}
			}
			if !found {
				t.Errorf("rule %s (%q) not reported; got %v", tc.rule, tc.detail, violations)
			}
		})
	}
}

// Rule 8 concerns layer-7 load balancers: an NLB reuses no connections, so
// a keep-alive below its idle timeout is no violation; the same objects
// behind an ALB are.
func TestKeepAliveIsNotCheckedForNLB(t *testing.T) {
	_, o := modeBuild(t, modeSpec("nlb"))
	o.Deployment.Annotations[manifests.AnnKeepAliveSeconds] = "30" // the NLB idle timeout fact is 350
	if ch, v := check.Objects(o); len(v) > 0 {
		t.Errorf("nlb with keep-alive 30 < idle %d: %v", ch.IdleTimeoutSeconds, v)
	}
	_, o = modeBuild(t, modeSpec("alb"))
	o.Deployment.Annotations[manifests.AnnKeepAliveSeconds] = "30"
	_, v := check.Objects(o)
	if len(v) != 1 || v[0].Rule != "8" {
		t.Errorf("alb with keep-alive 30 ≤ idle 60: got %v, want one rule 8 violation", v)
	}
}

// The target group as registered with pulumi-aws (numbers as float64) reads
// back to the target group the core built. Every number differs, so a
// swapped field shows.
func TestTargetGroupFromInputsRoundTrips(t *testing.T) {
	s := modeSpec("targetGroupBinding")
	s.Port = 8443
	s.HealthCheck = spec.HealthCheck{
		Path: "/ready", Port: modeInt(9090), SuccessCodes: "200-299",
		IntervalSeconds: modeInt(15), TimeoutSeconds: modeInt(6), HealthyThreshold: modeInt(3), UnhealthyThreshold: modeInt(4),
	}
	s.App.MaxRequestSeconds = 30 // D = L + R + 5 = 25 + 30 + 5 = 60
	r, o := modeBuild(t, s)
	if r.Timing.DeregistrationDelaySeconds != 60 {
		t.Fatalf("D = %d, want 60", r.Timing.DeregistrationDelaySeconds)
	}
	registered := map[string]any{
		"port":                8443.0,
		"protocol":            "HTTP",
		"targetType":          "ip",
		"vpcId":               "vpc-1",
		"deregistrationDelay": 60.0,
		"healthCheck": map[string]any{
			"enabled":            true,
			"protocol":           "HTTP",
			"path":               "/ready",
			"port":               "9090",
			"interval":           15.0,
			"timeout":            6.0,
			"healthyThreshold":   3.0,
			"unhealthyThreshold": 4.0,
			"matcher":            "200-299",
		},
		"tags": map[string]any{"zds.dev/service": "shop/web"},
	}
	got := check.TargetGroupFromInputs(registered)
	if *got != *o.TargetGroup {
		t.Errorf("read back %+v\nbuilt     %+v", *got, *o.TargetGroup)
	}
	want := manifests.TargetGroup{
		Port: 8443, Protocol: "HTTP", TargetType: "ip", DeregistrationDelaySeconds: 60,
		HealthCheckPath: "/ready", HealthCheckPort: "9090", HealthCheckIntervalSeconds: 15, HealthCheckTimeoutSeconds: 6,
		HealthyThreshold: 3, UnhealthyThreshold: 4, Matcher: "200-299",
	}
	if *got != want {
		t.Errorf("read back %+v\nwant      %+v", *got, want)
	}
	// The objects with the target group read back pass the checker.
	o.TargetGroup = got
	if _, v := check.Objects(o); len(v) > 0 {
		t.Errorf("violations with the target group read back: %v", v)
	}

	// Missing or unknown values read as zero, never panic; the checker
	// then reports the missing delay and the wrong target type.
	empty := check.TargetGroupFromInputs(map[string]any{"deregistrationDelay": "<unknown>", "healthCheck": "<unknown>"})
	if *empty != (manifests.TargetGroup{}) {
		t.Errorf("unknown inputs read as %+v, want zero", *empty)
	}
	o.TargetGroup = empty
	_, v := check.Objects(o)
	rules := map[string]bool{}
	for _, x := range v {
		rules[x.Rule] = true
	}
	if !rules["6"] || !rules["7"] {
		t.Errorf("empty target group: got %v, want rules 6 and 7", v)
	}
}

// For random valid specs of every mode, the emitted objects satisfy every
// rule as read back by the checker.
func TestRandomValidModeSpecsPassTheChecker(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	kinds := []string{service.KindALB, service.KindNLB, service.KindTargetGroupBinding}
	valid := map[string]int{}
	for i := 0; i < 3000; i++ {
		s := spectest.Random(rng, kinds...)
		kind := s.LoadBalancer.Kind
		r, err := service.Resolve("web", s, spec.Inputs{})
		if err != nil {
			if !strings.Contains(err.Error(), "spec.") {
				t.Fatalf("error without a field path: %v", err)
			}
			continue
		}
		valid[kind]++
		if s.Autoscaling.Enabled {
			valid["autoscaling"]++
		}
		if _, v := check.Objects(service.Build(r)); len(v) > 0 {
			t.Fatalf("case %d: valid %s spec emits objects that break rules: %v\nspec: %+v", i, kind, v, s)
		}
	}
	for _, k := range append(kinds, "autoscaling") {
		if valid[k] < 200 {
			t.Errorf("only %d valid %s specs: the generator tests too little (%v)", valid[k], k, valid)
		}
	}
}

// A spec that Resolve accepts must emit objects the checker accepts. With
// acceptDowntime, Validate lets autoscaling.minReplicas be 1 and
// disruption.maxUnavailable reach minReplicas, but check.Objects flags both
// on the HPA whatever the spec said: one of the two is wrong.
func TestAcceptedAutoscalingSpecsPassTheChecker(t *testing.T) {
	for _, tc := range []struct {
		name           string
		min, unavail   int
		acceptDowntime bool
	}{
		{"minReplicas 1 with acceptDowntime", 1, 1, true},
		{"maxUnavailable = minReplicas with acceptDowntime", 2, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := modeSpec("")
			s.AcceptDowntime = tc.acceptDowntime
			s.Autoscaling = spec.Autoscaling{Enabled: true, MinReplicas: modeInt(tc.min), MaxReplicas: 4, CPUUtilizationPercent: modeInt(70)}
			s.Disruption.MaxUnavailable = modeInt(tc.unavail)
			r, err := service.Resolve("web", s, spec.Inputs{})
			if err != nil {
				return // rejected up front: consistent
			}
			if _, v := check.Objects(service.Build(r)); len(v) > 0 {
				t.Errorf("Resolve accepts the spec but the checker rejects its objects: %v", v)
			}
		})
	}
}

// Rule 4 with sidecars, read back from the objects: a grace period the
// native sidecars outlast, and a classic proxy that stops before the app
// has drained, are caught.
func TestSidecarChainIsChecked(t *testing.T) {
	s := spectest.Base()
	s.Sidecars = []spec.Sidecar{
		{Name: "proxy", Image: "ghcr.io/acme/proxy:1", ShutdownSeconds: ptr(5), OnRequestPath: true, Classic: true},
		{Name: "logs", Image: "ghcr.io/acme/logs:1", ShutdownSeconds: ptr(10)},
	}
	build := func() *manifests.Objects {
		r, err := service.Resolve("web", s, spec.Inputs{})
		if err != nil {
			t.Fatal(err)
		}
		return service.Build(r)
	}
	if _, v := check.Objects(build()); len(v) > 0 {
		t.Fatalf("the built objects break rules: %v", v)
	}
	for _, tc := range []struct {
		name   string
		mutate func(o *manifests.Objects)
		words  string
	}{
		{"a grace period the sidecars outlast", func(o *manifests.Objects) {
			g := int64(*o.Deployment.Spec.Template.Spec.TerminationGracePeriodSeconds - 10)
			o.Deployment.Spec.Template.Spec.TerminationGracePeriodSeconds = &g
		}, "when the last sidecar has stopped"},
		{"a classic proxy stopping early", func(o *manifests.Objects) {
			o.Deployment.Spec.Template.Spec.Containers[1].Lifecycle.PreStop.Sleep.Seconds = 5
		}, "on the request path"},
		{"a native sidecar run as a plain init container", func(o *manifests.Objects) {
			o.Deployment.Spec.Template.Spec.InitContainers[0].RestartPolicy = nil
		}, "neither a native sidecar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := build()
			tc.mutate(o)
			_, v := check.Objects(o)
			for _, x := range v {
				if strings.Contains(x.String(), tc.words) {
					return
				}
			}
			t.Errorf("not caught: %v", v)
		})
	}
}
