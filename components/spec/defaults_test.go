// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec_test

import (
	"reflect"
	"testing"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

func intPtr(n int) *int       { return &n }
func boolPtr(b bool) *bool    { return &b }
func int64Ptr(n int64) *int64 { return &n }

// val dereferences p, or returns nil for a nil pointer, so a missing default
// shows as <nil> rather than as a crash.
func val[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// minimal is the smallest spec a user writes.
func minimal() spec.ServiceSpec {
	return spec.ServiceSpec{
		Image: "ghcr.io/acme/web:1.4.2",
		App:   spec.App{MaxRequestSeconds: 15},
	}
}

// TestWithDefaults has one row per default listed on WithDefaults. The
// expected values are written out, not taken from the Default* constants.
func TestWithDefaults(t *testing.T) {
	tests := []struct {
		name    string
		in      func(*spec.ServiceSpec) // changes to minimal(); nil for none
		hasCert bool
		get     func(spec.ServiceSpec) any
		want    any
	}{
		{name: "name: the component's name", get: func(s spec.ServiceSpec) any { return s.Name }, want: "web"},
		{name: "namespace: default", get: func(s spec.ServiceSpec) any { return s.Namespace }, want: "default"},
		{name: "port: 8080", get: func(s spec.ServiceSpec) any { return s.Port }, want: 8080},
		{name: "replicas: 3", get: func(s spec.ServiceSpec) any { return val(s.Replicas) }, want: 3},
		{name: "resources.requests.cpu: 100m", get: func(s spec.ServiceSpec) any { return s.Resources.Requests.CPU }, want: "100m"},
		{name: "resources.requests.memory: 128Mi", get: func(s spec.ServiceSpec) any { return s.Resources.Requests.Memory }, want: "128Mi"},
		{name: "resources.limits.memory: the default memory request", get: func(s spec.ServiceSpec) any { return s.Resources.Limits.Memory }, want: "128Mi"},
		{
			name: "resources.limits.memory: the memory request that is set",
			in:   func(s *spec.ServiceSpec) { s.Resources.Requests.Memory = "300Mi" },
			get:  func(s spec.ServiceSpec) any { return s.Resources.Limits.Memory },
			want: "300Mi",
		},
		{name: "resources.limits.cpu: not limited", get: func(s spec.ServiceSpec) any { return s.Resources.Limits.CPU }, want: ""},
		{name: "healthCheck.path: /healthz", get: func(s spec.ServiceSpec) any { return s.HealthCheck.Path }, want: "/healthz"},
		{name: "healthCheck.port: the default port", get: func(s spec.ServiceSpec) any { return val(s.HealthCheck.Port) }, want: 8080},
		{
			name: "healthCheck.port: the port that is set",
			in:   func(s *spec.ServiceSpec) { s.Port = 9000 },
			get:  func(s spec.ServiceSpec) any { return val(s.HealthCheck.Port) },
			want: 9000,
		},
		{name: "healthCheck.successCodes: 200", get: func(s spec.ServiceSpec) any { return s.HealthCheck.SuccessCodes }, want: "200"},
		{name: "healthCheck.intervalSeconds: ALB 10", get: func(s spec.ServiceSpec) any { return val(s.HealthCheck.IntervalSeconds) }, want: 10},
		{name: "healthCheck.timeoutSeconds: ALB 5", get: func(s spec.ServiceSpec) any { return val(s.HealthCheck.TimeoutSeconds) }, want: 5},
		{name: "healthCheck.healthyThreshold: ALB 2", get: func(s spec.ServiceSpec) any { return val(s.HealthCheck.HealthyThreshold) }, want: 2},
		{name: "healthCheck.unhealthyThreshold: ALB 2", get: func(s spec.ServiceSpec) any { return val(s.HealthCheck.UnhealthyThreshold) }, want: 2},
		{name: "liveness.path: the default health path", get: func(s spec.ServiceSpec) any { return s.Liveness.Path }, want: "/healthz"},
		{
			name: "liveness.path: the health path that is set",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.Path = "/ready" },
			get:  func(s spec.ServiceSpec) any { return s.Liveness.Path },
			want: "/ready",
		},
		{name: "liveness: off", get: func(s spec.ServiceSpec) any { return s.Liveness.Enabled }, want: false},
		{name: "app.shutdownSeconds: app.maxRequestSeconds", get: func(s spec.ServiceSpec) any { return val(s.App.ShutdownSeconds) }, want: 15},
		{name: "app.startupSeconds: 30", get: func(s spec.ServiceSpec) any { return val(s.App.StartupSeconds) }, want: 30},
		{name: "app.keepAliveTimeoutSeconds: unset", get: func(s spec.ServiceSpec) any { return val(s.App.KeepAliveTimeoutSeconds) }, want: nil},
		{name: "loadBalancer.kind: alb", get: func(s spec.ServiceSpec) any { return s.LoadBalancer.Kind }, want: "alb"},
		{name: "loadBalancer.scheme: internal", get: func(s spec.ServiceSpec) any { return s.LoadBalancer.Scheme }, want: "internal"},
		{name: "loadBalancer.paths: [/]", get: func(s spec.ServiceSpec) any { return s.LoadBalancer.Paths }, want: []string{"/"}},
		{name: "loadBalancer.ingressClassName: alb", get: func(s spec.ServiceSpec) any { return s.LoadBalancer.IngressClassName }, want: "alb"},
		{name: "loadBalancer.propagationSeconds: ALB 25", get: func(s spec.ServiceSpec) any { return val(s.LoadBalancer.PropagationSeconds) }, want: 25},
		{name: "loadBalancer.idleTimeoutSeconds: unset (the ALB's 60 is assumed, not applied)", get: func(s spec.ServiceSpec) any { return val(s.LoadBalancer.IdleTimeoutSeconds) }, want: nil},
		{name: "loadBalancer.sslRedirect: true with a certificate", hasCert: true, get: func(s spec.ServiceSpec) any { return val(s.LoadBalancer.SSLRedirect) }, want: true},
		{name: "loadBalancer.sslRedirect: unset without a certificate", get: func(s spec.ServiceSpec) any { return val(s.LoadBalancer.SSLRedirect) }, want: nil},
		{name: "rollout.maxSurge: ceil(3 / 4) = 1", get: func(s spec.ServiceSpec) any { return val(s.Rollout.MaxSurge) }, want: 1},
		{
			name: "rollout.maxSurge: ceil(1 / 4) = 1",
			in:   func(s *spec.ServiceSpec) { s.Replicas = intPtr(1) },
			get:  func(s spec.ServiceSpec) any { return val(s.Rollout.MaxSurge) },
			want: 1,
		},
		{
			name: "rollout.maxSurge: ceil(8 / 4) = 2",
			in:   func(s *spec.ServiceSpec) { s.Replicas = intPtr(8) },
			get:  func(s spec.ServiceSpec) any { return val(s.Rollout.MaxSurge) },
			want: 2,
		},
		{
			name: "rollout.maxSurge: ceil(9 / 4) = 3",
			in:   func(s *spec.ServiceSpec) { s.Replicas = intPtr(9) },
			get:  func(s spec.ServiceSpec) any { return val(s.Rollout.MaxSurge) },
			want: 3,
		},
		{
			name: "rollout.maxSurge: at least 1 when replicas is 0",
			in:   func(s *spec.ServiceSpec) { s.Replicas = intPtr(0) },
			get:  func(s spec.ServiceSpec) any { return val(s.Rollout.MaxSurge) },
			want: 1,
		},
		{name: "disruption.maxUnavailable: 1", get: func(s spec.ServiceSpec) any { return val(s.Disruption.MaxUnavailable) }, want: 1},
		{name: "serviceAccount.name (with create): the service's name", in: func(s *spec.ServiceSpec) { s.ServiceAccount.Create = true },
			get: func(s spec.ServiceSpec) any { return s.ServiceAccount.Name }, want: "web"},
		{name: "serviceAccount.name without create: unset", get: func(s spec.ServiceSpec) any { return s.ServiceAccount.Name }, want: ""},
		{name: "pod.preStopHook: sleep", get: func(s spec.ServiceSpec) any { return s.Pod.PreStopHook }, want: "sleep"},
		{name: "pod.runAsUser: 65532", get: func(s spec.ServiceSpec) any { return val(s.Pod.RunAsUser) }, want: int64(65532)},
		{name: "pod.readOnlyRootFilesystem: true", get: func(s spec.ServiceSpec) any { return val(s.Pod.ReadOnlyRootFilesystem) }, want: true},
		// Nothing derived is set here.
		{name: "timing.deregistrationDelaySeconds: not set", get: func(s spec.ServiceSpec) any { return val(s.Timing.DeregistrationDelaySeconds) }, want: nil},
		{name: "timing.preStopSleepSeconds: not set", get: func(s spec.ServiceSpec) any { return val(s.Timing.PreStopSleepSeconds) }, want: nil},
		{name: "timing.terminationGracePeriodSeconds: not set", get: func(s spec.ServiceSpec) any { return val(s.Timing.TerminationGracePeriodSeconds) }, want: nil},
		{name: "spread.zones: DoNotSchedule", get: func(s spec.ServiceSpec) any { return s.Spread.Zones }, want: "DoNotSchedule"},
		{name: "spread.nodes: ScheduleAnyway", get: func(s spec.ServiceSpec) any { return s.Spread.Nodes }, want: "ScheduleAnyway"},
		{
			name: "autoscaling: no replicas, minReplicas 2, stabilization 300",
			in:   func(s *spec.ServiceSpec) { s.Autoscaling = spec.Autoscaling{Enabled: true, MaxReplicas: 10} },
			get: func(s spec.ServiceSpec) any {
				return []any{val(s.Replicas), val(s.Autoscaling.MinReplicas), val(s.Autoscaling.ScaleDownStabilizationSeconds), val(s.Rollout.MaxSurge)}
			},
			want: []any{nil, 2, 300, 3},
		},
		{
			name: "nlb: propagation 120, health check 10/6/2/2, scheme internal, no paths",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Kind = "nlb" },
			get: func(s spec.ServiceSpec) any {
				return []any{val(s.LoadBalancer.PropagationSeconds), val(s.HealthCheck.IntervalSeconds), val(s.HealthCheck.TimeoutSeconds), s.LoadBalancer.Scheme, len(s.LoadBalancer.Paths), s.LoadBalancer.IngressClassName}
			},
			want: []any{120, 10, 6, "internal", 0, ""},
		},
		{
			name: "targetGroupBinding: ALB numbers, no scheme, paths for the listener rule",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Kind = "targetGroupBinding" },
			get: func(s spec.ServiceSpec) any {
				return []any{val(s.LoadBalancer.PropagationSeconds), s.LoadBalancer.Scheme, s.LoadBalancer.Paths, s.LoadBalancer.IngressClassName}
			},
			want: []any{25, "", []string{"/"}, ""},
		},
		// An unknown kind gets no kind-specific defaults.
		{
			name: "unknown kind: no propagationSeconds",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Kind = "gateway" },
			get:  func(s spec.ServiceSpec) any { return val(s.LoadBalancer.PropagationSeconds) },
			want: nil,
		},
		{
			name: "unknown kind: no health check interval",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Kind = "gateway" },
			get:  func(s spec.ServiceSpec) any { return val(s.HealthCheck.IntervalSeconds) },
			want: nil,
		},
		{
			name: "unknown kind: no health check thresholds",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Kind = "gateway" },
			get: func(s spec.ServiceSpec) any {
				return []any{val(s.HealthCheck.TimeoutSeconds), val(s.HealthCheck.HealthyThreshold), val(s.HealthCheck.UnhealthyThreshold)}
			},
			want: []any{nil, nil, nil},
		},
		{
			name: "unknown kind: kind-independent defaults still apply",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Kind = "gateway" },
			get:  func(s spec.ServiceSpec) any { return []any{s.LoadBalancer.Kind, s.HealthCheck.Path, val(s.Replicas)} },
			want: []any{"gateway", "/healthz", 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := minimal()
			if tc.in != nil {
				tc.in(&s)
			}
			got := tc.get(service.WithDefaults("web", s, tc.hasCert))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

// full sets every field WithDefaults could default, each to a value that is
// not the default (zero where a pointer makes zero a real value).
func full() spec.ServiceSpec {
	return spec.ServiceSpec{
		Name:           "shop-api",
		Namespace:      "shop",
		Image:          "ghcr.io/acme/api:2.0.0",
		Command:        []string{"/api"},
		Args:           []string{"--serve"},
		Port:           9000,
		Replicas:       intPtr(8),
		Env:            []spec.EnvVar{{Name: "MODE", Value: "prod"}},
		Resources:      spec.Resources{Requests: spec.ResourceList{CPU: "250m", Memory: "256Mi"}, Limits: spec.ResourceList{CPU: "1", Memory: "512Mi"}},
		AcceptDowntime: false,
		HealthCheck: spec.HealthCheck{
			Path:               "/ready",
			Port:               intPtr(9001),
			SuccessCodes:       "200-299",
			IntervalSeconds:    intPtr(30),
			TimeoutSeconds:     intPtr(6),
			HealthyThreshold:   intPtr(3),
			UnhealthyThreshold: intPtr(4),
		},
		Liveness: spec.Liveness{Enabled: true, Path: "/live"},
		App: spec.App{
			MaxRequestSeconds:       60,
			ShutdownSeconds:         intPtr(0),
			StartupSeconds:          intPtr(0),
			KeepAliveTimeoutSeconds: intPtr(75),
		},
		LoadBalancer: spec.LoadBalancer{
			Kind:                 "alb",
			Scheme:               "internet-facing",
			Host:                 "api.example.com",
			Paths:                []string{"/api", "/v2"},
			CertificateArn:       "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
			SSLRedirect:          boolPtr(false),
			GroupName:            "shared",
			GroupOrder:           intPtr(10),
			PropagationSeconds:   intPtr(40),
			IdleTimeoutSeconds:   intPtr(70),
			IngressClassName:     "alb-internal",
			RequireReadinessGate: boolPtr(false),
		},
		Timing: spec.Timing{
			DeregistrationDelaySeconds:    intPtr(65),
			PreStopSleepSeconds:           intPtr(61),
			TerminationGracePeriodSeconds: intPtr(70),
		},
		Capacity:   spec.Capacity{Headroom: "2"},
		Rollout:    spec.Rollout{MaxSurge: intPtr(5)},
		Disruption: spec.Disruption{MaxUnavailable: intPtr(2)},
		Spread:     spec.Spread{Zones: "ScheduleAnyway", Nodes: "DoNotSchedule"},
		Pod: spec.Pod{
			PreStopHook:            "exec",
			SecurityLevel:          "baseline",
			ServiceAccountName:     "api",
			RunAsUser:              int64Ptr(1000),
			ReadOnlyRootFilesystem: boolPtr(false),
			Annotations:            map[string]string{"a": "b"},
		},
		Labels: map[string]string{"team": "payments"},
	}
}

func TestWithDefaultsKeepsSetValues(t *testing.T) {
	for _, hasCert := range []bool{false, true} {
		got := service.WithDefaults("web", full(), hasCert)
		if want := full(); !reflect.DeepEqual(got, want) {
			t.Errorf("hasCertificate=%v: WithDefaults changed a spec with every field set:\n got %+v\nwant %+v", hasCert, got, want)
		}
	}
}

func TestWithDefaultsDoesNotMutateCaller(t *testing.T) {
	t.Run("fields left unset stay unset in the caller's spec", func(t *testing.T) {
		s := minimal()
		s.Labels = map[string]string{"team": "a"}
		_ = service.WithDefaults("web", s, true)
		want := minimal()
		want.Labels = map[string]string{"team": "a"}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("caller's spec changed:\n got %+v\nwant %+v", s, want)
		}
	})
	t.Run("the result shares no pointer, slice or map with the caller", func(t *testing.T) {
		s := full()
		out := service.WithDefaults("web", s, false)

		*out.Replicas = 99
		*out.HealthCheck.Port = 99
		*out.HealthCheck.IntervalSeconds = 99
		*out.App.ShutdownSeconds = 99
		*out.App.KeepAliveTimeoutSeconds = 99
		*out.LoadBalancer.SSLRedirect = true
		*out.LoadBalancer.PropagationSeconds = 99
		*out.LoadBalancer.GroupOrder = 99
		*out.Timing.PreStopSleepSeconds = 99
		*out.Rollout.MaxSurge = 99
		*out.Disruption.MaxUnavailable = 99
		*out.Pod.RunAsUser = 99
		*out.Pod.ReadOnlyRootFilesystem = true
		out.Command[0] = "changed"
		out.Args[0] = "changed"
		out.Env[0].Value = "changed"
		out.LoadBalancer.Paths[0] = "/changed"
		out.Labels["team"] = "changed"
		out.Labels["new"] = "x"
		out.Pod.Annotations["a"] = "changed"

		if !reflect.DeepEqual(s, full()) {
			t.Errorf("changing the result changed the caller's spec:\n got %+v\nwant %+v", s, full())
		}
	})
	t.Run("the result of defaulting twice is stable", func(t *testing.T) {
		once := service.WithDefaults("web", minimal(), true)
		twice := service.WithDefaults("other", once, false)
		if !reflect.DeepEqual(once, twice) {
			t.Errorf("defaulting a defaulted spec changed it:\n once %+v\ntwice %+v", once, twice)
		}
	})
}

