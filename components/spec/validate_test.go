// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

// wantErr is one expected error: its field path and a fragment of its
// message (the rule or the fix).
type wantErr struct {
	path, fragment string
}

// validate defaults s as Resolve does, then validates it.
func validate(s spec.ServiceSpec, in spec.Inputs, after func(*spec.ServiceSpec)) field.ErrorList {
	d := service.WithDefaults("web", s, s.LoadBalancer.CertificateArn != "" || in.CertificateArn)
	if after != nil {
		after(&d)
	}
	return service.Validate(d, in)
}

// matchErrors reports, for t, every wanted error that is missing and every
// error that was not wanted. Each error matches at most one want.
func matchErrors(t *testing.T, errs field.ErrorList, want []wantErr) {
	t.Helper()
	used := make([]bool, len(errs))
	for _, w := range want {
		found := false
		for i, e := range errs {
			if !used[i] && e.Field == w.path && strings.Contains(e.Error(), w.fragment) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			t.Errorf("missing error on %s containing %q", w.path, w.fragment)
		}
	}
	for i, e := range errs {
		if !used[i] {
			t.Errorf("unexpected error: %v", e)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		// in changes minimal() before defaults; after changes the
		// defaulted spec (for values a default would replace).
		in     func(*spec.ServiceSpec)
		after  func(*spec.ServiceSpec)
		inputs spec.Inputs
		want   []wantErr
	}{
		{name: "minimal spec is valid"},
		{
			name: "missing image",
			in:   func(s *spec.ServiceSpec) { s.Image = "" },
			want: []wantErr{{"spec.image", "Required value: set the container image"}},
		},
		{
			name:   "missing image supplied as a Pulumi input",
			in:     func(s *spec.ServiceSpec) { s.Image = "" },
			inputs: spec.Inputs{Image: true},
		},
		{
			name: "image with white space",
			in:   func(s *spec.ServiceSpec) { s.Image = "ghcr.io/acme/web 1.4.2" },
			want: []wantErr{{"spec.image", "white space"}},
		},
		{
			name: "name not a DNS-1035 label",
			in:   func(s *spec.ServiceSpec) { s.Name = "1web" },
			want: []wantErr{{"spec.name", "DNS-1035"}},
		},
		{
			name:  "port 0 (after defaults: 0 is otherwise defaulted)",
			after: func(s *spec.ServiceSpec) { s.Port = 0 },
			want:  []wantErr{{"spec.port", "between 1 and 65535"}},
		},
		{
			name: "port 70000, and the health check port that defaults to it",
			in:   func(s *spec.ServiceSpec) { s.Port = 70000 },
			want: []wantErr{
				{"spec.port", "between 1 and 65535"},
				{"spec.healthCheck.port", "between 1 and 65535"},
			},
		},
		{
			name: "health check port 0",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.Port = intPtr(0) },
			want: []wantErr{{"spec.healthCheck.port", "between 1 and 65535"}},
		},
		{
			name: "replicas 1 without acceptDowntime",
			in:   func(s *spec.ServiceSpec) { s.Replicas = intPtr(1) },
			want: []wantErr{
				// One problem, one error: the budget follows once replicas ≥ 2.
				{"spec.replicas", "set replicas to at least 2, or set acceptDowntime: true"},
			},
		},
		{
			name: "replicas 1 with acceptDowntime",
			in:   func(s *spec.ServiceSpec) { s.Replicas = intPtr(1); s.AcceptDowntime = true },
		},
		{
			name: "replicas 0",
			in:   func(s *spec.ServiceSpec) { s.Replicas = intPtr(0) },
			want: []wantErr{{"spec.replicas", "at least 1"}},
		},
		{
			name: `health path "healthz" without a slash`,
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.Path = "healthz" },
			want: []wantErr{{"spec.healthCheck.path", `must start with "/": use "/healthz"`}},
		},
		{
			name: "health path with a query",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.Path = "/healthz?full=1" },
			want: []wantErr{{"spec.healthCheck.path", "without spaces, query or fragment"}},
		},
		{
			name: "liveness path without a slash, liveness on",
			in:   func(s *spec.ServiceSpec) { s.Liveness = spec.Liveness{Enabled: true, Path: "live"} },
			want: []wantErr{{"spec.liveness.path", `use "/live"`}},
		},
		{
			name: "liveness path without a slash, liveness off: not used, not checked",
			in:   func(s *spec.ServiceSpec) { s.Liveness = spec.Liveness{Path: "live"} },
		},
		{
			name: "bad successCodes 2xx",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.SuccessCodes = "2xx" },
			want: []wantErr{{"spec.healthCheck.successCodes", `"200-299"`}},
		},
		{
			name: "bad successCodes with a trailing comma",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.SuccessCodes = "200," },
			want: []wantErr{{"spec.healthCheck.successCodes", "separated by commas"}},
		},
		{
			name: "successCodes descending range",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.SuccessCodes = "299-200" },
			want: []wantErr{{"spec.healthCheck.successCodes", "write 200-299"}},
		},
		{
			name: "successCodes outside what an ELB matches",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.SuccessCodes = "999" },
			want: []wantErr{{"spec.healthCheck.successCodes", "999 is outside 200–499"}},
		},
		{
			name: "successCodes range reaching past 499",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.SuccessCodes = "200,400-599" },
			want: []wantErr{{"spec.healthCheck.successCodes", "400-599 is outside 200–499"}},
		},
		{
			name: "serviceAccountName the API server refuses",
			in:   func(s *spec.ServiceSpec) { s.Pod.ServiceAccountName = "Bad_SA" },
			want: []wantErr{{"spec.pod.serviceAccountName", "RFC 1123 subdomain"}},
		},
		{
			name: "pod annotation key the API server refuses",
			in:   func(s *spec.ServiceSpec) { s.Pod.Annotations = map[string]string{"???": "x"} },
			want: []wantErr{{"spec.pod.annotations", "name part must consist of alphanumeric characters"}},
		},
		{
			name: "successCodes list and range",
			in:   func(s *spec.ServiceSpec) { s.HealthCheck.SuccessCodes = "200,204,300-399" },
		},
		{
			name: "unknown loadBalancer.kind",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Kind = "gateway" },
			want: []wantErr{{"spec.loadBalancer.kind", `Unsupported value: "gateway": supported values: "alb", "nlb", "targetGroupBinding"`}},
		},
		{
			name: "bad scheme",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Scheme = "public" },
			want: []wantErr{{"spec.loadBalancer.scheme", `Unsupported value: "public": supported values: "internal", "internet-facing"`}},
		},
		{
			name: "sslRedirect without a certificate",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.SSLRedirect = boolPtr(true) },
			want: []wantErr{{"spec.loadBalancer.sslRedirect", "set loadBalancer.certificateArn, or sslRedirect: false"}},
		},
		{
			name:   "sslRedirect with the certificate supplied as a Pulumi input",
			in:     func(s *spec.ServiceSpec) { s.LoadBalancer.SSLRedirect = boolPtr(true) },
			inputs: spec.Inputs{CertificateArn: true},
		},
		{
			name: "certificateArn not an ARN",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.CertificateArn = "certificate/abc" },
			want: []wantErr{{"spec.loadBalancer.certificateArn", "arn:aws:acm:"}},
		},
		{
			name: "groupOrder without groupName",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.GroupOrder = intPtr(10) },
			want: []wantErr{{"spec.loadBalancer.groupOrder", "set loadBalancer.groupName, or remove groupOrder"}},
		},
		{
			name: "groupOrder out of range",
			in: func(s *spec.ServiceSpec) {
				s.LoadBalancer.GroupName = "shared"
				s.LoadBalancer.GroupOrder = intPtr(1001)
			},
			want: []wantErr{{"spec.loadBalancer.groupOrder", "between -1000 and 1000"}},
		},
		{
			name: "groupName with upper case and underscore",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.GroupName = "Shared_ALB" },
			want: []wantErr{{"spec.loadBalancer.groupName", "lower-case letters"}},
		},
		{
			name: "host not a DNS name",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Host = "bad_host" },
			want: []wantErr{{"spec.loadBalancer.host", "RFC 1123"}},
		},
		{
			name: "wildcard host",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Host = "*.example.com" },
		},
		{
			name: "load balancer path without a slash",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.Paths = []string{"/", "api"} },
			want: []wantErr{{"spec.loadBalancer.paths[1]", `use "/api"`}},
		},
		{
			name: "ingressClassName not a DNS subdomain",
			in:   func(s *spec.ServiceSpec) { s.LoadBalancer.IngressClassName = "ALB" },
			want: []wantErr{{"spec.loadBalancer.ingressClassName", "RFC 1123"}},
		},
		{
			name: "namespace kube-system",
			in:   func(s *spec.ServiceSpec) { s.Namespace = "kube-system" },
			want: []wantErr{{"spec.namespace", "must not get the readiness-gate label"}},
		},
		{
			name: "namespace kube-public",
			in:   func(s *spec.ServiceSpec) { s.Namespace = "kube-public" },
			want: []wantErr{{"spec.namespace", "use an application namespace"}},
		},
		{
			name: "namespace kube-node-lease",
			in:   func(s *spec.ServiceSpec) { s.Namespace = "kube-node-lease" },
			want: []wantErr{{"spec.namespace", "use an application namespace"}},
		},
		{
			name: "namespace with upper case",
			in:   func(s *spec.ServiceSpec) { s.Namespace = "Shop" },
			want: []wantErr{{"spec.namespace", "RFC 1123"}},
		},
		{
			name: "invalid env name",
			in:   func(s *spec.ServiceSpec) { s.Env = []spec.EnvVar{{Name: "1BAD", Value: "x"}} },
			want: []wantErr{{"spec.env[0].name", "must not start with a digit"}},
		},
		{
			name: "empty env name",
			in:   func(s *spec.ServiceSpec) { s.Env = []spec.EnvVar{{Name: "OK"}, {Value: "x"}} },
			want: []wantErr{{"spec.env[1].name", "Required value"}},
		},
		{
			name: "duplicate env",
			in: func(s *spec.ServiceSpec) {
				s.Env = []spec.EnvVar{{Name: "MODE", Value: "a"}, {Name: "LEVEL", Value: "b"}, {Name: "MODE", Value: "c"}}
			},
			want: []wantErr{{"spec.env[2].name", `Duplicate value: "MODE"`}},
		},
		{
			name: "bad cpu quantity",
			in:   func(s *spec.ServiceSpec) { s.Resources.Requests.CPU = "lots" },
			want: []wantErr{{"spec.resources.requests.cpu", "must be a Kubernetes quantity"}},
		},
		{
			name: "bad memory request, copied to the limit by default",
			in:   func(s *spec.ServiceSpec) { s.Resources.Requests.Memory = "12x" },
			want: []wantErr{
				{"spec.resources.requests.memory", "must be a Kubernetes quantity"},
				{"spec.resources.limits.memory", "must be a Kubernetes quantity"},
			},
		},
		{
			name: "memory limit below request",
			in: func(s *spec.ServiceSpec) {
				s.Resources.Requests.Memory = "256Mi"
				s.Resources.Limits.Memory = "128Mi"
			},
			want: []wantErr{{"spec.resources.limits.memory", "at least the request (256Mi)"}},
		},
		{
			name: "cpu limit below request",
			in: func(s *spec.ServiceSpec) {
				s.Resources.Requests.CPU = "500m"
				s.Resources.Limits.CPU = "0.25"
			},
			want: []wantErr{{"spec.resources.limits.cpu", "at least the request (500m)"}},
		},
		{
			name: "limits equal to requests in other units",
			in: func(s *spec.ServiceSpec) {
				s.Resources.Requests = spec.ResourceList{CPU: "500m", Memory: "1Gi"}
				s.Resources.Limits = spec.ResourceList{CPU: "0.5", Memory: "1024Mi"}
			},
		},
		{
			name: "disruption.maxUnavailable equal to replicas",
			in:   func(s *spec.ServiceSpec) { s.Disruption.MaxUnavailable = intPtr(3) },
			want: []wantErr{{"spec.disruption.maxUnavailable", "below replicas (3), or a drain may evict every pod at once: lower it to at most 2"}},
		},
		{
			name: "disruption.maxUnavailable above replicas",
			in:   func(s *spec.ServiceSpec) { s.Disruption.MaxUnavailable = intPtr(5) },
			want: []wantErr{{"spec.disruption.maxUnavailable", "at most 2"}},
		},
		{
			name: "disruption.maxUnavailable equal to replicas with acceptDowntime",
			in:   func(s *spec.ServiceSpec) { s.Disruption.MaxUnavailable = intPtr(3); s.AcceptDowntime = true },
		},
		{
			name: "disruption.maxUnavailable 0",
			in:   func(s *spec.ServiceSpec) { s.Disruption.MaxUnavailable = intPtr(0) },
			want: []wantErr{{"spec.disruption.maxUnavailable", "blocks every node drain"}},
		},
		{
			name: "selector label app.kubernetes.io/name in labels",
			in:   func(s *spec.ServiceSpec) { s.Labels = map[string]string{"app.kubernetes.io/name": "other"} },
			want: []wantErr{{"spec.labels[app.kubernetes.io/name]", "Forbidden: selector labels are set by the component"}},
		},
		{
			name: "selector label app.kubernetes.io/instance in labels",
			in:   func(s *spec.ServiceSpec) { s.Labels = map[string]string{"app.kubernetes.io/instance": "other"} },
			want: []wantErr{{"spec.labels[app.kubernetes.io/instance]", "remove this label"}},
		},
		{
			name: "other well-known label in labels",
			in:   func(s *spec.ServiceSpec) { s.Labels = map[string]string{"app.kubernetes.io/version": "1.4.2"} },
		},
		{
			name: "invalid label key",
			in:   func(s *spec.ServiceSpec) { s.Labels = map[string]string{"bad key": "x"} },
			want: []wantErr{{"spec.labels[bad key]", "alphanumeric"}},
		},
		{
			name: "invalid label value",
			in:   func(s *spec.ServiceSpec) { s.Labels = map[string]string{"team": "a b"} },
			want: []wantErr{{"spec.labels[team]", "a valid label"}},
		},
		{
			name: "unknown preStopHook",
			in:   func(s *spec.ServiceSpec) { s.Pod.PreStopHook = "http" },
			want: []wantErr{{"spec.pod.preStopHook", `supported values: "sleep", "exec"`}},
		},
		{
			name: "runAsUser 0 (root)",
			in:   func(s *spec.ServiceSpec) { s.Pod.RunAsUser = int64Ptr(0) },
			want: []wantErr{{"spec.pod.runAsUser", "non-root"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := minimal()
			if tc.in != nil {
				tc.in(&s)
			}
			matchErrors(t, validate(s, tc.inputs, tc.after), tc.want)
		})
	}
}

