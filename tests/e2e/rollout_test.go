// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/tests/controlplane"
)

// readyDelay is how long a new pod takes to become Ready here.
const readyDelay = 8 * time.Second

// availability records a Deployment's available replicas through a watch.
type availability struct {
	mu     sync.Mutex
	min    int32
	seen   int
	stop   func()
	done   chan struct{}
	latest *appsv1.Deployment
}

func watchAvailability(t *testing.T, ctx context.Context, ns, name string) *availability {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	w, err := cs.AppsV1().Deployments(ns).Watch(ctx, metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", name).String()})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	a := &availability{min: 1 << 30, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for ev := range w.ResultChan() {
			d, ok := ev.Object.(*appsv1.Deployment)
			if !ok {
				continue
			}
			a.mu.Lock()
			a.seen++
			a.latest = d
			if d.Status.AvailableReplicas < a.min {
				a.min = d.Status.AvailableReplicas
			}
			a.mu.Unlock()
		}
	}()
	return a
}

func (a *availability) finish() (minAvailable int32, events int) {
	a.stop()
	<-a.done
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.min, a.seen
}

// healthyPods records the fewest Ready, not-terminating pods of a selector
// seen through a watch: what a PodDisruptionBudget counts as healthy.
type healthyPods struct {
	mu   sync.Mutex
	min  int
	stop func()
	done chan struct{}
}

func watchHealthy(t *testing.T, ctx context.Context, ns string, selector map[string]string) *healthyPods {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	sel := metav1.FormatLabelSelector(&metav1.LabelSelector{MatchLabels: selector})
	list, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	w, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: sel, ResourceVersion: list.ResourceVersion})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	healthy := map[string]bool{}
	for i := range list.Items {
		healthy[list.Items[i].Name] = podHealthy(&list.Items[i])
	}
	h := &healthyPods{min: count(healthy), stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for ev := range w.ResultChan() {
			p, ok := ev.Object.(*corev1.Pod)
			if !ok {
				continue
			}
			if ev.Type == watch.Deleted {
				delete(healthy, p.Name)
			} else {
				healthy[p.Name] = podHealthy(p)
			}
			h.mu.Lock()
			h.min = min(h.min, count(healthy))
			h.mu.Unlock()
		}
	}()
	return h
}

func (h *healthyPods) finish() int {
	h.stop()
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.min
}

func podHealthy(p *corev1.Pod) bool {
	if p.DeletionTimestamp != nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func count(m map[string]bool) int {
	n := 0
	for _, ok := range m {
		if ok {
			n++
		}
	}
	return n
}

// The basic example, applied as Pulumi would apply it, then rolled to a new
// image: the namespace label exists before the first pod, availability
// never drops below the desired count, and the rollout completes within the
// derived progressDeadlineSeconds.
func TestRolloutKeepsCapacityAndTheGateLabelComesFirst(t *testing.T) {
	need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ns := "e2e-rollout"
	objs, docs := exampleManifests(t, "../../examples/basic/service.zds.yaml", ns)
	restrictedNamespace(t, ctx, ns)
	name := docs[0].Metadata.Name
	replicas := int32(*docs[0].Resolved.Spec.Replicas)
	// Real pods take a while to become Ready (start-up, then the readiness
	// gate waits for the load balancer); kwok's are Ready at once unless
	// told to wait. Without this a drain could never be throttled.
	for _, o := range objs {
		if o["kind"] == "Deployment" {
			tmpl := o["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)
			tmpl["annotations"] = map[string]any{controlplane.ReadyDelayAnnotation: readyDelay.String()}
		}
	}

	// Event order on the live server: the namespace's label and the first
	// pod, compared by etcd revision (resourceVersion).
	startRV := currentRV(t, ctx)
	nsWatch, err := cs.CoreV1().Namespaces().Watch(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("metadata.name", ns).String(), ResourceVersion: startRV})
	if err != nil {
		t.Fatal(err)
	}
	podWatch, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: startRV})
	if err != nil {
		t.Fatal(err)
	}

	if _, err := apply(ctx, objs, false); err != nil {
		t.Fatal(err)
	}
	if _, err := waitAvailable(ctx, ns, name, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	labelRV := firstRV(t, nsWatch, func(o metav1.Object) bool {
		return o.GetLabels()[spec.ReadinessGateLabel] == spec.ReadinessGateValue
	})
	podRV := firstRV(t, podWatch, func(metav1.Object) bool { return true })
	if labelRV == 0 || podRV == 0 || labelRV >= podRV {
		t.Errorf("the readiness-gate label (revision %d) must exist before the first pod (revision %d)", labelRV, podRV)
	} else {
		t.Logf("readiness-gate label at revision %d, first pod at revision %d", labelRV, podRV)
	}

	// Roll to a new image.
	for _, o := range objs {
		if o["kind"] == "Deployment" {
			ctr := o["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			ctr["image"] = "ghcr.io/acme/web:1.4.3"
		}
	}
	watch := watchAvailability(t, ctx, ns, name)
	start := time.Now()
	if _, err := apply(ctx, objs, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Duration(docs[0].Resolved.Timing.ProgressDeadlineSeconds) * time.Second
	d, err := waitAvailable(ctx, ns, name, deadline)
	elapsed := time.Since(start)
	minAvailable, events := watch.finish()
	if err != nil {
		t.Fatal(err)
	}
	if d.Spec.Template.Spec.Containers[0].Image != "ghcr.io/acme/web:1.4.3" {
		t.Fatalf("the rollout did not happen")
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			t.Errorf("progress deadline exceeded: %s", c.Message)
		}
	}
	if minAvailable < replicas {
		t.Errorf("available replicas dropped to %d during the rollout, want never below %d", minAvailable, replicas)
	}
	if events < 3 {
		t.Errorf("saw only %d status updates: the watch proves little", events)
	}
	t.Logf("rolled %d replicas in %s (derived progressDeadlineSeconds %s, estimate %ds); available never below %d across %d status updates",
		replicas, elapsed.Round(time.Second), deadline, docs[0].Resolved.Timing.RolloutSeconds, minAvailable, events)

	t.Run("drain", func(t *testing.T) {
		drainKeepsTheBudget(t, ctx, ns, name, replicas, int32(*docs[0].Resolved.Spec.Disruption.MaxUnavailable))
	})
}

// currentRV returns the API server's current resourceVersion.
func currentRV(t *testing.T, ctx context.Context) string {
	t.Helper()
	l, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return l.ResourceVersion
}

// firstRV drains a watch and returns the revision of the first event whose
// object matches.
func firstRV(t *testing.T, w watch.Interface, match func(metav1.Object) bool) int64 {
	t.Helper()
	defer w.Stop()
	for {
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return 0
			}
			o, ok := ev.Object.(metav1.Object)
			if !ok || (ev.Type != watch.Added && ev.Type != watch.Modified) || !match(o) {
				continue
			}
			rv, err := strconv.ParseInt(o.GetResourceVersion(), 10, 64)
			if err != nil {
				t.Fatalf("resourceVersion %q: %v", o.GetResourceVersion(), err)
			}
			return rv
		case <-time.After(5 * time.Second):
			return 0
		}
	}
}