// The headroom sets the surge (over the most replicas) and the budget
// (over the fewest, leaving one pod), rounded up as Kubernetes rounds a
// surge; a headroom that is not a count or a percentage is refused at its
// field.
func TestHeadroomSetsSurgeAndBudget(t *testing.T) {
	for _, c := range []struct {
		headroom              string
		replicas, surge, budg int
	}{
		{"", 3, 1, 1}, {"", 4, 1, 1}, {"", 5, 2, 2}, {"", 12, 3, 3}, {"", 50, 13, 13},
		{"50%", 3, 2, 2}, {"100%", 3, 3, 2}, {"1%", 400, 4, 4}, {"2", 12, 2, 2}, {"20", 3, 20, 2},
	} {
		s := spec.ServiceSpec{Replicas: intPtr(c.replicas), Capacity: spec.Capacity{Headroom: c.headroom}}.WithDefaults("web")
		if *s.Rollout.MaxSurge != c.surge || *s.Disruption.MaxUnavailable != c.budg {
			t.Errorf("headroom %q at %d replicas: maxSurge %d, budget %d; want %d, %d", c.headroom, c.replicas, *s.Rollout.MaxSurge, *s.Disruption.MaxUnavailable, c.surge, c.budg)
		}
	}
	for _, bad := range []string{"0", "0%", "101%", "25 %", "-1", "1.5", "abc", "99999999999"} {
		s := spec.ServiceSpec{Image: "x", App: spec.App{MaxRequestSeconds: 5}, Capacity: spec.Capacity{Headroom: bad}}.WithDefaults("web")
		errs := s.Validate(spec.Inputs{})
		found := false
		for _, e := range errs {
			found = found || e.Field == "spec.capacity.headroom"
		}
		if !found {
			t.Errorf("headroom %q: no error at spec.capacity.headroom in %v", bad, errs)
		}
	}
}