func TestResolveReportsEveryProblem(t *testing.T) {
	s := spec.ServiceSpec{
		// Validate: six problems.
		Namespace:    "kube-system",
		HealthCheck:  spec.HealthCheck{Path: "healthz"},
		LoadBalancer: spec.LoadBalancer{SSLRedirect: boolPtr(true)},
		Labels:       map[string]string{"app.kubernetes.io/name": "other"},
		Env:          []spec.EnvVar{{Name: "MODE", Value: "a"}, {Name: "MODE", Value: "b"}},
		// Timing, with R=15, S=15 (default), L=25 (ALB), idle 60 (ALB):
		// rule 8 (30 ≤ 60), rule 2 (P=10 < 25), rule 4 (G=20 ≤ 10 + 15).
		App:    spec.App{MaxRequestSeconds: 15, KeepAliveTimeoutSeconds: intPtr(30)},
		Timing: spec.Timing{PreStopSleepSeconds: intPtr(10), TerminationGracePeriodSeconds: intPtr(20)},
	}
	want := []wantErr{
		{"spec.image", "Required value"},
		{"spec.namespace", "readiness-gate label"},
		{"spec.healthCheck.path", `use "/healthz"`},
		{"spec.loadBalancer.sslRedirect", "certificateArn"},
		{"spec.labels[app.kubernetes.io/name]", "selector labels"},
		{"spec.env[1].name", `Duplicate value: "MODE"`},
		{"spec.app.keepAliveTimeoutSeconds", "rule 8"},
		{"spec.timing.preStopSleepSeconds", "rule 2"},
		{"spec.timing.terminationGracePeriodSeconds", "rule 4"},
	}

	r, err := service.Resolve("web", s, spec.Inputs{})
	if r != nil {
		t.Errorf("Resolve returned a result with its error: %+v", r)
	}
	var invalid *spec.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("Resolve error %v (%T), want *spec.InvalidError", err, err)
	}
	matchErrors(t, invalid.Errors, want)

	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 1+len(want) {
		t.Errorf("Error() has %d lines, want a header and one line per problem (%d):\n%s", len(lines), 1+len(want), err)
	}
	for _, w := range want {
		n := 0
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "  - "+w.path+": ") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("Error() has %d lines for %s, want 1:\n%s", n, w.path, err)
		}
	}
}

