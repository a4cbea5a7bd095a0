// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package check re-verifies the timing model on emitted Kubernetes objects.
// It reads every number back from the objects themselves (the Ingress
// annotations, the Deployment's pod template, the zds.dev/* facts) and shares
// no code with the derivation, so a bug in one is caught by the other. The
// same checks run on rendered manifests and on live objects.
package check

import (
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/spec"
)

// Chain is the timing chain as read from the objects.
type Chain struct {
	Namespace, Name string
	// Facts (zds.dev/* annotations on the Deployment).
	MaxRequestSeconds, ShutdownSeconds, StartupSeconds, PropagationSeconds, IdleTimeoutSeconds int
	KeepAliveTimeoutSeconds                                                                    *int
	// Settings.
	DeregistrationDelaySeconds, PreStopSleepSeconds, TerminationGracePeriodSeconds int
	HealthCheckIntervalSeconds, UnhealthyThreshold                                 int
	MinReadySeconds, ProgressDeadlineSeconds                                       int
	// What else zds explain describes: the rollout's size and pace, the
	// health check's path and the app container's probes.
	Replicas                                          int // 0: unset (an autoscaler sets it)
	MaxSurge                                          string
	HealthCheckPath                                   string
	LoadBalancer                                      string // the settings' object and class
	ReadinessPeriodSeconds, ReadinessFailureThreshold int
	StartupPeriodSeconds, StartupFailureThreshold     int
}

// Violation is one broken rule.
type Violation struct {
	Object string // kind/name
	Rule   string
	Detail string
}

func (v Violation) String() string { return fmt.Sprintf("%s: rule %s: %s", v.Object, v.Rule, v.Detail) }

type checker struct {
	out []Violation
}

func (c *checker) fail(object, rule, format string, args ...any) {
	c.out = append(c.out, Violation{Object: object, Rule: rule, Detail: fmt.Sprintf(format, args...)})
}

func (c *checker) atoi(object, key string, ann map[string]string) int {
	v, ok := ann[key]
	if !ok {
		c.fail(object, "facts", "annotation %s missing", key)
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		c.fail(object, "facts", "annotation %s=%q is not a number", key, v)
	}
	return n
}

// number parses a setting the load balancer's reader returned.
func (c *checker) number(object, what, v string) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		c.fail(object, "facts", "%s %q is not a number", what, v)
	}
	return n
}

// service is one service's objects being checked: what the rules read,
// and the chain read so far.
type service struct {
	*checker
	o   *manifests.Objects
	d   *appsv1.Deployment
	dn  string // Deployment/name
	svc *corev1.Service
	pdb *policyv1.PodDisruptionBudget
	ctr corev1.Container
	lb  Settings
	ch  Chain
}

// Objects checks one service's objects against every rule of the timing
// model and returns the chain it read. An empty list means every rule holds.
func Objects(o *manifests.Objects) (Chain, []Violation) {
	c := &checker{}
	if o.Deployment == nil || o.Service == nil || o.PDB == nil {
		c.fail("objects", "completeness", "need a Deployment, Service and PodDisruptionBudget")
		return Chain{}, c.out
	}
	lb, ok := loadBalancerSettings(o)
	if !ok {
		c.fail("objects", "completeness", "need what binds the Service to a load balancer: an Ingress, a Service of type LoadBalancer, or a TargetGroupBinding with its target group")
		return Chain{}, c.out
	}
	s := &service{checker: c, o: o, d: o.Deployment, dn: "Deployment/" + o.Deployment.Name, svc: o.Service, pdb: o.PDB, lb: lb}
	s.ch.Namespace, s.ch.Name = s.d.Namespace, s.d.Name
	s.readFacts()
	ctr, ok := appContainer(s.d.Spec.Template.Spec.Containers)
	if !ok {
		c.fail(s.dn, "shape", "no container named %q (and more than one container)", manifests.ContainerName)
		return s.ch, c.out
	}
	s.ctr = ctr
	s.readPod()
	s.readTargetGroup()
	s.drainChain()
	s.sidecarChain()
	s.wayIn()
	s.probes()
	s.keepAlive()
	s.selection()
	s.autoscaling()
	return s.ch, c.out
}

// appContainer is the container named "app", or the only one.
func appContainer(cs []corev1.Container) (corev1.Container, bool) {
	if c, ok := containerNamed(cs, manifests.ContainerName); ok {
		return c, true
	}
	if len(cs) == 1 {
		return cs[0], true
	}
	return corev1.Container{}, false
}

