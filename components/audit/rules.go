// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/annotations"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

// objects are the service's objects.
func (s *Service) objects() []*Object {
	out := []*Object{s.Deployment.O}
	for _, x := range s.Services {
		out = append(out, x.O)
	}
	for _, x := range s.Ingresses {
		out = append(out, x.O)
	}
	for _, x := range s.TargetGroupBindings {
		out = append(out, x.O)
	}
	for _, x := range s.Budgets {
		out = append(out, x.O)
	}
	for _, x := range s.Autoscaler {
		out = append(out, x.O)
	}
	if s.Namespace != nil {
		out = append(out, s.Namespace.O)
	}
	return out
}

func labelsOf(d Typed[appsv1.Deployment]) labels.Set { return labels.Set(d.V.Spec.Template.Labels) }

// run is one service being checked.
type run struct {
	s    *Service
	in   *input
	out  *ServiceReport
	ctr  corev1.Container
	ci   int // the app container's index
	ch   Chain
	seen map[string]bool
	// want is the chain every fix together makes: the smallest D that
	// holds rule 1 (unless one is set and holds it), then P and G.
	want Chain
	// explicitD is true when a target group sets its delay.
	explicitD bool
}

// plan reads D (the largest of the target groups') and computes the
// chain the fixes make: D* = D when set and ≥ L + R, else L + R (the ELB's
// 300 s default only makes pods wait); P* = max(P, L, D* − S + 1);
// G* = max(G, P* + S + 1). Applying every fix gives a chain that holds
// rules 1–4.
func (r *run) plan(tgs []TargetGroup) {
	ch := &r.ch
	for _, tg := range tgs {
		if tg.DeregistrationDelay >= 0 && tg.DeregistrationDelay > ch.D {
			ch.D = tg.DeregistrationDelay
		}
		r.explicitD = r.explicitD || tg.Explicit[tg.keys.attributes+"#deregistration_delay.timeout_seconds"]
	}
	w := Chain{R: ch.R, S: ch.S, L: ch.L, D: ch.L + ch.R}
	if r.explicitD && ch.D >= ch.L+ch.R {
		w.D = ch.D
	}
	if ch.D < 0 {
		w.D = -1
	}
	w.P = max(ch.P, ch.L, w.D-ch.S+1)
	w.G = max(ch.G, w.P+ch.S+1)
	r.want = w
}

// add records a finding at a field of an object (path: its keys).
func (r *run) add(sev Severity, rule, title string, o *Object, path []string, fix *Fix, format string, args ...any) {
	if ignored(o, rule) {
		return
	}
	f := Finding{Severity: sev, Rule: rule, Title: title, Object: o.Ref(), Namespace: namespaceName(o.Namespace),
		Field: fieldPath(path), File: o.File, Message: fmt.Sprintf(format, args...), Fix: fix}
	f.Line, f.Column = o.Pos(path...)
	key := f.Rule + "|" + f.Object + "|" + f.Field + "|" + f.Message
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.out.Findings = append(r.out.Findings, f)
}

var podPath = []string{"spec", "template", "spec"}

func (r *run) ctrPath(rest ...string) []string {
	return append(append(append([]string{}, podPath...), "containers", strconv.Itoa(r.ci)), rest...)
}

