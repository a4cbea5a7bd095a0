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
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
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

// Objects checks one service's objects against every rule of the timing
// model and returns the chain it read. An empty list means every rule holds.
func Objects(o *manifests.Objects) (Chain, []Violation) {
	c := &checker{}
	var ch Chain
	d, svc, pdb := o.Deployment, o.Service, o.PDB
	if d == nil || svc == nil || pdb == nil {
		c.fail("objects", "completeness", "need a Deployment, Service and PodDisruptionBudget")
		return ch, c.out
	}
	lb, ok := loadBalancerSettings(o)
	if !ok {
		c.fail("objects", "completeness", "need what binds the Service to a load balancer: an Ingress, a Service of type LoadBalancer, or a TargetGroupBinding with its target group")
		return ch, c.out
	}
	dn := "Deployment/" + d.Name
	ch.Namespace, ch.Name = d.Namespace, d.Name
	ch.MaxRequestSeconds = c.atoi(dn, manifests.AnnMaxRequestSeconds, d.Annotations)
	ch.ShutdownSeconds = c.atoi(dn, manifests.AnnShutdownSeconds, d.Annotations)
	ch.StartupSeconds = c.atoi(dn, manifests.AnnStartupSeconds, d.Annotations)
	ch.PropagationSeconds = c.atoi(dn, manifests.AnnPropagationSeconds, d.Annotations)
	ch.IdleTimeoutSeconds = c.atoi(dn, manifests.AnnIdleTimeoutSeconds, d.Annotations)
	if _, ok := d.Annotations[manifests.AnnKeepAliveSeconds]; ok {
		k := c.atoi(dn, manifests.AnnKeepAliveSeconds, d.Annotations)
		ch.KeepAliveTimeoutSeconds = &k
	}

	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		c.fail(dn, "shape", "want 1 container, got %d", len(pod.Containers))
		return ch, c.out
	}
	ctr := pod.Containers[0]
	if pod.TerminationGracePeriodSeconds == nil {
		c.fail(dn, "4", "terminationGracePeriodSeconds unset (Kubernetes would use 30)")
	} else {
		ch.TerminationGracePeriodSeconds = int(*pod.TerminationGracePeriodSeconds)
	}
	switch {
	case ctr.Lifecycle == nil || ctr.Lifecycle.PreStop == nil:
		c.fail(dn, "2", "no preStop hook: SIGTERM arrives while the load balancer still routes to the pod")
	case ctr.Lifecycle.PreStop.Sleep != nil:
		ch.PreStopSleepSeconds = int(ctr.Lifecycle.PreStop.Sleep.Seconds)
	case ctr.Lifecycle.PreStop.Exec != nil && len(ctr.Lifecycle.PreStop.Exec.Command) == 2 && ctr.Lifecycle.PreStop.Exec.Command[0] == "sleep":
		n, err := strconv.Atoi(ctr.Lifecycle.PreStop.Exec.Command[1])
		if err != nil {
			c.fail(dn, "2", "preStop exec sleep %q is not a number of seconds", ctr.Lifecycle.PreStop.Exec.Command[1])
		}
		ch.PreStopSleepSeconds = n
	default:
		c.fail(dn, "2", "preStop hook is neither a sleep action nor `sleep N`")
	}
	ch.MinReadySeconds = int(d.Spec.MinReadySeconds)
	if d.Spec.ProgressDeadlineSeconds != nil {
		ch.ProgressDeadlineSeconds = int(*d.Spec.ProgressDeadlineSeconds)
	}

	in := lb.Object
	if lb.TargetType != "ip" {
		c.fail(in, "6", "target type is %q: the readiness gate needs IP targets", lb.TargetType)
	}
	ch.DeregistrationDelaySeconds = -1
	for _, attr := range strings.Split(lb.Attributes, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(attr), "=")
		if k == "deregistration_delay.timeout_seconds" {
			n, err := strconv.Atoi(v)
			if err != nil {
				c.fail(in, "1", "deregistration delay %q is not a number", v)
			}
			ch.DeregistrationDelaySeconds = n
		}
	}
	if ch.DeregistrationDelaySeconds < 0 {
		c.fail(in, "1", "no deregistration_delay.timeout_seconds: the ELB default of 300 s applies")
		ch.DeregistrationDelaySeconds = 300
	}
	ch.HealthCheckIntervalSeconds = c.number(in, "health-check interval", lb.IntervalSeconds)
	ch.UnhealthyThreshold = c.number(in, "unhealthy threshold", lb.UnhealthyThreshold)

	R, S, L := ch.MaxRequestSeconds, ch.ShutdownSeconds, ch.PropagationSeconds
	D, P, G := ch.DeregistrationDelaySeconds, ch.PreStopSleepSeconds, ch.TerminationGracePeriodSeconds
	if D < L+R {
		c.fail(in, "1", "deregistration delay %d < propagation %d + longest request %d = %d: a request the load balancer starts at the end of propagation is cut", D, L, R, L+R)
	}
	if D > 3600 {
		c.fail(in, "1", "deregistration delay %d above the ELB maximum 3600", D)
	}
	if P < L {
		c.fail(dn, "2", "preStop %d < propagation %d", P, L)
	}
	if P+S <= D {
		c.fail(dn, "3", "preStop %d + shutdown %d = %d ≤ deregistration delay %d", P, S, P+S, D)
	}
	if G <= P+S {
		c.fail(dn, "4", "grace period %d ≤ preStop %d + shutdown %d = %d", G, P, S, P+S)
	}
	if L < 5 {
		c.fail(dn, "5", "propagation budget %d s is shorter than any ELB takes; health checks (%d × %d s) must not cover it", L, ch.UnhealthyThreshold, ch.HealthCheckIntervalSeconds)
	}

	// Rule 6: the way in.
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil {
		c.fail(dn, "6", "strategy must be RollingUpdate")
	} else {
		if ru.MaxUnavailable == nil || ru.MaxUnavailable.String() != "0" {
			c.fail(dn, "6", "maxUnavailable must be 0, is %v", ru.MaxUnavailable)
		}
		if ru.MaxSurge == nil || (ru.MaxSurge.Type == intstr.Int && ru.MaxSurge.IntVal < 1) || ru.MaxSurge.String() == "0%" {
			c.fail(dn, "6", "maxSurge must be at least 1, is %v", ru.MaxSurge)
		}
	}
	nsObj := o.Namespace
	if nsObj == nil {
		nsObj = o.NamespacePatch
	}
	if nsObj == nil || nsObj.Name != d.Namespace || nsObj.Labels[spec.ReadinessGateLabel] != spec.ReadinessGateValue {
		c.fail("Namespace/"+d.Namespace, "6", "the namespace must carry %s=%s", spec.ReadinessGateLabel, spec.ReadinessGateValue)
	}

	// Rule 7: LB health check = readiness probe.
	rp := ctr.ReadinessProbe
	if rp == nil || rp.HTTPGet == nil {
		c.fail(dn, "7", "no HTTP readiness probe")
	} else {
		if rp.HTTPGet.Path != lb.HealthCheckPath {
			c.fail(in, "7", "health check path %q ≠ readiness path %q", lb.HealthCheckPath, rp.HTTPGet.Path)
		}
		readinessPort := containerPort(ctr, rp.HTTPGet.Port)
		lbPort := lb.HealthCheckPort
		if lbPort == "traffic-port" {
			lbPort = strconv.Itoa(int(containerPort(ctr, svcTarget(svc))))
		}
		if lbPort != strconv.Itoa(int(readinessPort)) {
			c.fail(in, "7", "health check port %s ≠ readiness port %d", lbPort, readinessPort)
		}
	}
	if sp := ctr.StartupProbe; sp == nil {
		c.fail(dn, "startup", "no startup probe")
	} else if budget := int(sp.PeriodSeconds * sp.FailureThreshold); budget < ch.StartupSeconds {
		c.fail(dn, "startup", "startup probe budget %d s < app start-up %d s", budget, ch.StartupSeconds)
	}
	if lp := ctr.LivenessProbe; lp != nil && rp != nil && equalProbes(lp, rp) {
		c.fail(dn, "liveness", "liveness probe identical to readiness probe")
	}

	// Rule 8 (layer-7 load balancers only: an NLB reuses no connections).
	if k := ch.KeepAliveTimeoutSeconds; k != nil && lb.ReusesConnections && *k <= ch.IdleTimeoutSeconds {
		c.fail(dn, "8", "keep-alive %d ≤ LB idle timeout %d", *k, ch.IdleTimeoutSeconds)
	}

	// Selection: Service and PDB select exactly the pods; Ingress → Service.
	podLabels := labels.Set(d.Spec.Template.Labels)
	if d.Spec.Selector == nil || !labels.SelectorFromSet(d.Spec.Selector.MatchLabels).Matches(podLabels) {
		c.fail(dn, "selection", "selector does not match the pod template")
	}
	if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		c.fail("Service/"+svc.Name, "selection", "selector does not select the pods")
	}
	if pdb.Spec.Selector == nil || d.Spec.Selector == nil || !maps.Equal(pdb.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels) || len(pdb.Spec.Selector.MatchExpressions) > 0 {
		c.fail("PodDisruptionBudget/"+pdb.Name, "selection", "selector must equal the Deployment's")
	}
	if pdb.APIVersion != "" && pdb.APIVersion != "policy/v1" {
		c.fail("PodDisruptionBudget/"+pdb.Name, "api", "apiVersion %s: only policy/v1 exists since Kubernetes 1.25", pdb.APIVersion)
	}
	if ing := o.Ingress; ing != nil {
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				b := p.Backend.Service
				if b == nil || b.Name != svc.Name || !hasServicePort(svc, b.Port) {
					c.fail(in, "selection", "path %s does not route to Service/%s", p.Path, svc.Name)
				}
			}
		}
	}
	if tgb := o.TargetGroupBinding; tgb != nil {
		ref := tgb.Spec.ServiceRef
		if ref.Name != svc.Name || !hasServicePort(svc, networkingv1.ServiceBackendPort{Name: ref.Port.StrVal, Number: ref.Port.IntVal}) {
			c.fail("TargetGroupBinding/"+tgb.Name, "selection", "binds %s:%s, not a port of Service/%s", ref.Name, ref.Port.String(), svc.Name)
		}
	}
	if h := o.HPA; h != nil {
		if d.Spec.Replicas != nil {
			c.fail(dn, "autoscaling", "sets replicas (%d) although an autoscaler owns them: every apply would reset the count", *d.Spec.Replicas)
		}
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != d.Name {
			c.fail("HorizontalPodAutoscaler/"+h.Name, "autoscaling", "scales %s/%s, not Deployment/%s", h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name, d.Name)
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
			c.fail("HorizontalPodAutoscaler/"+h.Name, "autoscaling", "minReplicas below 2: a drain takes the service down")
		} else if pdb.Spec.MaxUnavailable != nil && pdb.Spec.MaxUnavailable.IntValue() >= int(*h.Spec.MinReplicas) {
			c.fail("PodDisruptionBudget/"+pdb.Name, "autoscaling", "maxUnavailable %s is not below the autoscaler's minReplicas %d", pdb.Spec.MaxUnavailable.String(), *h.Spec.MinReplicas)
		}
	}
	return ch, c.out
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

