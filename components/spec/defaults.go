// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec

import (
	"regexp"
	"strconv"
	"strings"
)

// Defaults applied by WithDefaults, in one place. Timing defaults that
// depend on the load-balancer kind live in its mode (package service).
const (
	DefaultNamespace      = "default"
	DefaultPort           = 8080
	DefaultReplicas       = 3
	DefaultHealthPath     = "/healthz"
	DefaultSuccessCodes   = "200"
	DefaultStartupSeconds = 30
	DefaultKind           = "alb"
	// DefaultHeadroom is capacity.headroom: Kubernetes' own default surge.
	DefaultHeadroom    = "25%"
	DefaultPreStopHook = "sleep"
	// DefaultSecurityLevel is the Pod Security Standard zds's pods meet.
	DefaultSecurityLevel = "restricted"
	DefaultRunAsUser     = int64(65532)
	DefaultCPURequest    = "100m"
	DefaultMemoryRequest = "128Mi"
	DefaultMinReplicas   = 2
	DefaultSpreadZones   = "DoNotSchedule"
	DefaultSpreadNodes   = "ScheduleAnyway"

	DefaultScaleDownStabilizationSeconds = 300
	DefaultInitMaxSeconds                = 30
	DefaultSidecarShutdownSeconds        = 5
)

// MaxReplicas is the most pods the service runs outside a rollout:
// replicas, or autoscaling.maxReplicas. Rollout deadlines are sized for it.
func (s ServiceSpec) MaxReplicas() int {
	if s.Autoscaling.Enabled {
		return s.Autoscaling.MaxReplicas
	}
	if s.Replicas == nil {
		return DefaultReplicas
	}
	return *s.Replicas
}

// Of is the headroom for n replicas: the count, or the percentage of n
// rounded up as Kubernetes rounds a surge; at least 1. A headroom that
// does not parse counts as the default (validation reports it).
func (c Capacity) Of(n int) int {
	h := c.Headroom
	if !headroomPattern.MatchString(h) {
		h = DefaultHeadroom
	}
	if pct, ok := strings.CutSuffix(h, "%"); ok {
		p, _ := strconv.Atoi(pct)
		return max(1, int((int64(n)*int64(p)+99)/100))
	}
	v, _ := strconv.Atoi(h)
	return max(1, v)
}

// headroomPattern is capacity.headroom's, as the schema states it.
var headroomPattern = regexp.MustCompile(`^([1-9][0-9]{0,9}|([1-9][0-9]?|100)%)$`)

// MinReplicas is the fewest pods the service runs: replicas, or
// autoscaling.minReplicas. The disruption budget must leave one of them.
func (s ServiceSpec) MinReplicas() int {
	if s.Autoscaling.Enabled {
		if s.Autoscaling.MinReplicas == nil {
			return DefaultMinReplicas
		}
		return *s.Autoscaling.MinReplicas
	}
	return s.MaxReplicas()
}