func checkService(s *Service, in *input, opts Options) *ServiceReport {
	r := &run{s: s, in: in, out: &ServiceReport{Name: s.Key(), Mode: "none"}, seen: map[string]bool{}}
	d := s.Deployment
	if len(d.V.Spec.Template.Spec.Containers) == 0 {
		return r.out
	}
	r.ci, r.ctr = appContainer(s)
	for _, o := range s.objects() {
		if _, gone := removedAPIs[o.APIVersion+" "+o.Kind]; gone && !ignored(o, "api") {
			f := removedAPI(o)
			r.out.Findings = append(r.out.Findings, f)
		}
	}
	tgs, err := r.targetGroups()
	if err != nil {
		r.add(Error, "annotations", "the controller can read the annotations", d.O, nil, nil, "%v", err)
	}
	if len(tgs) > 0 {
		r.out.Mode = tgs[0].Mode
		r.facts(opts, tgs[0].Mode)
		r.plan(tgs)
		for _, tg := range tgs {
			r.targetGroup(tg)
		}
		r.drainRules(tgs)
		r.gate(tgs)
		r.registration(tgs)
	}
	r.rollout()
	r.probes(tgs)
	if len(tgs) > 0 {
		r.exposure()
	}
	r.budget()
	r.autoscaling()
	r.out.Chain = r.ch
	sortFindings(r.out.Findings)
	return r.out
}

// appContainer is the container named app, else the one that serves the
// Services' target port, else the first.
func appContainer(s *Service) (int, corev1.Container) {
	cs := s.Deployment.V.Spec.Template.Spec.Containers
	for i, c := range cs {
		if c.Name == manifests.ContainerName {
			return i, c
		}
	}
	for _, svc := range s.Services {
		for _, p := range svc.V.Spec.Ports {
			for i, c := range cs {
				if containerPort(c, p.TargetPort) > 0 {
					return i, c
				}
			}
		}
	}
	return 0, cs[0]
}

func containerPort(c corev1.Container, p intstr.IntOrString) int32 {
	if p.Type == intstr.Int {
		for _, cp := range c.Ports {
			if cp.ContainerPort == p.IntVal {
				return p.IntVal
			}
		}
		if len(c.Ports) == 0 {
			return p.IntVal
		}
		return 0
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort
		}
	}
	return 0
}

// targetGroups are the target groups the controller builds for the
// service: one per ALB Ingress and Service it routes to, per NLB Service,
// per TargetGroupBinding.
func (r *run) targetGroups() ([]TargetGroup, error) {
	var out []TargetGroup
	for _, ing := range r.s.Ingresses {
		for _, svc := range r.s.Services {
			if !routesTo(ing.V, map[string]bool{svc.V.Name: true}) {
				continue
			}
			tg, err := albTargetGroup(ing, svc.V, r.in.ingressGroup(ing.V))
			if err != nil {
				return out, fmt.Errorf("%s: %w", ing.O.Ref(), err)
			}
			out = append(out, tg)
		}
	}
	for _, svc := range r.s.NLBs {
		tg, err := nlbTargetGroup(svc)
		if err != nil {
			return out, fmt.Errorf("%s: %w", svc.O.Ref(), err)
		}
		out = append(out, tg)
	}
	for _, tgb := range r.s.TargetGroupBindings {
		for _, svc := range r.s.Services {
			if svc.V.Name == tgb.V.Spec.ServiceRef.Name {
				out = append(out, tgbTargetGroup(tgb, svc.V))
			}
		}
	}
	return out, nil
}

// facts reads R, S and L from zds.dev/* annotations, else the options,
// else the defaults, saying which were assumed.
func (r *run) facts(opts Options, mode string) {
	ann := r.s.Deployment.V.Annotations
	read := func(key string, opt *int, def int, flag, what string) int {
		if v, ok := ann[key]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
		if opt != nil {
			return *opt
		}
		r.out.Assumed = append(r.out.Assumed, fmt.Sprintf("%s = %d s (set %s, or the %s annotation on the Deployment)", what, def, flag, key))
		return def
	}
	r.ch.R = read(manifests.AnnMaxRequestSeconds, opts.MaxRequestSeconds, DefaultMaxRequestSeconds, "--max-request-seconds", "R, the longest request,")
	r.ch.S = read(manifests.AnnShutdownSeconds, opts.ShutdownSeconds, r.ch.R, "--shutdown-seconds", "S, the app's shutdown after SIGTERM,")
	kind := mode
	if kind == "targetGroupBinding" {
		kind = service.KindTargetGroupBinding
	}
	def := 25
	if m, ok := service.Lookup(kind); ok {
		def = m.Profile().PropagationSeconds
	}
	r.ch.L = read(manifests.AnnPropagationSeconds, opts.PropagationSeconds, def, "--propagation-seconds", "L, the load balancer's propagation,")
	r.ch.P, r.ch.G = r.preStop(), r.grace()
	r.ch.D = -1
}