// Decode groups manifests (as produced by preview or read from a cluster)
// into one Objects per Deployment, matched by namespace and name; the
// namespace object goes with every service in it.
func Decode(objs []map[string]any) ([]*manifests.Objects, error) {
	var out []*manifests.Objects
	byKey := map[string]*manifests.Objects{}
	namespaces := map[string]*corev1.Namespace{}
	var rest []map[string]any
	for _, m := range objs {
		kind, _ := m["kind"].(string)
		switch kind {
		case "Namespace":
			var ns corev1.Namespace
			if err := convert(m, &ns); err != nil {
				return nil, err
			}
			namespaces[ns.Name] = &ns
		case "Deployment":
			var d appsv1.Deployment
			if err := convert(m, &d); err != nil {
				return nil, err
			}
			o := &manifests.Objects{Deployment: &d}
			byKey[d.Namespace+"/"+d.Name] = o
			out = append(out, o)
		default:
			rest = append(rest, m)
		}
	}
	for _, m := range rest {
		meta, _ := m["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		o := byKey[ns+"/"+name]
		if o == nil {
			continue
		}
		var err error
		switch m["kind"] {
		case "Service":
			o.Service = &corev1.Service{}
			err = convert(m, o.Service)
		case "Ingress":
			o.Ingress = &networkingv1.Ingress{}
			err = convert(m, o.Ingress)
		case "PodDisruptionBudget":
			o.PDB = &policyv1.PodDisruptionBudget{}
			err = convert(m, o.PDB)
		case "TargetGroupBinding":
			o.TargetGroupBinding = &manifests.TargetGroupBinding{}
			err = convert(m, o.TargetGroupBinding)
		case "HorizontalPodAutoscaler":
			o.HPA = &autoscalingv2.HorizontalPodAutoscaler{}
			err = convert(m, o.HPA)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, o := range out {
		o.NamespacePatch = namespaces[o.Deployment.Namespace]
	}
	return out, nil
}

func convert(m map[string]any, into any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("decoding %v: %w", m["kind"], err)
	}
	return nil
}

// loadBalancerSettings reads the target group's settings with the reader of
// the first load-balancer mode whose objects o holds: the Ingress (alb),
// the Service of type LoadBalancer (nlb) or the AWS target group
// (targetGroupBinding).
func loadBalancerSettings(o *manifests.Objects) (service.Settings, bool) {
	for _, m := range service.Modes {
		if s, ok := m.Read(o); ok {
			return s, true
		}
	}
	return service.Settings{}, false
}

// TargetGroupFromInputs reads the settings of a pulumi-aws
// aws.lb.TargetGroup from its registered inputs (numbers as float64).
func TargetGroupFromInputs(in map[string]any) *manifests.TargetGroup {
	num := func(v any) int { f, _ := v.(float64); return int(f) }
	str := func(v any) string { s, _ := v.(string); return s }
	hc, _ := in["healthCheck"].(map[string]any)
	return &manifests.TargetGroup{
		Port:                       num(in["port"]),
		Protocol:                   str(in["protocol"]),
		TargetType:                 str(in["targetType"]),
		DeregistrationDelaySeconds: num(in["deregistrationDelay"]),
		HealthCheckPath:            str(hc["path"]),
		HealthCheckPort:            str(hc["port"]),
		HealthCheckIntervalSeconds: num(hc["interval"]),
		HealthCheckTimeoutSeconds:  num(hc["timeout"]),
		HealthyThreshold:           num(hc["healthyThreshold"]),
		UnhealthyThreshold:         num(hc["unhealthyThreshold"]),
		Matcher:                    str(hc["matcher"]),
	}
}
