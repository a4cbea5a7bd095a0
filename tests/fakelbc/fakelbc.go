// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package fakelbc stands in for the status side of the AWS Load Balancer
// Controller on a local control plane (tests/controlplane), as kwok stands
// in for kubelets: no load balancer exists, but the objects say what the
// controller would say once it had built one.
//
//   - An ALB Ingress (ingressClassName alb, or the legacy class annotation)
//     gets a load balancer hostname in status.loadBalancer, the same for
//     every member of an IngressGroup (group.name), after Provisioning.
//   - A Service of type LoadBalancer that the controller takes
//     (aws-load-balancer-type external or nlb-ip, or the loadBalancerClass
//     service.k8s.aws/nlb) gets an NLB hostname, after Provisioning.
//   - A pod carrying a target-health readiness gate, selected by a Service
//     that is such a load balancer's backend (the Ingress's backends, the
//     NLB Service itself, or a TargetGroupBinding's serviceRef), gets the
//     gate's condition True once its containers have been ready for
//     Registration: the controller's latency plus the health checks a new
//     target needs. Its Ready condition becomes True with it, as the
//     kubelet would set it. Start the control plane with
//     controlplane.Options.GatesFromController, so kwok leaves the gates to
//     this controller.
//
// The gate itself is injected at pod creation by GateInjector, a
// MutatingAdmissionPolicy standing in for the controller's pod webhook.
// Stop the controller to see what users see when theirs is absent.
package fakelbc

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// GatePrefix starts the condition type of the controller's readiness gates
// (target-health.elbv2.k8s.aws/<TargetGroupBinding>).
const GatePrefix = "target-health.elbv2.k8s.aws/"

// GateInjector is a MutatingAdmissionPolicy and its binding that inject a
// target-health readiness gate into every pod created in a namespace
// labelled elbv2.k8s.aws/pod-readiness-gate-inject: enabled, as the
// controller's webhook does for pods behind its IP target groups. It needs
// the control plane's MutatingAdmissionPolicy feature (tests/controlplane
// enables it).
//
//go:embed gate-injector.yaml
var GateInjector []byte

// Options set the controller's delays.
type Options struct {
	// Provisioning is how long a new load balancer takes to get its
	// hostname.
	Provisioning time.Duration
	// Registration is how long a pod's containers must have been ready
	// before its target is healthy and the gate passes.
	Registration time.Duration
}

// Controller is a running stand-in.
type Controller struct {
	cs     kubernetes.Interface
	dyn    dynamic.Interface
	opts   Options
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	err     error
	gated   map[types.UID]time.Time // pods whose gates were set, and when
	ignored map[string]bool         // namespaces the controller leaves alone
}

// Start runs the controller until Stop.
func Start(cfg *rest.Config, opts Options) (*Controller, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Controller{cs: cs, dyn: dyn, opts: opts, cancel: cancel, done: make(chan struct{}), gated: map[types.UID]time.Time{}, ignored: map[string]bool{}}
	go c.run(ctx)
	return c, nil
}

// Stop stops the controller and returns the last error a reconcile met.
func (c *Controller) Stop() error {
	if c == nil {
		return nil
	}
	c.cancel()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// GatedAt reports when the controller set the pod's gates.
func (c *Controller) GatedAt(uid types.UID) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.gated[uid]
	return t, ok
}

// Ignore makes the controller act as if it were absent for a namespace:
// no hostnames, no gates (a controller that is down, or that cannot build
// the load balancer).
func (c *Controller) Ignore(namespace string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ignored[namespace] = true
}

func (c *Controller) ignores(namespace string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ignored[namespace]
}