// preStop is the app container's preStop sleep in seconds (0 without one).
func (r *run) preStop() int {
	n, _ := sleepOf(r.ctr)
	return n
}

func (r *run) grace() int {
	if g := r.s.Deployment.V.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
		return int(*g)
	}
	return 30
}

// sleepOf reads a preStop hook as a sleep: the sleep action, exec
// `sleep N`, or a shell running `sleep N`. exec is true for the exec forms.
func sleepOf(c corev1.Container) (seconds int, exec bool) {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0, false
	}
	h := c.Lifecycle.PreStop
	if h.Sleep != nil {
		return int(h.Sleep.Seconds), false
	}
	if h.Exec == nil {
		return 0, false
	}
	cmd := h.Exec.Command
	if len(cmd) == 3 && (strings.HasSuffix(cmd[0], "sh") || strings.HasSuffix(cmd[0], "bash")) && cmd[1] == "-c" {
		cmd = strings.Fields(cmd[2])
	}
	if len(cmd) == 2 && (cmd[0] == "sleep" || strings.HasSuffix(cmd[0], "/sleep")) {
		if n, err := strconv.Atoi(strings.TrimSuffix(cmd[1], "s")); err == nil {
			return n, true
		}
	}
	return 0, true
}

// targetGroup checks one target group: IP targets and rules 1–4, 8.
func (r *run) targetGroup(tg TargetGroup) {
	ch := &r.ch
	via := tg.Via
	if tg.TargetType != "ip" {
		path, fix := r.targetTypeFix(tg)
		how := ""
		if !tg.Explicit[tg.keys.targetType] && !tg.Explicit["targetType"] {
			how = " (the controller's default, unless its --default-target-type says otherwise)"
		}
		r.add(Error, "6", "IP targets (the readiness gate)", via, path, fix,
			"target type %s%s: the controller registers nodes, not pods, so the readiness gate never applies and a pod is sent requests before the load balancer sees it healthy, and after it stops; use ip", tg.TargetType, how)
	}
	if tg.DeregistrationDelay < 0 {
		r.add(Info, "1", "D ≥ L + R", via, nil, nil,
			"the deregistration delay lives in the AWS target group, not in these objects: it must be at least L + R = %d + %d = %d s", ch.L, ch.R, ch.L+ch.R)
	} else if D := tg.DeregistrationDelay; D < ch.L+ch.R {
		how := "set"
		if !tg.Explicit[tg.keys.attributes+"#deregistration_delay.timeout_seconds"] {
			how = "the ELB default"
		}
		path, fix := r.deregFix(tg, r.want.D)
		r.add(Error, "1", "D ≥ L + R", via, path, fix,
			"deregistration delay %d s (%s) < propagation L %d + longest request R %d = %d: a request the load balancer starts at the end of propagation is cut when draining ends; raise it to %d",
			D, how, ch.L, ch.R, ch.L+ch.R, r.want.D)
	}
	if tg.ReusesConnections {
		if k, ok := r.s.Deployment.V.Annotations[manifests.AnnKeepAliveSeconds]; ok {
			idle := tg.IdleTimeout
			if !tg.Explicit[annotations.IngressSuffixLoadBalancerAttributes+"#idle_timeout.timeout_seconds"] {
				if v, err := strconv.Atoi(r.s.Deployment.V.Annotations[manifests.AnnIdleTimeoutSeconds]); err == nil {
					idle = v
				}
			}
			if n, err := strconv.Atoi(k); err == nil && n <= idle {
				r.add(Error, "8", "keep-alive > idle timeout", r.s.Deployment.O, []string{"metadata", "annotations", manifests.AnnKeepAliveSeconds}, nil,
					"the app's keep-alive timeout %d s ≤ the load balancer's idle timeout %d s: the app closes connections the load balancer is about to reuse (random 502s); raise the app's keep-alive above %d s", n, idle, idle)
			}
		}
	}
}