// preStopSleep reads a container's preStop hook as a sleep: the sleep
// action or `sleep N`. hooked is false without a hook; problem says what is
// wrong with a hook that is no such sleep.
func preStopSleep(c corev1.Container) (seconds int, hooked bool, problem string) {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0, false, ""
	}
	h := c.Lifecycle.PreStop
	switch {
	case h.Sleep != nil:
		return int(h.Sleep.Seconds), true, ""
	case h.Exec != nil && len(h.Exec.Command) == 2 && h.Exec.Command[0] == "sleep":
		n, err := strconv.Atoi(h.Exec.Command[1])
		if err != nil {
			return 0, true, fmt.Sprintf("preStop exec sleep %q is not a number of seconds", h.Exec.Command[1])
		}
		return n, true, ""
	}
	return 0, true, "preStop hook is neither a sleep action nor `sleep N`"
}

// sidecarChain checks rule 4 with the sidecars the Deployment's facts
// list: a classic sidecar on the request path sleeps until the app has
// drained, and the grace period outlasts the regular containers and then
// the native sidecars, stopped one after another.
func (s *service) sidecarChain() {
	facts := s.d.Annotations[manifests.AnnSidecarShutdown]
	if facts == "" {
		return
	}
	onPath := map[string]bool{}
	for _, n := range strings.Split(s.d.Annotations[manifests.AnnSidecarsOnPath], ",") {
		onPath[n] = n != ""
	}
	pod := s.d.Spec.Template.Spec
	P, S, G := s.ch.PreStopSleepSeconds, s.ch.ShutdownSeconds, s.ch.TerminationGracePeriodSeconds
	mainEnd, native := P+S, 0
	for _, f := range strings.Split(facts, ",") {
		name, v, _ := strings.Cut(f, "=")
		shutdown, err := strconv.Atoi(v)
		if err != nil {
			s.fail(s.dn, "facts", "sidecar shutdown %q is not name=seconds", f)
			continue
		}
		if c, ok := containerNamed(pod.InitContainers, name); ok && c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			native += shutdown
			continue
		}
		c, ok := containerNamed(pod.Containers, name)
		if !ok {
			s.fail(s.dn, "facts", "sidecar %s is neither a native sidecar nor a container of the pod", name)
			continue
		}
		pre, _, problem := preStopSleep(c)
		if problem != "" {
			s.fail(s.dn, "4", "sidecar %s's %s", name, problem)
		}
		if onPath[name] && pre < P+S {
			s.fail(s.dn, "4", "sidecar %s is on the request path but its preStop %d < preStop %d + shutdown %d = %d: it stops passing requests while the app drains", name, pre, P, S, P+S)
		}
		mainEnd = max(mainEnd, pre+shutdown)
	}
	if end := mainEnd + native; G <= end {
		s.fail(s.dn, "4", "grace period %d ≤ %d, when the last sidecar has stopped (regular containers until %d, then native sidecars %d s)", G, end, mainEnd, native)
	}
}

func containerNamed(cs []corev1.Container, name string) (corev1.Container, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return corev1.Container{}, false
}

// readFacts reads the zds.dev/* facts the timings derive from.
func (s *service) readFacts() {
	ann, dn := s.d.Annotations, s.dn
	s.ch.MaxRequestSeconds = s.atoi(dn, manifests.AnnMaxRequestSeconds, ann)
	s.ch.ShutdownSeconds = s.atoi(dn, manifests.AnnShutdownSeconds, ann)
	s.ch.StartupSeconds = s.atoi(dn, manifests.AnnStartupSeconds, ann)
	s.ch.PropagationSeconds = s.atoi(dn, manifests.AnnPropagationSeconds, ann)
	s.ch.IdleTimeoutSeconds = s.atoi(dn, manifests.AnnIdleTimeoutSeconds, ann)
	if _, ok := ann[manifests.AnnKeepAliveSeconds]; ok {
		k := s.atoi(dn, manifests.AnnKeepAliveSeconds, ann)
		s.ch.KeepAliveTimeoutSeconds = &k
	}
}