func (c *Controller) run(ctx context.Context) {
	defer close(c.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := c.reconcile(ctx); err != nil && ctx.Err() == nil {
			c.mu.Lock()
			c.err = err
			c.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// backend is a Service whose pods are a load balancer's targets.
type backend struct{ namespace, name string }

var tgbResource = schema.GroupVersionResource{Group: "elbv2.k8s.aws", Version: "v1beta1", Resource: "targetgroupbindings"}

func (c *Controller) reconcile(ctx context.Context) error {
	now := time.Now()
	backends := map[backend]bool{}

	ings, err := c.cs.NetworkingV1().Ingresses("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for i := range ings.Items {
		ing := &ings.Items[i]
		if !isALB(ing) || ing.DeletionTimestamp != nil || c.ignores(ing.Namespace) {
			continue
		}
		for _, b := range ingressBackends(ing) {
			backends[backend{ing.Namespace, b}] = true
		}
		if len(ing.Status.LoadBalancer.Ingress) == 0 && now.Sub(ing.CreationTimestamp.Time) >= c.opts.Provisioning {
			ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{Hostname: albHostname(ing)}}
			if _, err := c.cs.NetworkingV1().Ingresses(ing.Namespace).UpdateStatus(ctx, ing, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("ingress %s/%s status: %w", ing.Namespace, ing.Name, err)
			}
		}
	}

	svcs, err := c.cs.CoreV1().Services("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	services := map[backend]*corev1.Service{}
	for i := range svcs.Items {
		svc := &svcs.Items[i]
		services[backend{svc.Namespace, svc.Name}] = svc
		if !isNLB(svc) || svc.DeletionTimestamp != nil || c.ignores(svc.Namespace) {
			continue
		}
		backends[backend{svc.Namespace, svc.Name}] = true
		if len(svc.Status.LoadBalancer.Ingress) == 0 && now.Sub(svc.CreationTimestamp.Time) >= c.opts.Provisioning {
			svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: nlbHostname(svc)}}
			if _, err := c.cs.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("service %s/%s status: %w", svc.Namespace, svc.Name, err)
			}
		}
	}

	// TargetGroupBindings, where their CRD is installed.
	if tgbs, err := c.dyn.Resource(tgbResource).Namespace("").List(ctx, metav1.ListOptions{}); err == nil {
		for _, tgb := range tgbs.Items {
			if name, _, _ := unstructured.NestedString(tgb.Object, "spec", "serviceRef", "name"); name != "" && !c.ignores(tgb.GetNamespace()) {
				backends[backend{tgb.GetNamespace(), name}] = true
			}
		}
	}

	for b := range backends {
		svc := services[b]
		if svc == nil || len(svc.Spec.Selector) == 0 {
			continue
		}
		if err := c.registerPods(ctx, b.namespace, labels.SelectorFromSet(svc.Spec.Selector), now); err != nil {
			return err
		}
	}
	return nil
}

// registerPods sets the gates of the selected pods whose containers have
// been ready for the registration time.
func (c *Controller) registerPods(ctx context.Context, namespace string, sel labels.Selector, now time.Time) error {
	pods, err := c.cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return err
	}
	for i := range pods.Items {
		pod := &pods.Items[i]
		if pod.DeletionTimestamp != nil {
			continue
		}
		gates := unsetGates(pod)
		if len(gates) == 0 {
			continue
		}
		ready := condition(pod, corev1.ContainersReady)
		if ready == nil || ready.Status != corev1.ConditionTrue || now.Sub(ready.LastTransitionTime.Time) < c.opts.Registration {
			continue
		}
		stamp := metav1.NewTime(now)
		var conds []corev1.PodCondition
		for _, g := range gates {
			conds = append(conds, corev1.PodCondition{Type: g, Status: corev1.ConditionTrue, LastTransitionTime: stamp})
		}
		conds = append(conds, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: stamp})
		patch, err := json.Marshal(map[string]any{"status": map[string]any{"conditions": conds}})
		if err != nil {
			return err
		}
		if _, err := c.cs.CoreV1().Pods(namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil {
			return fmt.Errorf("pod %s/%s gates: %w", namespace, pod.Name, err)
		}
		c.mu.Lock()
		c.gated[pod.UID] = now
		c.mu.Unlock()
	}
	return nil
}