func TestResolveUnknownKindSkipsTiming(t *testing.T) {
	s := minimal()
	s.LoadBalancer.Kind = "gateway"
	s.Timing.PreStopSleepSeconds = intPtr(1) // would break rule 2 for an ALB
	_, err := service.Resolve("web", s, spec.Inputs{})
	var invalid *spec.InvalidError
	if !errors.As(err, &invalid) {
		t.Fatalf("Resolve error %v, want *spec.InvalidError", err)
	}
	matchErrors(t, invalid.Errors, []wantErr{{"spec.loadBalancer.kind", `"gateway"`}})
}

// A problem found by both Validate and the timing model is one problem: the
// InvalidError promises one line per problem.
func TestResolveReportsEachProblemOnce(t *testing.T) {
	for _, replicas := range []int{0, -1} {
		s := minimal()
		s.Replicas = intPtr(replicas)
		_, err := service.Resolve("web", s, spec.Inputs{})
		var invalid *spec.InvalidError
		if !errors.As(err, &invalid) {
			t.Fatalf("replicas %d: Resolve error %v, want *spec.InvalidError", replicas, err)
		}
		seen := map[string]bool{}
		for _, e := range invalid.Errors {
			if seen[e.Error()] {
				t.Errorf("replicas %d: reported twice: %v", replicas, e)
			}
			seen[e.Error()] = true
		}
		if !seen["spec.replicas: Invalid value: "+strconv.Itoa(replicas)+": must be at least 1"] {
			t.Errorf("replicas %d: no spec.replicas error in\n%v", replicas, err)
		}
	}
}