// readPod reads the grace period, the preStop sleep and the rollout
// settings from the Deployment.
func (s *service) readPod() {
	pod, ctr, dn := s.d.Spec.Template.Spec, s.ctr, s.dn
	if pod.TerminationGracePeriodSeconds == nil {
		s.fail(dn, "4", "terminationGracePeriodSeconds unset (Kubernetes would use 30)")
	} else {
		s.ch.TerminationGracePeriodSeconds = int(*pod.TerminationGracePeriodSeconds)
	}
	n, hooked, problem := preStopSleep(ctr)
	switch {
	case !hooked:
		s.fail(dn, "2", "no preStop hook: SIGTERM arrives while the load balancer still routes to the pod")
	case problem != "":
		s.fail(dn, "2", "%s", problem)
	}
	s.ch.PreStopSleepSeconds = n
	s.ch.MinReadySeconds = int(s.d.Spec.MinReadySeconds)
	if r := s.d.Spec.Replicas; r != nil {
		s.ch.Replicas = int(*r)
	}
	if ru := s.d.Spec.Strategy.RollingUpdate; ru != nil && ru.MaxSurge != nil {
		s.ch.MaxSurge = ru.MaxSurge.String()
	}
	if p := ctr.ReadinessProbe; p != nil {
		s.ch.ReadinessPeriodSeconds, s.ch.ReadinessFailureThreshold = int(p.PeriodSeconds), int(p.FailureThreshold)
	}
	if p := ctr.StartupProbe; p != nil {
		s.ch.StartupPeriodSeconds, s.ch.StartupFailureThreshold = int(p.PeriodSeconds), int(p.FailureThreshold)
	}
	if s.d.Spec.ProgressDeadlineSeconds != nil {
		s.ch.ProgressDeadlineSeconds = int(*s.d.Spec.ProgressDeadlineSeconds)
	}
}

// readTargetGroup reads the deregistration delay and the health check from
// the load balancer's settings.
func (s *service) readTargetGroup() {
	lb := s.lb
	if lb.TargetType != "ip" {
		s.fail(lb.Object, "6", "target type is %q: the readiness gate needs IP targets", lb.TargetType)
	}
	s.ch.DeregistrationDelaySeconds = -1
	for _, attr := range strings.Split(lb.Attributes, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(attr), "=")
		if k == "deregistration_delay.timeout_seconds" {
			n, err := strconv.Atoi(v)
			if err != nil {
				s.fail(lb.Object, "1", "deregistration delay %q is not a number", v)
			}
			s.ch.DeregistrationDelaySeconds = n
		}
	}
	if s.ch.DeregistrationDelaySeconds < 0 {
		s.fail(lb.Object, "1", "no deregistration_delay.timeout_seconds: the ELB default of 300 s applies")
		s.ch.DeregistrationDelaySeconds = 300
	}
	s.ch.HealthCheckIntervalSeconds = s.number(lb.Object, "health-check interval", lb.IntervalSeconds)
	s.ch.UnhealthyThreshold = s.number(lb.Object, "unhealthy threshold", lb.UnhealthyThreshold)
	s.ch.HealthCheckPath = lb.HealthCheckPath
	s.ch.LoadBalancer = strings.TrimSpace(lb.Object + " " + lb.Class)
}

// drainChain checks rules 1–5: the way out.
func (s *service) drainChain() {
	ch, in, dn := s.ch, s.lb.Object, s.dn
	R, S, L := ch.MaxRequestSeconds, ch.ShutdownSeconds, ch.PropagationSeconds
	D, P, G := ch.DeregistrationDelaySeconds, ch.PreStopSleepSeconds, ch.TerminationGracePeriodSeconds
	if D < L+R {
		s.fail(in, "1", "deregistration delay %d < propagation %d + longest request %d = %d: a request the load balancer starts at the end of propagation is cut", D, L, R, L+R)
	}
	if D > 3600 {
		s.fail(in, "1", "deregistration delay %d above the ELB maximum 3600", D)
	}
	if P < L {
		s.fail(dn, "2", "preStop %d < propagation %d", P, L)
	}
	if P+S <= D {
		s.fail(dn, "3", "preStop %d + shutdown %d = %d ≤ deregistration delay %d", P, S, P+S, D)
	}
	if G <= P+S {
		s.fail(dn, "4", "grace period %d ≤ preStop %d + shutdown %d = %d", G, P, S, P+S)
	}
	if L < 5 {
		s.fail(dn, "5", "propagation budget %d s is shorter than any ELB takes; health checks (%d × %d s) must not cover it", L, ch.UnhealthyThreshold, ch.HealthCheckIntervalSeconds)
	}
}

