// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package e2e puts everything zds emits through a real Kubernetes control
// plane (tests/controlplane): server-side dry-run and apply into namespaces
// that enforce Pod Security "restricted", selection checked on live objects,
// real rolling updates and node drains against the real PodDisruptionBudget.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/zerodowntime/zds/tests/controlplane"
	"github.com/zerodowntime/zds/tests/fakelbc"
)

var (
	cp         *controlplane.ControlPlane
	unusable   string // why the control plane is not there
	cs         kubernetes.Interface
	dyn        dynamic.Interface
	mapper     meta.RESTMapper
	warnings   = &warningLog{}
	fieldOwner = "zds-e2e"
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	var err error
	cp, err = controlplane.Start(ctx, controlplane.Options{Nodes: 2})
	if err == nil {
		// What the AWS Load Balancer Controller's webhook does: a gate on
		// each pod created in a namespace labelled for gates (kwok sets it
		// True with Ready). zds's admission policy refuses pods without one.
		if err = fakelbc.InstallGateInjector(ctx, cp.Config); err != nil {
			err = fmt.Errorf("the readiness-gate injector: %w", err)
			cp.Stop()
			cp = nil
		}
	}
	cancel()
	if err != nil {
		unusable = err.Error()
	} else {
		cfg := rest.CopyConfig(cp.Config)
		cfg.WarningHandler = warnings
		cs = kubernetes.NewForConfigOrDie(cfg)
		dyn = dynamic.NewForConfigOrDie(cfg)
		dc := discovery.NewDiscoveryClientForConfigOrDie(cfg)
		mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	}
	code := m.Run()
	cp.Stop()
	os.Exit(code)
}

// need skips (locally) or fails (in CI) a test when there is no control plane.
func need(t *testing.T) {
	t.Helper()
	if cp != nil {
		if err := cp.Alive(); err != nil {
			t.Fatalf("control plane died: %v", err)
		}
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("the real control plane is required in CI and could not start:\n%s", unusable)
	}
	t.Skipf("no real control plane (run `make controlplane` once to build it, or `make e2e`): %s", firstLine(unusable))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// warningLog collects the API server's warnings (Pod Security "warn" mode
// reports violations of workload templates this way).
type warningLog struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningLog) HandleWarningHeader(_ int, _ string, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

// take returns the warnings collected so far and forgets them.
func (w *warningLog) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

// restrictedNamespace creates (or relabels) a namespace that enforces and
// warns on Pod Security "restricted".
func restrictedNamespace(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	ns := map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": name, "labels": map[string]any{
			"pod-security.kubernetes.io/enforce":         "restricted",
			"pod-security.kubernetes.io/enforce-version": "latest",
			"pod-security.kubernetes.io/warn":            "restricted",
			"pod-security.kubernetes.io/warn-version":    "latest",
		}},
	}
	if _, err := applyOne(ctx, ns, false, "zds-e2e-setup"); err != nil {
		t.Fatalf("namespace %s: %v", name, err)
	}
}

func resourceFor(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return dyn.Resource(m.Resource).Namespace(obj.GetNamespace()), nil
	}
	return dyn.Resource(m.Resource), nil
}

// applyOne server-side-applies one object (as pulumi-kubernetes does).
func applyOne(ctx context.Context, obj map[string]any, dryRun bool, manager string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{Object: obj}
	ri, err := resourceFor(u)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	opts := metav1.PatchOptions{FieldManager: manager, Force: ptr(true)}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	out, err := ri.Patch(ctx, u.GetName(), types.ApplyPatchType, data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), err)
	}
	return out, nil
}

// apply applies objects in order and returns the live objects.
func apply(ctx context.Context, objs []map[string]any, dryRun bool) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		live, err := applyOne(ctx, o, dryRun, fieldOwner)
		if err != nil {
			return nil, err
		}
		out = append(out, live)
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// waitAvailable waits until the Deployment has rolled out completely.
func waitAvailable(ctx context.Context, ns, name string, timeout time.Duration) (*appsv1.Deployment, error) {
	var d *appsv1.Deployment
	err := controlplane.Poll(ctx, timeout, func() (bool, error) {
		var err error
		d, err = cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return rolledOut(d), nil
	})
	if err != nil {
		return d, fmt.Errorf("deployment %s/%s not available after %s: %w (status %+v)", ns, name, timeout, err, statusOf(d))
	}
	return d, nil
}

func rolledOut(d *appsv1.Deployment) bool {
	want := *d.Spec.Replicas
	s := d.Status
	return s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == want && s.Replicas == want && s.AvailableReplicas == want
}

func statusOf(d *appsv1.Deployment) any {
	if d == nil {
		return nil
	}
	return d.Status
}