func TestResolve(t *testing.T) {
	s := minimal()
	s.Labels = map[string]string{"team": "a"}
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	// R=15, S=R=15, L=25: D = 25 + 15 + 5, P = max(25, 45 − 15 + 1), G = 31 + 15 + 5.
	if got := [3]int{r.Timing.DeregistrationDelaySeconds, r.Timing.PreStopSleepSeconds, r.Timing.TerminationGracePeriodSeconds}; got != [3]int{45, 31, 51} {
		t.Errorf("D, P, G = %v, want [45 31 51]", got)
	}
	if r.Spec.Name != "web" || r.Spec.Namespace != "default" || val(r.Spec.Replicas) != 3 {
		t.Errorf("resolved spec not defaulted: name %q, namespace %q, replicas %v", r.Spec.Name, r.Spec.Namespace, val(r.Spec.Replicas))
	}
	ti := r.TimingInputs()
	if ti.MaxRequestSeconds != 15 || ti.ShutdownSeconds != 15 || ti.PropagationSeconds != 25 || ti.IdleTimeoutSeconds != 60 ||
		ti.Replicas != 3 || ti.MaxSurge != 1 || ti.StartupSeconds != 30 {
		t.Errorf("timing inputs %+v, want R=15 S=15 L=25 idle 60 startup 30, 3 replicas, maxSurge 1", ti)
	}
	if s.Name != "" || s.Replicas != nil || s.Labels["team"] != "a" || len(s.Labels) != 1 {
		t.Errorf("Resolve changed the caller's spec: %+v", s)
	}

	s.LoadBalancer.IdleTimeoutSeconds = intPtr(120)
	s.App.KeepAliveTimeoutSeconds = intPtr(121)
	r, err = service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		t.Fatalf("Resolve with idle timeout 120 and keep-alive 121: %v", err)
	}
	if r.TimingInputs().IdleTimeoutSeconds != 120 {
		t.Errorf("idle timeout %d, want the spec's 120", r.TimingInputs().IdleTimeoutSeconds)
	}
}

// Problems with several labels come in one order, every time: a map's order
// must not reach the error list (CI logs and golden files would flap).
func TestLabelErrorsHaveOneOrder(t *testing.T) {
	s := minimal()
	s.Labels = map[string]string{}
	for _, k := range []string{"b?", "a?", "e?", "c?", "d?", "f?", "g?"} {
		s.Labels[k] = "x"
	}
	first := validate(s, spec.Inputs{}, nil).ToAggregate().Error()
	for range 20 {
		if got := validate(s, spec.Inputs{}, nil).ToAggregate().Error(); got != first {
			t.Fatalf("two runs, two orders:\n%s\n%s", first, got)
		}
	}
	if strings.Index(first, `labels[a?]`) > strings.Index(first, `labels[g?]`) {
		t.Errorf("labels not in key order: %s", first)
	}
}