// drainRules checks rules 2–4 with the chain as read (D the largest of
// the service's target groups), each fix moving towards r.want.
func (r *run) drainRules(tgs []TargetGroup) {
	ch := r.ch
	d := r.s.Deployment.O
	D := ch.D
	sec, exec := sleepOf(r.ctr)
	hooked := r.ctr.Lifecycle != nil && r.ctr.Lifecycle.PreStop != nil
	wantP, wantG := r.want.P, r.want.G
	switch {
	case !hooked:
		r.add(Error, "2", "P ≥ L", d, r.ctrPath("lifecycle"), r.preStopFix(wantP),
			"no preStop hook: SIGTERM arrives while the load balancer still sends requests for up to L = %d s; sleep %d s first", ch.L, wantP)
	case exec && sec == 0:
		r.add(Warning, "2", "P ≥ L", d, r.ctrPath("lifecycle", "preStop", "exec"), nil,
			"preStop runs a command zds cannot time: rules 2 and 3 take it as returning at once")
	case ch.P < ch.L:
		r.add(Error, "2", "P ≥ L", d, r.preStopPath(), r.preStopFix(wantP),
			"preStop sleep %d s < propagation L %d s: SIGTERM arrives while the load balancer still sends new requests; sleep %d s", ch.P, ch.L, wantP)
	}
	if exec && sec > 0 {
		r.add(Warning, "exec-sleep", "the preStop sleep needs no binary", d, r.ctrPath("lifecycle", "preStop", "exec"), r.preStopFix(max(sec, wantP)),
			"exec `sleep %d` needs /bin/sleep in the image: distroless and scratch images have none and the hook fails at once (kubernetes#64510); Kubernetes ≥ 1.30 has the native sleep action", sec)
	}
	if D >= 0 && ch.P+ch.S <= D {
		if r.want.D < D {
			// The ELB's default delay: shorten it rather than sleep
			// through it.
			for _, tg := range tgs {
				if tg.DeregistrationDelay == D {
					path, fix := r.deregFix(tg, r.want.D)
					r.add(Error, "3", "P + S > D", tg.Via, path, fix,
						"preStop %d s + shutdown S %d s = %d ≤ deregistration delay %d s (the ELB default): the pod exits while the load balancer still drains it; set the delay to L + R = %d s", ch.P, ch.S, ch.P+ch.S, D, r.want.D)
				}
			}
		}
		if ch.P+ch.S <= r.want.D {
			after := ""
			if r.want.D != D {
				after = " once set to L + R"
			}
			r.add(Error, "3", "P + S > D", d, r.preStopPath(), r.preStopFix(wantP),
				"preStop %d s + shutdown S %d s = %d ≤ deregistration delay %d s%s: the pod exits while the load balancer still drains it; sleep %d s", ch.P, ch.S, ch.P+ch.S, r.want.D, after, wantP)
		}
	}
	if ch.G <= ch.P+ch.S {
		r.add(Error, "4", "G > P + S", d, append(append([]string{}, podPath...), "terminationGracePeriodSeconds"), r.graceFix(wantG),
			"termination grace period %d s ≤ preStop %d s + shutdown S %d s = %d: SIGKILL cuts the drain short; set it to %d", ch.G, ch.P, ch.S, ch.P+ch.S, wantG)
	}
}

func (r *run) preStopPath() []string {
	if r.ctr.Lifecycle != nil && r.ctr.Lifecycle.PreStop != nil && r.ctr.Lifecycle.PreStop.Sleep != nil {
		return r.ctrPath("lifecycle", "preStop", "sleep", "seconds")
	}
	return r.ctrPath("lifecycle", "preStop")
}

