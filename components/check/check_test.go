package check_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

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
