// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/spec"
)

// Live is what a cluster holds for zds check: the objects of the kinds it
// reads, and the pods of each Deployment.
type Live struct {
	Objects []*Object
	// Pods are keyed by the Deployment's namespace/name.
	Pods map[string][]corev1.Pod
}

var targetGroupBindings = schema.GroupVersionResource{Group: "elbv2.k8s.aws", Version: "v1beta1", Resource: "targetgroupbindings"}

// FromCluster reads the Deployments, Services, Ingresses, IngressClasses,
// TargetGroupBindings (when the CRD is installed), PodDisruptionBudgets,
// HorizontalPodAutoscalers and Namespaces of one namespace ("" for all),
// the cluster's ValidatingAdmissionPolicies and their bindings (when the
// identity may list them), and the pods of every Deployment.
func FromCluster(ctx context.Context, cs kubernetes.Interface, dyn dynamic.Interface, namespace string) (*Live, error) {
	live := &Live{Pods: map[string][]corev1.Pod{}}
	add := func(kind, apiVersion string, items []runtime.Object) error {
		for _, it := range items {
			m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(it)
			if err != nil {
				return err
			}
			m["kind"], m["apiVersion"] = kind, apiVersion
			raw, err := jsonValue(m)
			if err != nil {
				return err
			}
			o := &Object{Kind: kind, APIVersion: apiVersion, Raw: raw.(map[string]any)}
			meta, _ := o.Raw["metadata"].(map[string]any)
			o.Name, _ = meta["name"].(string)
			o.Namespace, _ = meta["namespace"].(string)
			live.Objects = append(live.Objects, o)
		}
		return nil
	}
	opts := metav1.ListOptions{}
	list := func(what string, f func() ([]runtime.Object, error), kind, apiVersion string) error {
		items, err := f()
		if err != nil {
			return fmt.Errorf("listing %s: %w", what, err)
		}
		return add(kind, apiVersion, items)
	}
	steps := []struct {
		what, kind, apiVersion string
		f                      func() ([]runtime.Object, error)
	}{
		{"deployments", "Deployment", "apps/v1", func() ([]runtime.Object, error) {
			l, err := cs.AppsV1().Deployments(namespace).List(ctx, opts)
			return items(l, err, func() []runtime.Object { return ptrs(l.Items) })
		}},
		{"services", "Service", "v1", func() ([]runtime.Object, error) {
			l, err := cs.CoreV1().Services(namespace).List(ctx, opts)
			return items(l, err, func() []runtime.Object { return ptrs(l.Items) })
		}},
		{"ingresses", "Ingress", "networking.k8s.io/v1", func() ([]runtime.Object, error) {
			l, err := cs.NetworkingV1().Ingresses(namespace).List(ctx, opts)
			return items(l, err, func() []runtime.Object { return ptrs(l.Items) })
		}},
		{"ingress classes", "IngressClass", "networking.k8s.io/v1", func() ([]runtime.Object, error) {
			l, err := cs.NetworkingV1().IngressClasses().List(ctx, opts)
			return items(l, err, func() []runtime.Object { return ptrs(l.Items) })
		}},
		{"pod disruption budgets", "PodDisruptionBudget", "policy/v1", func() ([]runtime.Object, error) {
			l, err := cs.PolicyV1().PodDisruptionBudgets(namespace).List(ctx, opts)
			return items(l, err, func() []runtime.Object { return ptrs(l.Items) })
		}},
		{"horizontal pod autoscalers", "HorizontalPodAutoscaler", "autoscaling/v2", func() ([]runtime.Object, error) {
			l, err := cs.AutoscalingV2().HorizontalPodAutoscalers(namespace).List(ctx, opts)
			return items(l, err, func() []runtime.Object { return ptrs(l.Items) })
		}},
	}
	for _, s := range steps {
		if err := list(s.what, s.f, s.kind, s.apiVersion); err != nil {
			return nil, err
		}
	}
	// The admission policies that may require the readiness gate
	// (cluster-scoped). An identity that may not list them sees none, and
	// its report says nothing requires the gate.
	admission := []struct {
		what, kind string
		f          func() ([]runtime.Object, error)
	}{
		{"validating admission policies", manifests.KindGatePolicy, func() ([]runtime.Object, error) {
			l, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().List(ctx, opts)
			return items(l, err, func() []runtime.Object { return ptrs(l.Items) })
		}},
		{"validating admission policy bindings", manifests.KindGatePolicyBinding, func() ([]runtime.Object, error) {
			l, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().List(ctx, opts)
			return items(l, err, func() []runtime.Object { return ptrs(l.Items) })
		}},
	}
	for _, s := range admission {
		err := list(s.what, s.f, s.kind, "admissionregistration.k8s.io/v1")
		if err != nil && !apierrors.IsForbidden(errors.Unwrap(err)) && !apierrors.IsNotFound(errors.Unwrap(err)) {
			return nil, err
		}
	}
	if dyn != nil {
		l, err := dyn.Resource(targetGroupBindings).Namespace(namespace).List(ctx, opts)
		switch {
		case apierrors.IsNotFound(err):
			// The CRD is not installed: there are none.
		case err != nil:
			return nil, fmt.Errorf("listing target group bindings: %w", err)
		default:
			for _, u := range l.Items {
				o := &Object{Kind: "TargetGroupBinding", APIVersion: u.GetAPIVersion(), Name: u.GetName(), Namespace: u.GetNamespace()}
				raw, err := jsonValue(u.Object)
				if err != nil {
					return nil, err
				}
				o.Raw = raw.(map[string]any)
				live.Objects = append(live.Objects, o)
			}
		}
	}
	// The namespaces of the Deployments, and their pods.
	seen := map[string]bool{}
	for _, o := range append([]*Object(nil), live.Objects...) {
		if o.Kind != "Deployment" {
			continue
		}
		if !seen[o.Namespace] {
			seen[o.Namespace] = true
			ns, err := cs.CoreV1().Namespaces().Get(ctx, o.Namespace, metav1.GetOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return nil, fmt.Errorf("reading namespace %s: %w", o.Namespace, err)
			}
			if err == nil {
				if err := add("Namespace", "v1", []runtime.Object{ns}); err != nil {
					return nil, err
				}
			}
		}
		d, p := decode[appsv1.Deployment](o)
		if p != nil || d.Spec.Selector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil {
			continue
		}
		pods, err := cs.CoreV1().Pods(o.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
		if err != nil {
			return nil, fmt.Errorf("listing the pods of %s/%s: %w", o.Namespace, o.Name, err)
		}
		live.Pods[namespaceName(o.Namespace)+"/"+o.Name] = pods.Items
	}
	return live, nil
}

func items[L any](l L, err error, f func() []runtime.Object) ([]runtime.Object, error) {
	if err != nil {
		return nil, err
	}
	return f(), nil
}

func ptrs[T any, P interface {
	*T
	runtime.Object
}](xs []T) []runtime.Object {
	out := make([]runtime.Object, len(xs))
	for i := range xs {
		out[i] = P(&xs[i])
	}
	return out
}

// readinessGatePrefix starts the condition type of the gates the
// controller's webhook injects.
const readinessGatePrefix = "target-health.elbv2.k8s.aws/"

// CheckLive is Check, and what only a live cluster shows: running pods
// without the readiness gate behind IP targets in a labelled namespace,
// and budgets that allow no disruption now.
func CheckLive(live *Live, opts Options) *Report {
	r, services := check(live.Objects, opts)
	for i, sr := range r.Services {
		s := services[i]
		tgs, _ := s.TargetGroups()
		ip := len(tgs) > 0
		for _, tg := range tgs {
			ip = ip && tg.TargetType == "ip"
		}
		labelled := s.Namespace != nil && s.Namespace.V.Labels[spec.ReadinessGateLabel] == spec.ReadinessGateValue
		if ip && labelled {
			var gateless []string
			for _, p := range live.Pods[sr.Name] {
				if p.DeletionTimestamp == nil && !hasGate(p) {
					gateless = append(gateless, p.Name)
				}
			}
			if len(gateless) > 0 {
				f := Finding{Severity: Error, Rule: "6", Title: "the readiness gate", Object: s.Deployment.O.Ref(), Namespace: sr.Name[:strings.Index(sr.Name, "/")],
					Field:   "spec.template",
					Message: fmt.Sprintf("%d running pod(s) have no readiness gate although the namespace is labelled (%s): they started before the label, or while the controller's webhook was down; the next rollout removes them before their replacements are registered. Restart the Deployment: kubectl rollout restart deployment/%s -n %s", len(gateless), strings.Join(gateless, ", "), s.Deployment.V.Name, s.Deployment.V.Namespace)}
				sr.Findings = append(sr.Findings, f)
			}
		}
		for _, pdb := range s.Budgets {
			st := pdb.V.Status
			if st.ExpectedPods > 0 && st.DisruptionsAllowed == 0 {
				sr.Findings = append(sr.Findings, Finding{Severity: Warning, Rule: "budget", Title: "a budget that allows a disruption", Object: pdb.O.Ref(),
					Namespace: namespaceName(pdb.V.Namespace), Field: "status.disruptionsAllowed",
					Message: fmt.Sprintf("allows no disruption now (%d of %d pods healthy, %d desired): a node drain stalls on these pods until they are healthy", st.CurrentHealthy, st.ExpectedPods, st.DesiredHealthy)})
			}
		}
		sortFindings(sr.Findings)
	}
	return r
}

func hasGate(p corev1.Pod) bool {
	for _, g := range p.Spec.ReadinessGates {
		if strings.HasPrefix(string(g.ConditionType), readinessGatePrefix) {
			return true
		}
	}
	return false
}