// wayIn checks rule 6: maxUnavailable 0, maxSurge ≥ 1, the gate label.
func (s *service) wayIn() {
	d, dn := s.d, s.dn
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil {
		s.fail(dn, "6", "strategy must be RollingUpdate")
	} else {
		if ru.MaxUnavailable == nil || ru.MaxUnavailable.String() != "0" {
			s.fail(dn, "6", "maxUnavailable must be 0, is %v", ru.MaxUnavailable)
		}
		if ru.MaxSurge == nil || (ru.MaxSurge.Type == intstr.Int && ru.MaxSurge.IntVal < 1) || ru.MaxSurge.String() == "0%" {
			s.fail(dn, "6", "maxSurge must be at least 1, is %v", ru.MaxSurge)
		}
	}
	nsObj := s.o.Namespace
	if nsObj == nil {
		nsObj = s.o.NamespacePatch
	}
	if nsObj == nil || nsObj.Name != d.Namespace || nsObj.Labels[spec.ReadinessGateLabel] != spec.ReadinessGateValue {
		s.fail("Namespace/"+d.Namespace, "6", "the namespace must carry %s=%s", spec.ReadinessGateLabel, spec.ReadinessGateValue)
	}
}

// probes checks rule 7 (LB health check = readiness probe), the startup
// budget, and that liveness differs from readiness.
func (s *service) probes() {
	ctr, dn, in := s.ctr, s.dn, s.lb.Object
	rp := ctr.ReadinessProbe
	if rp == nil || rp.HTTPGet == nil {
		s.fail(dn, "7", "no HTTP readiness probe")
	} else {
		if rp.HTTPGet.Path != s.lb.HealthCheckPath {
			s.fail(in, "7", "health check path %q ≠ readiness path %q", s.lb.HealthCheckPath, rp.HTTPGet.Path)
		}
		readinessPort := containerPort(ctr, rp.HTTPGet.Port)
		lbPort := s.lb.HealthCheckPort
		if lbPort == "traffic-port" {
			lbPort = strconv.Itoa(int(containerPort(ctr, svcTarget(s.svc))))
		}
		if lbPort != strconv.Itoa(int(readinessPort)) {
			s.fail(in, "7", "health check port %s ≠ readiness port %d", lbPort, readinessPort)
		}
	}
	if sp := ctr.StartupProbe; sp == nil {
		s.fail(dn, "startup", "no startup probe")
	} else if budget := int(sp.PeriodSeconds * sp.FailureThreshold); budget < s.ch.StartupSeconds {
		s.fail(dn, "startup", "startup probe budget %d s < app start-up %d s", budget, s.ch.StartupSeconds)
	}
	if lp := ctr.LivenessProbe; lp != nil && rp != nil && equalProbes(lp, rp) {
		s.fail(dn, "liveness", "liveness probe identical to readiness probe")
	}
}

// keepAlive checks rule 8, for layer-7 load balancers only (an NLB reuses
// no connections).
func (s *service) keepAlive() {
	if k := s.ch.KeepAliveTimeoutSeconds; k != nil && s.lb.ReusesConnections && *k <= s.ch.IdleTimeoutSeconds {
		s.fail(s.dn, "8", "keep-alive %d ≤ LB idle timeout %d", *k, s.ch.IdleTimeoutSeconds)
	}
}

// selection checks that the Service and budget select exactly the pods and
// that what binds the Service routes to it.
func (s *service) selection() {
	d, dn, svc, pdb := s.d, s.dn, s.svc, s.pdb
	podLabels := labels.Set(d.Spec.Template.Labels)
	if d.Spec.Selector == nil || !labels.SelectorFromSet(d.Spec.Selector.MatchLabels).Matches(podLabels) {
		s.fail(dn, "selection", "selector does not match the pod template")
	}
	if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		s.fail("Service/"+svc.Name, "selection", "selector does not select the pods")
	}
	if pdb.Spec.Selector == nil || d.Spec.Selector == nil || !maps.Equal(pdb.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels) || len(pdb.Spec.Selector.MatchExpressions) > 0 {
		s.fail("PodDisruptionBudget/"+pdb.Name, "selection", "selector must equal the Deployment's")
	}
	if pdb.APIVersion != "" && pdb.APIVersion != "policy/v1" {
		s.fail("PodDisruptionBudget/"+pdb.Name, "api", "apiVersion %s: only policy/v1 exists since Kubernetes 1.25", pdb.APIVersion)
	}
	if ing := s.o.Ingress; ing != nil {
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				b := p.Backend.Service
				if b == nil || b.Name != svc.Name || !hasServicePort(svc, b.Port) {
					s.fail(s.lb.Object, "selection", "path %s does not route to Service/%s", p.Path, svc.Name)
				}
			}
		}
	}
	if tgb := s.o.TargetGroupBinding; tgb != nil {
		ref := tgb.Spec.ServiceRef
		if ref.Name != svc.Name || !hasServicePort(svc, networkingv1.ServiceBackendPort{Name: ref.Port.StrVal, Number: ref.Port.IntVal}) {
			s.fail("TargetGroupBinding/"+tgb.Name, "selection", "binds %s:%s, not a port of Service/%s", ref.Name, ref.Port.String(), svc.Name)
		}
	}
}