// gate checks rule 6's namespace label (with IP targets, which the
// target-type finding asks for when they are not).
func (r *run) gate(tgs []TargetGroup) {
	ns := namespaceName(r.s.Deployment.V.Namespace)
	if r.s.Namespace == nil {
		r.add(Warning, "6", "the readiness gate", r.s.Deployment.O, []string{"metadata", "namespace"}, labelFix(ns),
			"namespace %s is not in the input: it must carry %s=%s before the pods are created, or they become Ready before the load balancer sends them traffic", ns, spec.ReadinessGateLabel, spec.ReadinessGateValue)
		return
	}
	if r.s.Namespace.V.Labels[spec.ReadinessGateLabel] != spec.ReadinessGateValue {
		r.add(Error, "6", "the readiness gate", r.s.Namespace.O, []string{"metadata", "labels"}, labelFix(ns),
			"namespace %s lacks the label %s=%s: pods become Ready (and old ones go) before the load balancer has registered the new ones; label it, then restart the Deployment (gates are injected at pod creation)", ns, spec.ReadinessGateLabel, spec.ReadinessGateValue)
	}
}

// gated is true when the readiness gate applies: IP targets and the
// namespace labelled.
func (r *run) gated(tgs []TargetGroup) bool {
	if r.s.Namespace == nil || r.s.Namespace.V.Labels[spec.ReadinessGateLabel] != spec.ReadinessGateValue {
		return false
	}
	for _, tg := range tgs {
		if tg.TargetType != "ip" {
			return false
		}
	}
	return len(tgs) > 0
}

// registration checks minReadySeconds against the time a new target
// takes to pass the health checks, when no readiness gate waits for it.
func (r *run) registration(tgs []TargetGroup) {
	reg := 0
	for _, tg := range tgs {
		reg = max(reg, tg.Healthy*tg.Interval)
	}
	if r.gated(tgs) {
		// The gate waits for registration, unless the pod was created
		// while the controller's webhook was down: it fails open.
		if m := int(r.s.Deployment.V.Spec.MinReadySeconds); !r.s.GateRequired && m < reg {
			r.add(Warning, "registration", "minReadySeconds covers registration", r.s.Deployment.O, []string{"spec", "minReadySeconds"},
				patchFix(r.s.Deployment.O, map[string]any{"spec": map[string]any{"minReadySeconds": reg}}),
				"minReadySeconds %d s < registration %d s, and nothing refuses pods without the readiness gate: the controller's webhook fails open, so pods created while it is down are Ready before their targets are registered (docs/timing.md#derivations). Either set minReadySeconds to the registration time, or add an admission policy that requires the gate, as zds does (loadBalancer.requireReadinessGate)", m, reg)
		}
		return
	}
	if m := int(r.s.Deployment.V.Spec.MinReadySeconds); m < reg {
		r.add(Warning, "registration", "minReadySeconds covers registration", r.s.Deployment.O, []string{"spec", "minReadySeconds"},
			patchFix(r.s.Deployment.O, map[string]any{"spec": map[string]any{"minReadySeconds": reg}}),
			"minReadySeconds %d s < registration %d s (healthy threshold × interval) and no readiness gate waits: the rollout removes old pods before the load balancer sends the new ones traffic", m, reg)
	}
}