// drainKeepsTheBudget drains the node holding most of the service's pods
// through the eviction API, as `kubectl drain` does, and checks that the
// PodDisruptionBudget throttles it: never more than maxUnavailable pods
// unavailable, and every pod ends up elsewhere, available.
func drainKeepsTheBudget(t *testing.T, ctx context.Context, ns, name string, replicas, maxUnavailable int32) {
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pods, err := deploymentPods(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	perNode := map[string]int{}
	for _, p := range pods {
		perNode[p.Spec.NodeName]++
	}
	node, most := "", 0
	for n, c := range perNode {
		if c > most {
			node, most = n, c
		}
	}
	if most < 2 {
		t.Fatalf("need at least 2 pods on one node to test throttling, have %v", perNode)
	}

	// Cordon, with the taint the node-lifecycle controller (off here) adds
	// to unschedulable nodes: zone spreading ignores tainted nodes.
	patch := []byte(`{"spec":{"unschedulable":true,"taints":[{"key":"node.kubernetes.io/unschedulable","effect":"NoSchedule"}]}}`)
	if _, err := cs.CoreV1().Nodes().Patch(ctx, node, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		uncordon := []byte(`{"spec":{"unschedulable":false,"taints":null}}`)
		_, _ = cs.CoreV1().Nodes().Patch(context.Background(), node, types.StrategicMergePatchType, uncordon, metav1.PatchOptions{})
	}()

	deployment := watchAvailability(t, ctx, ns, name)
	healthy := watchHealthy(t, ctx, ns, d.Spec.Selector.MatchLabels)
	var mu sync.Mutex
	refused, evicted := 0, 0
	var wg sync.WaitGroup
	for _, p := range pods {
		if p.Spec.NodeName != node {
			continue
		}
		wg.Add(1)
		go func(pod corev1.Pod) {
			defer wg.Done()
			for ctx.Err() == nil {
				err := cs.PolicyV1().Evictions(ns).Evict(ctx, &policyv1.Eviction{
					ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: ns},
				})
				switch {
				case err == nil, apierrors.IsNotFound(err):
					mu.Lock()
					evicted++
					mu.Unlock()
					return
				case apierrors.IsTooManyRequests(err):
					// "Cannot evict pod as it would violate the pod's
					// disruption budget": retry, as kubectl drain does.
					mu.Lock()
					refused++
					mu.Unlock()
					time.Sleep(time.Second)
				default:
					t.Errorf("evicting %s: %v", pod.Name, err)
					return
				}
			}
		}(p)
	}
	wg.Wait()

	// Wait until the drained node holds none of the pods and all are back.
	var final map[string]corev1.Pod
	err = controlplane.Poll(ctx, 4*time.Minute, func() (bool, error) {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		final, err = deploymentPods(ctx, d)
		if err != nil {
			return false, err
		}
		for _, p := range final {
			if p.Spec.NodeName == node {
				return false, nil
			}
		}
		return rolledOut(d), nil
	})
	minAvailable, events := deployment.finish()
	minHealthy := healthy.finish()
	if err != nil {
		t.Fatalf("drain did not finish: %v", err)
	}
	if refused == 0 {
		t.Errorf("the PodDisruptionBudget never refused an eviction while %d pods were drained at once", most)
	}
	// The budget's promise: never fewer Ready pods than replicas −
	// maxUnavailable. (It counts Ready, not minReadySeconds: during drains
	// the readiness gate, not minReadySeconds, keeps LB capacity.)
	if int32(minHealthy) < replicas-maxUnavailable {
		t.Errorf("Ready pods dropped to %d, want at least %d (replicas %d − maxUnavailable %d)", minHealthy, replicas-maxUnavailable, replicas, maxUnavailable)
	}
	if events < 2 {
		t.Errorf("saw only %d status updates during the drain", events)
	}
	t.Logf("drained %d pods from %s: %d evictions refused by the budget; Ready pods never below %d of %d (Deployment availability, which adds minReadySeconds, never below %d)",
		evicted, node, refused, minHealthy, replicas, minAvailable)
}
