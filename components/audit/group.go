// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/annotations"

	"github.com/zerodowntime/zds/components/manifests"
)

// Typed is an object decoded into its Go type, with where it was read.
type Typed[T any] struct {
	V *T
	O *Object
}

// Service is one Deployment with what serves it: the Services selecting
// its pods, the ALB Ingresses routing to them, an NLB Service or a
// TargetGroupBinding, the budgets selecting its pods, its namespace and
// its autoscalers.
type Service struct {
	Deployment Typed[appsv1.Deployment]
	Services   []Typed[corev1.Service]
	Ingresses  []Typed[networkingv1.Ingress]
	// NLBs are the Services of type LoadBalancer the AWS Load Balancer
	// Controller serves (an NLB with IP or instance targets).
	NLBs                []Typed[corev1.Service]
	TargetGroupBindings []Typed[manifests.TargetGroupBinding]
	Budgets             []Typed[policyv1.PodDisruptionBudget]
	// Namespace is nil when the input does not hold it.
	Namespace  *Typed[corev1.Namespace]
	Autoscaler []Typed[autoscalingv2.HorizontalPodAutoscaler]
	// GateRequired: a ValidatingAdmissionPolicy in the input, bound to
	// the Deployment's pods, refuses them without the controller's
	// readiness gate (zds's loadBalancer.requireReadinessGate), so no pod
	// runs ungated while the controller's webhook is down.
	GateRequired bool

	in *input
}

// Services groups objects into services, one per Deployment, in
// namespace/name order; objects that cannot be decoded are problems.
func Services(objs []*Object) ([]*Service, []Problem) {
	in, problems := sortInput(objs)
	return in.group(), problems
}

// TargetGroups are the target groups the AWS Load Balancer Controller
// would build for the service, read with its own annotation parser.
func (s *Service) TargetGroups() ([]TargetGroup, error) {
	return (&run{s: s, in: s.in}).targetGroups()
}

// Key is namespace/name.
func (s *Service) Key() string {
	return namespaceName(s.Deployment.V.Namespace) + "/" + s.Deployment.V.Name
}

// input is every object of the kinds zds check uses, decoded.
type input struct {
	deployments []Typed[appsv1.Deployment]
	services    []Typed[corev1.Service]
	ingresses   []Typed[networkingv1.Ingress]
	classes     map[string]*networkingv1.IngressClass
	tgbs        []Typed[manifests.TargetGroupBinding]
	pdbs        []Typed[policyv1.PodDisruptionBudget]
	namespaces  map[string]*Typed[corev1.Namespace]
	hpas        []Typed[autoscalingv2.HorizontalPodAutoscaler]
	// gatePolicies are the names of the ValidatingAdmissionPolicies that
	// require the controller's readiness gate on pods; gateBindings bind
	// policies to namespaces and pods.
	gatePolicies map[string]bool
	gateBindings []*admissionregistrationv1.ValidatingAdmissionPolicyBinding
	// removed are objects of API versions no cluster serves any more.
	removed []*Object
	// selectors are the parsed selectors of budgets and Services (each
	// is matched against every Deployment of its namespace).
	selectors map[any]labels.Selector
}

// selector parses a budget's or Service's selector once; nil for none
// (or an invalid one), which selects nothing.
func (in *input) selector(owner any, parse func() (labels.Selector, error)) labels.Selector {
	if s, ok := in.selectors[owner]; ok {
		return s
	}
	s, err := parse()
	if err != nil || s.Empty() {
		s = nil
	}
	if in.selectors == nil {
		in.selectors = map[any]labels.Selector{}
	}
	in.selectors[owner] = s
	return s
}

func (in *input) budgetSelects(pdb *policyv1.PodDisruptionBudget, pods labels.Set) bool {
	sel := in.selector(pdb, func() (labels.Selector, error) {
		if pdb.Spec.Selector == nil {
			return nil, fmt.Errorf("no selector")
		}
		return metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	})
	return sel != nil && sel.Matches(pods)
}

func (in *input) serviceSelects(svc *corev1.Service, pods labels.Set) bool {
	sel := in.selector(svc, func() (labels.Selector, error) {
		if len(svc.Spec.Selector) == 0 {
			return nil, fmt.Errorf("no selector")
		}
		return labels.SelectorFromSet(svc.Spec.Selector), nil
	})
	return sel != nil && sel.Matches(pods)
}