// rollout checks rule 6's strategy: maxUnavailable 0, maxSurge ≥ 1.
func (r *run) rollout() {
	d := r.s.Deployment
	st := d.V.Spec.Strategy
	fix := patchFix(d.O, map[string]any{"spec": map[string]any{"strategy": map[string]any{"type": "RollingUpdate", "rollingUpdate": map[string]any{"maxUnavailable": 0, "maxSurge": 1}}}})
	switch {
	case st.Type == appsv1.RecreateDeploymentStrategyType:
		r.add(Error, "6", "maxUnavailable 0, maxSurge ≥ 1", d.O, []string{"spec", "strategy", "type"}, fix,
			"strategy Recreate stops every pod before the new ones start: every rollout is an outage")
	case st.RollingUpdate == nil || st.RollingUpdate.MaxUnavailable == nil:
		r.add(Error, "6", "maxUnavailable 0, maxSurge ≥ 1", d.O, []string{"spec", "strategy"}, fix,
			"maxUnavailable is unset (Kubernetes' default 25%%): a rollout removes old pods before new ones are registered; set maxUnavailable 0 and maxSurge 1")
	case st.RollingUpdate.MaxUnavailable.String() != "0" && st.RollingUpdate.MaxUnavailable.String() != "0%":
		r.add(Error, "6", "maxUnavailable 0, maxSurge ≥ 1", d.O, []string{"spec", "strategy", "rollingUpdate", "maxUnavailable"}, fix,
			"maxUnavailable %s: a rollout removes old pods before new ones are registered; set 0 (and maxSurge ≥ 1)", st.RollingUpdate.MaxUnavailable.String())
	}
}

// probes checks rule 7 (the health check is the readiness probe), that
// liveness differs, and the startup probe.
func (r *run) probes(tgs []TargetGroup) {
	d, ctr := r.s.Deployment.O, r.ctr
	rp := ctr.ReadinessProbe
	if lp := ctr.LivenessProbe; lp != nil && rp != nil && equalProbe(lp, rp) {
		r.add(Warning, "liveness", "liveness differs from readiness", d, r.ctrPath("livenessProbe"), nil,
			"the liveness probe is the readiness probe: an overloaded pod is restarted instead of taken out of service, which spreads the overload; point liveness at a cheaper path or give it a higher failureThreshold")
	}
	if rp == nil || rp.HTTPGet == nil {
		if len(tgs) > 0 {
			r.add(Error, "7", "health check = readiness probe", d, r.ctrPath("readinessProbe"), nil,
				"no HTTP readiness probe: the pod is Ready as soon as it starts, before it can serve; give it an httpGet readiness probe on the path the load balancer checks")
		}
	} else {
		readinessPort := containerPort(ctr, rp.HTTPGet.Port)
		for _, tg := range tgs {
			if tg.Mode == "targetGroupBinding" {
				continue // the health check lives in AWS
			}
			if !strings.EqualFold(tg.HealthCheckProtocol, "HTTP") && !strings.EqualFold(tg.HealthCheckProtocol, "HTTPS") {
				path, fix := r.annotationFix(tg, tg.keys.hcProtocol, "HTTP")
				r.add(Warning, "7", "health check = readiness probe", tg.Via, path, fix,
					"the load balancer checks %s, not the readiness path %s: a pod that accepts connections but cannot serve stays in service", strings.ToUpper(tg.HealthCheckProtocol), rp.HTTPGet.Path)
				continue
			}
			if scheme := cmp.Or(string(rp.HTTPGet.Scheme), "HTTP"); !strings.EqualFold(tg.HealthCheckProtocol, scheme) {
				path, fix := r.annotationFix(tg, tg.keys.hcProtocol, scheme)
				r.add(Error, "7", "health check = readiness probe", tg.Via, path, fix,
					"the load balancer checks over %s, the readiness probe over %s: a server that speaks one fails every check of the other, so no target becomes healthy and the readiness gate holds the rollout", strings.ToUpper(tg.HealthCheckProtocol), scheme)
				continue
			}
			if tg.HealthCheckPath != rp.HTTPGet.Path {
				path, fix := r.annotationFix(tg, tg.keys.hcPath, rp.HTTPGet.Path)
				how := "set"
				if !tg.Explicit[tg.keys.hcPath] {
					how = "the controller's default"
				}
				r.add(Error, "7", "health check = readiness probe", tg.Via, path, fix,
					"health check path %s (%s) ≠ readiness path %s: the load balancer and Kubernetes disagree on when the pod can serve", tg.HealthCheckPath, how, rp.HTTPGet.Path)
			}
			hcPort := tg.HealthCheckPort
			var hcNum int32
			if hcPort == "traffic-port" {
				hcNum = trafficPort(tg.Service, ctr)
			} else if n, err := strconv.Atoi(hcPort); err == nil {
				hcNum = int32(n)
			}
			if hcNum != 0 && readinessPort != 0 && hcNum != readinessPort {
				path, fix := r.annotationFix(tg, tg.keys.hcPort, strconv.Itoa(int(readinessPort)))
				r.add(Error, "7", "health check = readiness probe", tg.Via, path, fix,
					"health check port %d ≠ readiness port %d", hcNum, readinessPort)
			}
		}
		if sp := ctr.StartupProbe; sp != nil && sp.HTTPGet != nil && sp.HTTPGet.Path != rp.HTTPGet.Path {
			r.add(Info, "startup", "one health endpoint", d, r.ctrPath("startupProbe", "httpGet", "path"), nil,
				"the startup probe checks %s, the readiness probe %s: the pod may pass start-up on an endpoint that says nothing of serving", sp.HTTPGet.Path, rp.HTTPGet.Path)
		}
		if rp.PeriodSeconds > 0 && rp.PeriodSeconds < 5 && len(tgs) > 0 {
			r.add(Info, "readiness", "readiness every 5 s", d, r.ctrPath("readinessProbe", "periodSeconds"), nil,
				"readiness every %d s: the load balancer's own health checks pace registration (every %d s), so probing faster only adds load", rp.PeriodSeconds, tgs[0].Interval)
		}
	}
}

