// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/specfile"
)

// webSpec is the service of the lifecycle test: the basic example's shape,
// with short health checks and propagation so a rollout takes seconds.
func webSpec(namespace, image string, replicas, maxRequestSeconds int) string {
	return fmt.Sprintf(`apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata: {name: web, namespace: %s}
spec:
  image: %s
  port: 8080
  replicas: %d
  healthCheck: {path: /healthz, intervalSeconds: 5, timeoutSeconds: 2}
  app: {maxRequestSeconds: %d, shutdownSeconds: 2, startupSeconds: 5}
  loadBalancer: {scheme: internal, host: web.example.com, propagationSeconds: 5}
`, namespace, image, replicas, maxRequestSeconds)
}

// The component's whole life under the real engine: create, no-op update
// and preview, refresh, in-place updates whose await returns when the
// rollout is done, and destroy. Each step checks what users feel.
func TestLifecycle(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	const ns = "shop"
	existingNamespace(t, ctx, ns)
	kc := kubeconfig(t)
	url := backend(t)

	current := docs(t, webSpec(ns, "registry.local/web:1", 2, 5))
	stack := goStack(t, ctx, url, "lifecycle", program(kc, current))
	up := func(t *testing.T, ds []*specfile.Document) (auto.UpResult, time.Duration) {
		t.Helper()
		stack.Workspace().SetProgram(program(kc, ds))
		start := time.Now()
		res, err := stack.Up(ctx, optup.ProgressStreams(progress(t)))
		if err != nil {
			t.Fatalf("pulumi up: %v", err)
		}
		current = ds
		return res, time.Since(start)
	}

	t.Run("up from empty creates what the mocks register and render writes", func(t *testing.T) {
		res, took := up(t, current)
		t.Logf("pulumi up took %s", took.Round(time.Second))
		got := changes(res.Summary.ResourceChanges)
		if got["create"] == 0 || len(got) != 1 {
			t.Errorf("changes %v, want only creates", got)
		}
		sameChildren(t, stateChildren(t, ctx, stack), mockChildren(t, "lifecycle", program(kc, current)))
		liveEqualsRender(t, ctx, current)
		rolledOutWithGates(t, ctx, ns, "web", "registry.local/web:1")

		r := current[0].Resolved.Timing
		wantOutputs := map[string]any{
			"web.preStopSleepSeconds":           float64(r.PreStopSleepSeconds),
			"web.terminationGracePeriodSeconds": float64(r.TerminationGracePeriodSeconds),
			"web.deregistrationDelaySeconds":    float64(r.DeregistrationDelaySeconds),
			"web.awaitTimeoutSeconds":           float64(r.AwaitTimeoutSeconds),
			"web.deploymentName":                "web",
			"web.namespace":                     ns,
		}
		for k, want := range wantOutputs {
			if got := res.Outputs[k].Value; got != want {
				t.Errorf("output %s = %v, want %v", k, got, want)
			}
		}
		ing, err := cs.NetworkingV1().Ingresses(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ing.Status.LoadBalancer.Ingress) == 0 {
			t.Fatal("the Ingress has no load balancer status")
		}
		if got, want := res.Outputs["web.loadBalancerHostname"].Value, ing.Status.LoadBalancer.Ingress[0].Hostname; got != want || want == "" {
			t.Errorf("output web.loadBalancerHostname = %v, want the Ingress's %q", got, want)
		}
	})

	t.Run("a second up and a preview change nothing", func(t *testing.T) {
		res, _ := up(t, current)
		if got := changes(res.Summary.ResourceChanges); len(got) != 0 {
			t.Errorf("second up: changes %v, want none", got)
		}
		pre, err := stack.Preview(ctx, optpreview.ExpectNoChanges(), optpreview.Diff())
		if err != nil {
			t.Fatalf("preview: %v", err)
		}
		if got := previewChanges(pre); len(got) != 0 {
			t.Errorf("preview: changes %v, want none\n%s", got, pre.StdOut)
		}
	})

	t.Run("refresh finds no drift", func(t *testing.T) {
		res, err := stack.Refresh(ctx, optrefresh.ExpectNoChanges(), optrefresh.ProgressStreams(progress(t)))
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		if got := changes(res.Summary.ResourceChanges); len(got) != 0 {
			t.Errorf("refresh: changes %v, want none", got)
		}
		pre, err := stack.Preview(ctx, optpreview.Diff())
		if err != nil {
			t.Fatalf("preview after refresh: %v", err)
		}
		if got := previewChanges(pre); len(got) != 0 {
			t.Errorf("preview after refresh: changes %v, want none\n%s", got, pre.StdOut)
		}
	})

	// Each change updates objects in place (no replacement, which would
	// delete the live Deployment) and returns only when the rollout is done:
	// every pod of the new template Ready with its gate set, within the time
	// the model gives a rollout.
	for _, step := range []struct {
		name    string
		ds      []*specfile.Document
		updated []string // the kinds an update changes
		image   string
	}{
		{"an image change rolls the Deployment", docs(t, webSpec(ns, "registry.local/web:2", 2, 5)), []string{manifests.KindDeployment}, "registry.local/web:2"},
		{"a replica change scales it", docs(t, webSpec(ns, "registry.local/web:2", 3, 5)), []string{manifests.KindDeployment, manifests.KindPodDisruptionBudget}, "registry.local/web:2"},
		{"a longer request time (R) derives new timings", docs(t, webSpec(ns, "registry.local/web:2", 3, 8)), []string{manifests.KindDeployment, manifests.KindIngress}, "registry.local/web:2"},
	} {
		t.Run(step.name, func(t *testing.T) {
			res, took := up(t, step.ds)
			got := changes(res.Summary.ResourceChanges)
			if got["replace"] != 0 || got["create"] != 0 || got["delete"] != 0 || got["update"] == 0 {
				t.Errorf("changes %v, want updates in place only", got)
			}
			rolledOutWithGates(t, ctx, ns, "web", step.image)
			liveEqualsRender(t, ctx, step.ds)
			r := step.ds[0].Resolved.Timing
			t.Logf("pulumi up took %s; the model's rollout estimate is %d s, the await timeout %d s", took.Round(time.Second), r.RolloutSeconds, r.AwaitTimeoutSeconds)
			if took > time.Duration(r.RolloutSeconds)*time.Second {
				t.Errorf("pulumi up took %s, longer than the model's rollout estimate %d s", took, r.RolloutSeconds)
			}
		})
	}

	t.Run("destroy removes the label and leaves the namespace", func(t *testing.T) {
		if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(progress(t))); err != nil {
			t.Fatalf("destroy: %v", err)
		}
		n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("namespace %s after destroy: %v", ns, err)
		}
		if _, ok := n.Labels[gateLabel]; ok {
			t.Errorf("namespace %s still has %s after destroy: %v", ns, gateLabel, n.Labels)
		}
		if n.Labels["team"] != "platform" {
			t.Errorf("namespace %s lost the labels zds did not set: %v", ns, n.Labels)
		}
		if _, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); err == nil {
			t.Error("the Deployment is still there after destroy")
		}
	})
}

const gateLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"

// previewChanges counts a preview's changes but the "same" ones.
func previewChanges(p auto.PreviewResult) map[string]int {
	out := map[string]int{}
	for op, n := range p.ChangeSummary {
		if op != "same" && n != 0 {
			out[string(op)] = n
		}
	}
	return out
}

// rolledOutWithGates checks, right after `pulumi up` returned, that the
// rollout is complete: the Deployment's status counts only the new
// template's pods, every one of them Ready with its readiness gate set by
// the load balancer controller, and no pod of an old template is left
// serving.
func rolledOutWithGates(t *testing.T, ctx context.Context, ns, name, image string) {
	t.Helper()
	d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := *d.Spec.Replicas
	s := d.Status
	if s.ObservedGeneration < d.Generation || s.UpdatedReplicas != want || s.ReadyReplicas != want || s.AvailableReplicas != want {
		t.Errorf("pulumi up returned before the rollout was done: generation %d observed %d, replicas %d updated %d ready %d available %d, want %d", d.Generation, s.ObservedGeneration, s.Replicas, s.UpdatedReplicas, s.ReadyReplicas, s.AvailableReplicas, want)
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(d.Spec.Selector.MatchLabels).String()})
	if err != nil {
		t.Fatal(err)
	}
	var serving []string
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		serving = append(serving, p.Name)
		if img := p.Spec.Containers[0].Image; img != image {
			t.Errorf("pod %s runs %s after pulumi up, want %s", p.Name, img, image)
		}
		if len(p.Spec.ReadinessGates) == 0 {
			t.Errorf("pod %s has no readiness gate", p.Name)
		}
		for _, g := range p.Spec.ReadinessGates {
			if !conditionTrue(&p, g.ConditionType) {
				t.Errorf("pod %s: gate %s not passed after pulumi up", p.Name, g.ConditionType)
			}
		}
		if !conditionTrue(&p, corev1.PodReady) {
			t.Errorf("pod %s not Ready after pulumi up", p.Name)
		}
	}
	if int32(len(serving)) != want {
		t.Errorf("pods %s after pulumi up, want %d", strings.Join(serving, ", "), want)
	}
}

func conditionTrue(p *corev1.Pod, t corev1.PodConditionType) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