// removedAPIs are the API versions of the kinds zds check reads that
// Kubernetes no longer serves, with the version that replaces them.
var removedAPIs = map[string]string{
	"extensions/v1beta1 Deployment":               "apps/v1 (removed in 1.16)",
	"apps/v1beta1 Deployment":                     "apps/v1 (removed in 1.16)",
	"apps/v1beta2 Deployment":                     "apps/v1 (removed in 1.16)",
	"extensions/v1beta1 Ingress":                  "networking.k8s.io/v1 (removed in 1.22)",
	"networking.k8s.io/v1beta1 Ingress":           "networking.k8s.io/v1 (removed in 1.22)",
	"policy/v1beta1 PodDisruptionBudget":          "policy/v1 (removed in 1.25)",
	"autoscaling/v2beta1 HorizontalPodAutoscaler": "autoscaling/v2 (removed in 1.25)",
	"autoscaling/v2beta2 HorizontalPodAutoscaler": "autoscaling/v2 (removed in 1.26)",
}

// sort decodes the objects zds check uses; the rest are ignored.
func sortInput(objs []*Object) (*input, []Problem) {
	in := &input{classes: map[string]*networkingv1.IngressClass{}, namespaces: map[string]*Typed[corev1.Namespace]{}}
	var problems []Problem
	add := func(p *Problem) bool {
		if p != nil {
			problems = append(problems, *p)
			return false
		}
		return true
	}
	for _, o := range objs {
		if _, gone := removedAPIs[o.APIVersion+" "+o.Kind]; gone {
			in.removed = append(in.removed, o)
		}
		switch o.Kind {
		case "Deployment":
			if v, p := decode[appsv1.Deployment](o); add(p) {
				in.deployments = append(in.deployments, Typed[appsv1.Deployment]{v, o})
			}
		case "Service":
			if v, p := decode[corev1.Service](o); add(p) {
				in.services = append(in.services, Typed[corev1.Service]{v, o})
			}
		case "Ingress":
			if v, p := decode[networkingv1.Ingress](o); add(p) {
				in.ingresses = append(in.ingresses, Typed[networkingv1.Ingress]{v, o})
			}
		case "IngressClass":
			if v, p := decode[networkingv1.IngressClass](o); add(p) {
				in.classes[v.Name] = v
			}
		case "TargetGroupBinding":
			if v, p := decode[manifests.TargetGroupBinding](o); add(p) {
				in.tgbs = append(in.tgbs, Typed[manifests.TargetGroupBinding]{v, o})
			}
		case "PodDisruptionBudget":
			if v, p := decode[policyv1.PodDisruptionBudget](o); add(p) {
				in.pdbs = append(in.pdbs, Typed[policyv1.PodDisruptionBudget]{v, o})
			}
		case "Namespace":
			if v, p := decode[corev1.Namespace](o); add(p) {
				in.namespaces[v.Name] = &Typed[corev1.Namespace]{v, o}
			}
		case "HorizontalPodAutoscaler":
			if v, p := decode[autoscalingv2.HorizontalPodAutoscaler](o); add(p) {
				in.hpas = append(in.hpas, Typed[autoscalingv2.HorizontalPodAutoscaler]{v, o})
			}
		case manifests.KindGatePolicy:
			if v, p := decode[admissionregistrationv1.ValidatingAdmissionPolicy](o); add(p) && requiresGate(v) {
				if in.gatePolicies == nil {
					in.gatePolicies = map[string]bool{}
				}
				in.gatePolicies[v.Name] = true
			}
		case manifests.KindGatePolicyBinding:
			if v, p := decode[admissionregistrationv1.ValidatingAdmissionPolicyBinding](o); add(p) {
				in.gateBindings = append(in.gateBindings, v)
			}
		}
	}
	return in, problems
}