// exposure checks the Services that select the pods: each must publish
// only Ready pods, and reach the load balancer only as the target groups
// zds check reads (a bare type LoadBalancer is a second way in, with
// none of their settings).
func (r *run) exposure() {
	for _, svc := range r.s.Services {
		if svc.V.Spec.PublishNotReadyAddresses {
			r.add(Error, "6", "only Ready pods are targets", svc.O, []string{"spec", "publishNotReadyAddresses"}, nil,
				"publishNotReadyAddresses publishes pods that are not Ready: the controller registers them before they can serve and keeps terminating ones, so the readiness gate and the drain chain no longer hold; remove it")
		}
		if svc.V.Spec.Type == corev1.ServiceTypeLoadBalancer && !isNLB(svc.V) {
			r.add(Error, "6", "one load balancer, with derived settings", svc.O, []string{"spec", "type"}, nil,
				"type LoadBalancer without the AWS Load Balancer Controller's NLB settings: a second load balancer (the legacy cloud provider's, or the controller's with its defaults: instance targets, a 300 s deregistration delay) sends traffic past the derived timings; use ClusterIP behind the load balancer zds configures")
		}
	}
}

// trafficPort is the container port the Service's first port targets.
func trafficPort(svc *corev1.Service, ctr corev1.Container) int32 {
	if svc == nil || len(svc.Spec.Ports) == 0 {
		return 0
	}
	return containerPort(ctr, svc.Spec.Ports[0].TargetPort)
}

func equalProbe(a, b *corev1.Probe) bool {
	return a.String() == b.String()
}