// autoscaling checks that an autoscaler owns the replicas, scales this
// Deployment, and keeps two pods above what the budget lets go.
func (s *service) autoscaling() {
	h := s.o.HPA
	if h == nil {
		return
	}
	d, pdb := s.d, s.pdb
	if d.Spec.Replicas != nil {
		s.fail(s.dn, "autoscaling", "sets replicas (%d) although an autoscaler owns them: every apply would reset the count", *d.Spec.Replicas)
	}
	if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != d.Name {
		s.fail("HorizontalPodAutoscaler/"+h.Name, "autoscaling", "scales %s/%s, not Deployment/%s", h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name, d.Name)
	}
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
		s.fail("HorizontalPodAutoscaler/"+h.Name, "autoscaling", "minReplicas below 2: a drain takes the service down")
	} else if pdb.Spec.MaxUnavailable != nil && pdb.Spec.MaxUnavailable.IntValue() >= int(*h.Spec.MinReplicas) {
		s.fail("PodDisruptionBudget/"+pdb.Name, "autoscaling", "maxUnavailable %s is not below the autoscaler's minReplicas %d", pdb.Spec.MaxUnavailable.String(), *h.Spec.MinReplicas)
	}
}

func svcTarget(svc *corev1.Service) intstr.IntOrString {
	if len(svc.Spec.Ports) == 0 {
		return intstr.IntOrString{}
	}
	return svc.Spec.Ports[0].TargetPort
}

func containerPort(ctr corev1.Container, p intstr.IntOrString) int32 {
	if p.Type == intstr.Int {
		return p.IntVal
	}
	for _, cp := range ctr.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort
		}
	}
	return -1
}

func hasServicePort(svc *corev1.Service, p networkingv1.ServiceBackendPort) bool {
	for _, sp := range svc.Spec.Ports {
		if (p.Name != "" && sp.Name == p.Name) || (p.Number != 0 && sp.Port == p.Number) {
			return true
		}
	}
	return false
}

func equalProbes(a, b *corev1.Probe) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Settings are a target group's settings as the objects carry them
// (annotations, or the AWS target group's fields), as strings the way
// Kubernetes stores them; package check parses and checks them.
type Settings struct {
	// Object is where the settings live, e.g. Ingress/web.
	Object string
	// Class is what makes the AWS Load Balancer Controller take the
	// object, e.g. the Ingress's class.
	Class      string
	TargetType string
	// Attributes are the target group attributes, "key=value,key=value".
	Attributes         string
	HealthCheckPath    string
	HealthCheckPort    string
	IntervalSeconds    string
	UnhealthyThreshold string
	// ReusesConnections is true for layer-7 load balancers (rule 8).
	ReusesConnections bool
}

// A Reader returns the target group's settings from the objects of one
// load-balancer mode, or false when o holds no such objects.
type Reader func(o *manifests.Objects) (Settings, bool)

var readers []Reader

// RegisterReader adds a load-balancer mode's reader. Package service
// registers every mode's when it is imported (as database/sql drivers
// register themselves), so check imports no mode and the modes can use
// check; a program that checks objects imports service, directly or
// through the component.
func RegisterReader(r Reader) { readers = append(readers, r) }

// loadBalancerSettings reads the target group's settings with the reader of
// the first load-balancer mode whose objects o holds: the Ingress (alb),
// the Service of type LoadBalancer (nlb) or the AWS target group
// (targetGroupBinding).
func loadBalancerSettings(o *manifests.Objects) (Settings, bool) {
	for _, read := range readers {
		if s, ok := read(o); ok {
			return s, true
		}
	}
	return Settings{}, false
}