// WithDefaults returns a copy of s with every default that does not
// depend on the load-balancer kind applied (service.WithDefaults adds the
// kind's). name is the component's name, the default for s.Name. It sets:
//
//   - name: the component's name; namespace: "default"
//   - port: 8080; replicas: 3 (none with autoscaling, which defaults
//     minReplicas to 2 and scaleDownStabilizationSeconds to 300)
//   - spread.zones: "DoNotSchedule"; spread.nodes: "ScheduleAnyway"
//   - resources.requests: the limit when only a limit is set (as Kubernetes
//     does), else cpu 100m, memory 128Mi; resources.limits.memory: the memory
//     request
//   - healthCheck.path: "/healthz"; healthCheck.port: port;
//     healthCheck.successCodes: "200"
//   - liveness.path: healthCheck.path
//   - initContainers[].resources: as the app's; initContainers[].maxSeconds: 30
//   - sidecars[].resources: as the app's; sidecars[].shutdownSeconds: 5
//   - app.shutdownSeconds: app.maxRequestSeconds; app.startupSeconds: 30
//   - loadBalancer.kind: "alb"
//   - rollout.maxSurge: ceil(replicas / 4) (autoscaling: maxReplicas / 4), at
//     least 1
//   - disruption.maxUnavailable: 1
//   - serviceAccount.name (with create): the service's name
//   - pod.preStopHook: "sleep"; pod.runAsUser: 65532;
//     pod.readOnlyRootFilesystem: true
//
// Each load-balancer kind then sets (service.Mode.Default): scheme (alb,
// nlb): "internal"; paths (alb, targetGroupBinding): ["/"];
// ingressClassName (alb): "alb"; sslRedirect (alb): true when a
// certificate is set; propagationSeconds and the health check's interval,
// timeout and thresholds from the kind's profile (ALB 25 s and 10 s, 5 s,
// 2, 2; NLB 120 s).
//
// Defaults never override a value that is set, and nothing derived
// (deregistration delay, preStop, grace period) is set here.
func (s ServiceSpec) WithDefaults(name string) ServiceSpec {
	s = s.deepCopy()
	setString(&s.Name, name)
	setString(&s.Namespace, DefaultNamespace)
	setInt(&s.Port, DefaultPort)
	if s.Autoscaling.Enabled {
		setIntPtr(&s.Autoscaling.MinReplicas, DefaultMinReplicas)
		setIntPtr(&s.Autoscaling.ScaleDownStabilizationSeconds, DefaultScaleDownStabilizationSeconds)
	} else {
		setIntPtr(&s.Replicas, DefaultReplicas)
	}
	setString(&s.Spread.Zones, DefaultSpreadZones)
	setString(&s.Spread.Nodes, DefaultSpreadNodes)

	defaultResources(&s.Resources)
	for i := range s.InitContainers {
		defaultResources(&s.InitContainers[i].Resources)
		setIntPtr(&s.InitContainers[i].MaxSeconds, DefaultInitMaxSeconds)
	}
	for i := range s.Sidecars {
		defaultResources(&s.Sidecars[i].Resources)
		setIntPtr(&s.Sidecars[i].ShutdownSeconds, DefaultSidecarShutdownSeconds)
	}

	setString(&s.LoadBalancer.Kind, DefaultKind)

	hc := &s.HealthCheck
	setString(&hc.Path, DefaultHealthPath)
	setIntPtr(&hc.Port, s.Port)
	setString(&hc.SuccessCodes, DefaultSuccessCodes)
	setString(&s.Liveness.Path, hc.Path)

	setIntPtr(&s.App.ShutdownSeconds, s.App.MaxRequestSeconds)
	setIntPtr(&s.App.StartupSeconds, DefaultStartupSeconds)

	if s.LoadBalancer.RequireReadinessGate == nil {
		t := true
		s.LoadBalancer.RequireReadinessGate = &t
	}
	setString(&s.Capacity.Headroom, DefaultHeadroom)
	setIntPtr(&s.Rollout.MaxSurge, s.Capacity.Of(s.MaxReplicas()))
	// A budget leaves at least one pod; validation refuses a single
	// replica unless downtime is accepted.
	setIntPtr(&s.Disruption.MaxUnavailable, max(1, min(s.Capacity.Of(s.MinReplicas()), s.MinReplicas()-1)))

	if s.ServiceAccount.Create {
		setString(&s.ServiceAccount.Name, s.Name)
	}
	setString(&s.Pod.PreStopHook, DefaultPreStopHook)
	setString(&s.Pod.SecurityLevel, DefaultSecurityLevel)
	if s.Pod.RunAsUser == nil {
		u := DefaultRunAsUser
		s.Pod.RunAsUser = &u
	}
	if s.Pod.ReadOnlyRootFilesystem == nil {
		t := true
		s.Pod.ReadOnlyRootFilesystem = &t
	}
	return s
}

// defaultResources fills requests and the memory limit as the app's: as
// Kubernetes does, a limit without a request is also the request.
func defaultResources(r *Resources) {
	setString(&r.Requests.CPU, r.Limits.CPU)
	setString(&r.Requests.CPU, DefaultCPURequest)
	setString(&r.Requests.Memory, r.Limits.Memory)
	setString(&r.Requests.Memory, DefaultMemoryRequest)
	setString(&r.Limits.Memory, r.Requests.Memory)
}

func setString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setInt(p *int, v int) {
	if *p == 0 {
		*p = v
	}
}

func setIntPtr(p **int, v int) {
	if *p == nil {
		*p = &v
	}
}