// budget checks that one budget selects the pods and allows a disruption.
func (r *run) budget() {
	d := r.s.Deployment
	replicas := 1
	if d.V.Spec.Replicas != nil {
		replicas = int(*d.V.Spec.Replicas)
	}
	for _, h := range r.s.Autoscaler {
		if h.V.Spec.MinReplicas != nil {
			replicas = int(*h.V.Spec.MinReplicas)
		}
	}
	switch len(r.s.Budgets) {
	case 0:
		r.add(Warning, "budget", "a budget that allows a disruption", d.O, nil, r.budgetFix(),
			"no PodDisruptionBudget selects the pods: a node drain may evict all of them at once")
		return
	case 1:
	default:
		r.add(Warning, "budget", "a budget that allows a disruption", r.s.Budgets[1].O, []string{"spec", "selector"}, nil,
			"%d budgets select the pods: the eviction API refuses to evict a pod under more than one, so drains stall", len(r.s.Budgets))
	}
	pdb := r.s.Budgets[0]
	sp := pdb.V.Spec
	switch {
	case sp.MaxUnavailable != nil && (sp.MaxUnavailable.String() == "0" || sp.MaxUnavailable.String() == "0%"):
		r.add(Warning, "budget", "a budget that allows a disruption", pdb.O, []string{"spec", "maxUnavailable"},
			patchFix(pdb.O, map[string]any{"spec": map[string]any{"maxUnavailable": 1}}),
			"maxUnavailable %s allows no eviction: node drains and upgrades stall on these pods", sp.MaxUnavailable.String())
	case sp.MinAvailable != nil && (sp.MinAvailable.String() == "100%" || (sp.MinAvailable.Type == intstr.Int && int(sp.MinAvailable.IntVal) >= replicas)):
		r.add(Warning, "budget", "a budget that allows a disruption", pdb.O, []string{"spec", "minAvailable"},
			patchFix(pdb.O, map[string]any{"spec": map[string]any{"minAvailable": nil, "maxUnavailable": 1}}),
			"minAvailable %s with %d replicas allows no eviction: node drains and upgrades stall on these pods", sp.MinAvailable.String(), replicas)
	}
	// Exactly the pods: no pod of another Deployment.
	for _, other := range r.in.deployments {
		if other.V == d.V || other.V.Namespace != d.V.Namespace {
			continue
		}
		if r.in.budgetSelects(pdb.V, labelsOf(other)) {
			r.add(Warning, "budget", "a budget selects exactly the pods", pdb.O, []string{"spec", "selector"}, nil,
				"also selects the pods of %s: the two Deployments share one disruption allowance", other.O.Ref())
		}
	}
}

// autoscaling checks the autoscaler's minimum and that it owns replicas.
func (r *run) autoscaling() {
	for _, h := range r.s.Autoscaler {
		if h.V.Spec.MinReplicas == nil || *h.V.Spec.MinReplicas < 2 {
			min := 1
			if h.V.Spec.MinReplicas != nil {
				min = int(*h.V.Spec.MinReplicas)
			}
			r.add(Error, "autoscaling", "at least 2 replicas", h.O, []string{"spec", "minReplicas"},
				patchFix(h.O, map[string]any{"spec": map[string]any{"minReplicas": 2}}),
				"minReplicas %d: at the minimum, a node drain or a crash takes the service down", min)
		}
		if r.s.Deployment.V.Spec.Replicas != nil {
			r.add(Warning, "autoscaling", "the autoscaler owns replicas", r.s.Deployment.O, []string{"spec", "replicas"}, nil,
				"sets replicas (%d) although %s scales it: every apply resets the count; leave spec.replicas out", *r.s.Deployment.V.Spec.Replicas, h.O.Ref())
		}
	}
}

func removedAPI(o *Object) Finding {
	f := Finding{Severity: Error, Rule: "api", Title: "served API versions", Object: o.Ref(), Namespace: namespaceName(o.Namespace),
		Field: "apiVersion", File: o.File,
		Message: fmt.Sprintf("%s %s is no longer served: use %s", o.APIVersion, o.Kind, removedAPIs[o.APIVersion+" "+o.Kind])}
	f.Line, f.Column = o.Pos("apiVersion")
	return f
}

// ignored reports whether the object's zds.dev/check-ignore annotation
// lists the rule.
func ignored(o *Object, rule string) bool {
	meta, _ := o.Raw["metadata"].(map[string]any)
	ann, _ := meta["annotations"].(map[string]any)
	list, _ := ann[manifests.AnnCheckIgnore].(string)
	for _, r := range strings.Split(list, ",") {
		if strings.TrimSpace(r) == rule {
			return true
		}
	}
	return false
}