// unsetGates are the pod's target-health gates whose condition is not True.
func unsetGates(pod *corev1.Pod) []corev1.PodConditionType {
	var out []corev1.PodConditionType
	for _, g := range pod.Spec.ReadinessGates {
		if !strings.HasPrefix(string(g.ConditionType), GatePrefix) {
			continue
		}
		if cond := condition(pod, g.ConditionType); cond == nil || cond.Status != corev1.ConditionTrue {
			out = append(out, g.ConditionType)
		}
	}
	return out
}

func condition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func isALB(ing *networkingv1.Ingress) bool {
	if ing.Spec.IngressClassName != nil {
		return *ing.Spec.IngressClassName == "alb"
	}
	return ing.Annotations["kubernetes.io/ingress.class"] == "alb"
}

func isNLB(svc *corev1.Service) bool {
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return false
	}
	if svc.Spec.LoadBalancerClass != nil {
		return *svc.Spec.LoadBalancerClass == "service.k8s.aws/nlb"
	}
	switch svc.Annotations["service.beta.kubernetes.io/aws-load-balancer-type"] {
	case "external", "nlb-ip":
		return true
	}
	return false
}

func ingressBackends(ing *networkingv1.Ingress) []string {
	var out []string
	if b := ing.Spec.DefaultBackend; b != nil && b.Service != nil {
		out = append(out, b.Service.Name)
	}
	for _, r := range ing.Spec.Rules {
		if r.HTTP == nil {
			continue
		}
		for _, p := range r.HTTP.Paths {
			if p.Backend.Service != nil {
				out = append(out, p.Backend.Service.Name)
			}
		}
	}
	return out
}

// albHostname names the ALB as the controller does (k8s-<group or
// namespace-name>-<hash>), one per IngressGroup.
func albHostname(ing *networkingv1.Ingress) string {
	id := ing.Namespace + "-" + ing.Name
	if g := ing.Annotations["alb.ingress.kubernetes.io/group.name"]; g != "" {
		id = g
	}
	return fmt.Sprintf("k8s-%s-%08x.us-east-1.elb.amazonaws.com", trim(id), hash(id))
}

func nlbHostname(svc *corev1.Service) string {
	id := svc.Namespace + "-" + svc.Name
	return fmt.Sprintf("k8s-%s-%08x.elb.us-east-1.amazonaws.com", trim(id), hash(id))
}

func trim(s string) string {
	if len(s) > 17 {
		return s[:17]
	}
	return s
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// InstallGateInjector applies GateInjector and waits until a pod created in
// a labelled namespace gets its gate (a policy takes a moment to load).
func InstallGateInjector(ctx context.Context, cfg *rest.Config) error {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	policies := []schema.GroupVersionResource{
		{Group: "admissionregistration.k8s.io", Version: "v1beta1", Resource: "mutatingadmissionpolicies"},
		{Group: "admissionregistration.k8s.io", Version: "v1beta1", Resource: "mutatingadmissionpolicybindings"},
	}
	for i, doc := range strings.Split(string(GateInjector), "\n---\n") {
		data, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return fmt.Errorf("gate-injector.yaml document %d: %w", i+1, err)
		}
		var obj struct {
			Metadata struct{ Name string } `json:"metadata"`
		}
		if err := json.Unmarshal(data, &obj); err != nil {
			return err
		}
		force := true
		if _, err := dyn.Resource(policies[i]).Patch(ctx, obj.Metadata.Name, types.ApplyPatchType, data, metav1.PatchOptions{FieldManager: "fakelbc", Force: &force}); err != nil {
			return fmt.Errorf("applying %s: %w", obj.Metadata.Name, err)
		}
	}
	return waitForInjection(ctx, cfg)
}

// waitForInjection dry-runs a pod in a labelled namespace until it gets a
// gate.
func waitForInjection(ctx context.Context, cfg *rest.Config) error {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	const ns = "zds-fakelbc-probe"
	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{"elbv2.k8s.aws/pod-readiness-gate-inject": "enabled"}}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, nsObj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	defer cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) //nolint:errcheck // best effort
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "probe"}}},
	}
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil && len(out.Spec.ReadinessGates) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the gate injector never injected a gate (last error: %v)", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