// group puts each Deployment with what serves it, in namespace/name order.
func (in *input) group() []*Service {
	var out []*Service
	for _, d := range in.deployments {
		s := &Service{Deployment: d, in: in}
		ns := d.V.Namespace
		pods := labels.Set(d.V.Spec.Template.Labels)
		names := map[string]bool{}
		for _, svc := range in.services {
			if svc.V.Namespace != ns || !in.serviceSelects(svc.V, pods) {
				continue
			}
			s.Services = append(s.Services, svc)
			names[svc.V.Name] = true
			if isNLB(svc.V) {
				s.NLBs = append(s.NLBs, svc)
			}
		}
		for _, ing := range in.ingresses {
			if ing.V.Namespace == ns && in.isALB(ing.V) && routesTo(ing.V, names) {
				s.Ingresses = append(s.Ingresses, ing)
			}
		}
		for _, tgb := range in.tgbs {
			if tgb.V.Namespace == ns && names[tgb.V.Spec.ServiceRef.Name] {
				s.TargetGroupBindings = append(s.TargetGroupBindings, tgb)
			}
		}
		for _, pdb := range in.pdbs {
			if pdb.V.Namespace == ns && in.budgetSelects(pdb.V, pods) {
				s.Budgets = append(s.Budgets, pdb)
			}
		}
		for _, h := range in.hpas {
			ref := h.V.Spec.ScaleTargetRef
			if h.V.Namespace == ns && ref.Kind == "Deployment" && ref.Name == d.V.Name {
				s.Autoscaler = append(s.Autoscaler, h)
			}
		}
		s.Namespace = in.namespaces[namespaceName(ns)]
		s.GateRequired = in.gateRequired(namespaceName(ns), pods)
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// namespaceName is the namespace an object without one goes to.
func namespaceName(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

// isALB reports whether the AWS Load Balancer Controller serves the
// Ingress: its class is alb (by name, by an IngressClass whose controller
// is ingress.k8s.aws/alb, or by the legacy annotation).
func (in *input) isALB(ing *networkingv1.Ingress) bool {
	if c, ok := ing.Annotations[annotations.IngressClass]; ok {
		return c == "alb"
	}
	if ing.Spec.IngressClassName == nil {
		return false
	}
	name := *ing.Spec.IngressClassName
	if c, ok := in.classes[name]; ok {
		return c.Spec.Controller == "ingress.k8s.aws/alb"
	}
	return name == "alb"
}

// isNLB reports whether the AWS Load Balancer Controller serves a Service
// of type LoadBalancer (rather than the in-tree cloud provider).
func isNLB(svc *corev1.Service) bool {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return false
	}
	if c := svc.Spec.LoadBalancerClass; c != nil {
		return *c == "service.k8s.aws/nlb"
	}
	switch svc.Annotations["service.beta.kubernetes.io/"+annotations.SvcLBSuffixLoadBalancerType] {
	case "external", "nlb-ip":
		return true
	}
	return false
}

func routesTo(ing *networkingv1.Ingress, services map[string]bool) bool {
	if b := ing.Spec.DefaultBackend; b != nil && b.Service != nil && services[b.Service.Name] {
		return true
	}
	for _, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, p := range r.HTTP.Paths {
			if p.Backend.Service != nil && services[p.Backend.Service.Name] {
				return true
			}
		}
	}
	return false
}

// ingressGroup is the other Ingresses of an Ingress's IngressGroup (same
// group.name and namespace; the controller also allows explicit groups
// across namespaces through IngressClassParams, which zds check does not
// read).
func (in *input) ingressGroup(ing *networkingv1.Ingress) []*networkingv1.Ingress {
	key := ingressPrefix + "/" + annotations.IngressSuffixGroupName
	name, ok := ing.Annotations[key]
	if !ok {
		return nil
	}
	var out []*networkingv1.Ingress
	for _, other := range in.ingresses {
		if other.V != ing && other.V.Namespace == ing.Namespace && other.V.Annotations[key] == name {
			out = append(out, other.V)
		}
	}
	return out
}

// requiresGate reports whether a policy refuses pod creations that lack
// the controller's readiness gate: it matches pods on CREATE, denies on
// failure, and one of its validations tests for the gate's prefix (as
// manifests.GateExpression does).
func requiresGate(p *admissionregistrationv1.ValidatingAdmissionPolicy) bool {
	mc := p.Spec.MatchConstraints
	if mc == nil || (p.Spec.FailurePolicy != nil && *p.Spec.FailurePolicy != admissionregistrationv1.Fail) {
		return false
	}
	pods := false
	for _, r := range mc.ResourceRules {
		create := slices.Contains(r.Operations, admissionregistrationv1.Create) || slices.Contains(r.Operations, admissionregistrationv1.OperationAll)
		pods = pods || create && slices.Contains(r.APIGroups, "") && (slices.Contains(r.Resources, "pods") || slices.Contains(r.Resources, "*"))
	}
	if !pods {
		return false
	}
	for _, v := range p.Spec.Validations {
		if strings.Contains(v.Expression, "readinessGates") && strings.Contains(v.Expression, manifests.GateConditionPrefix) {
			return true
		}
	}
	return false
}

// gateRequired reports whether a binding that denies applies a
// gate-requiring policy to pods with these labels in namespace ns (a
// namespace selector is matched against the namespace's name label, the
// one label every namespace has).
func (in *input) gateRequired(ns string, pods labels.Set) bool {
	for _, b := range in.gateBindings {
		if !in.gatePolicies[b.Spec.PolicyName] || !slices.Contains(b.Spec.ValidationActions, admissionregistrationv1.Deny) {
			continue
		}
		mr := b.Spec.MatchResources
		if mr == nil {
			return true
		}
		if !selects(mr.NamespaceSelector, labels.Set{"kubernetes.io/metadata.name": ns}) || !selects(mr.ObjectSelector, pods) {
			continue
		}
		return true
	}
	return false
}

// selects matches a label selector the API way: nil or empty selects
// everything.
func selects(sel *metav1.LabelSelector, set labels.Set) bool {
	if sel == nil {
		return true
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(set)
}