// deploymentPods returns the running (not terminating) pods the
// Deployment's ReplicaSets own.
func deploymentPods(ctx context.Context, d *appsv1.Deployment) (map[string]corev1.Pod, error) {
	rsList, err := cs.AppsV1().ReplicaSets(d.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	owned := map[types.UID]bool{}
	for _, rs := range rsList.Items {
		if metav1.IsControlledBy(&rs, d) {
			owned[rs.UID] = true
		}
	}
	pods, err := cs.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := map[string]corev1.Pod{}
	for _, p := range pods.Items {
		ref := metav1.GetControllerOf(&p)
		if ref != nil && owned[ref.UID] && p.DeletionTimestamp == nil {
			out[p.Name] = p
		}
	}
	return out, nil
}

func selected(ctx context.Context, ns string, sel labels.Selector) (map[string]bool, error) {
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			out[p.Name] = true
		}
	}
	return out, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// liveSelectionProblems checks, on the live objects of one service, that
// the PodDisruptionBudget and the Service select exactly the Deployment's
// pods (and the disruption controller agrees), the Service's endpoints are
// those pods, and the Ingress routes to the Service's port.
func liveSelectionProblems(ctx context.Context, ns, name string) ([]string, error) {
	var problems []string
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	pods, err := deploymentPods(ctx, d)
	if err != nil {
		return nil, err
	}
	want := strings.Join(keys(pods), ",")
	if len(pods) != int(*d.Spec.Replicas) {
		problems = append(problems, fmt.Sprintf("deployment has %d pods, want %d", len(pods), *d.Spec.Replicas))
	}

	pdb, err := cs.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	pdbSel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return nil, err
	}
	got, err := selected(ctx, ns, pdbSel)
	if err != nil {
		return nil, err
	}
	if g := strings.Join(keys(got), ","); g != want {
		problems = append(problems, fmt.Sprintf("PodDisruptionBudget selects [%s], want the deployment's pods [%s]", g, want))
	}
	if pdb.Status.ObservedGeneration == pdb.Generation && pdb.Status.ExpectedPods != *d.Spec.Replicas {
		problems = append(problems, fmt.Sprintf("disruption controller counts %d expected pods, want %d", pdb.Status.ExpectedPods, *d.Spec.Replicas))
	}

	svc, err := cs.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	got, err = selected(ctx, ns, labels.SelectorFromSet(svc.Spec.Selector))
	if err != nil {
		return nil, err
	}
	if g := strings.Join(keys(got), ","); g != want {
		problems = append(problems, fmt.Sprintf("Service selects [%s], want [%s]", g, want))
	}
	slices, err := cs.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + name})
	if err != nil {
		return nil, err
	}
	endpointPods := map[string]bool{}
	for _, s := range slices.Items {
		for _, e := range s.Endpoints {
			if e.TargetRef != nil && e.Conditions.Ready != nil && *e.Conditions.Ready {
				endpointPods[e.TargetRef.Name] = true
			}
		}
	}
	if g := strings.Join(keys(endpointPods), ","); g != want {
		problems = append(problems, fmt.Sprintf("Service endpoints [%s], want [%s]", g, want))
	}

	// Only alb services have an Ingress.
	ing, err := cs.NetworkingV1().Ingresses(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return problems, nil
	}
	if err != nil {
		return nil, err
	}
	for _, r := range ing.Spec.Rules {
		for _, p := range r.HTTP.Paths {
			b := p.Backend.Service
			if b == nil || b.Name != svc.Name {
				problems = append(problems, fmt.Sprintf("Ingress path %s routes to %v, not Service %s", p.Path, b, svc.Name))
				continue
			}
			found := false
			for _, sp := range svc.Spec.Ports {
				if sp.Name == b.Port.Name || (b.Port.Number != 0 && sp.Port == b.Port.Number) {
					found = true
				}
			}
			if !found {
				problems = append(problems, fmt.Sprintf("Ingress path %s names port %+v, which Service %s does not have", p.Path, b.Port, svc.Name))
			}
		}
	}
	return problems, nil
}

// waitNoProblems retries liveSelectionProblems while controllers catch up.
func waitNoProblems(ctx context.Context, ns, name string, timeout time.Duration) []string {
	var last []string
	err := controlplane.Poll(ctx, timeout, func() (bool, error) {
		p, err := liveSelectionProblems(ctx, ns, name)
		if err != nil && !apierrors.IsNotFound(err) {
			return false, err
		}
		last = p
		return err == nil && len(p) == 0, nil
	})
	if err != nil && len(last) == 0 {
		last = []string{err.Error()}
	}
	return last
}
