package service_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
	"github.com/zerodowntime/zds/internal/spectest"
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
