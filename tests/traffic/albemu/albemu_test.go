// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package albemu_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/tests/controlplane"
	"github.com/zerodowntime/zds/tests/traffic/albemu"
	"github.com/zerodowntime/zds/tests/traffic/internal/apply"
)

// recorder is a Balancer that records calls; every registered target is
// healthy at once.
type recorder struct {
	mu    sync.Mutex
	calls []call
	start time.Time
}

type call struct {
	op, name string
	at       time.Duration
}

func (r *recorder) add(op, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{op, name, time.Since(r.start)})
	return nil
}
func (r *recorder) AddServer(name, _ string) error    { return r.add("add", name) }
func (r *recorder) Drain(name string) error           { return r.add("drain", name) }
func (r *recorder) Remove(name string) error          { return r.add("remove", name) }
func (r *recorder) Healthy(name string) (bool, error) { return true, nil }

func (r *recorder) find(op, name string) (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.calls {
		if c.op == op && c.name == name {
			return c.at, true
		}
	}
	return 0, false
}

func startControlPlane(t *testing.T) *controlplane.ControlPlane {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cp, err := controlplane.Start(ctx, controlplane.Options{Nodes: 1})
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the real control plane is required in CI: %v", err)
		}
		t.Skipf("no real control plane (make controlplane): %v", err)
	}
	t.Cleanup(cp.Stop)
	return cp
}

// The emulated controller, with the real controller's pod mutator behind a
// real admission webhook, against a real API server (kwok pods): the gate
// is injected because the namespace label and the binding came first; each
// pod is registered and its gate completed; a deleted pod is drained at
// c + p and removed at c + D.
func TestControllerRegistersGatesAndDrains(t *testing.T) {
	cp := startControlPlane(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cs := kubernetes.NewForConfigOrDie(cp.Config)

	if err := albemu.InstallCRD(ctx, cp.Config); err != nil {
		t.Fatal(err)
	}
	hook, err := albemu.StartWebhook(ctx, cp.Config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hook.Stop(context.Background()) })

	r, err := service.Resolve("web", spec.ServiceSpec{
		Namespace: "emu", CreateNamespace: true, Image: "example.com/web:1", Replicas: ptr(2),
		App:          spec.App{MaxRequestSeconds: 2, ShutdownSeconds: ptr(2)},
		LoadBalancer: spec.LoadBalancer{PropagationSeconds: ptr(5)},
	}, spec.Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	o := service.Build(r)
	// In zds's order: namespace (with the gate label), budget, Service,
	// Ingress (→ the binding), then the pods.
	must(t, apply.Front(ctx, cs, o))
	tgt, settings, err := albemu.Bind(ctx, cp.Config, o.Ingress)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Duration(r.Timing.DeregistrationDelaySeconds) * time.Second; settings.DeregistrationDelay != want || tgt.DeregistrationDelay != want {
		t.Fatalf("D read from the Ingress = %s, want %s", settings.DeregistrationDelay, want)
	}
	rec := &recorder{start: time.Now()}
	delays := albemu.Delays{Controller: 300 * time.Millisecond, Propagation: 1 * time.Second}
	ctl, err := albemu.Start(ctx, cs, rec, tgt, delays)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ctl.Stop)
	if _, err := cs.AppsV1().Deployments("emu").Create(ctx, o.Deployment, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	// kwok marks pods Ready (gate conditions included) by itself, so this
	// test checks the injection and the registration; the gate's effect is
	// measured with real pods in package scenario.
	var pods []corev1.Pod
	err = controlplane.Poll(ctx, time.Minute, func() (bool, error) {
		l, err := cs.CoreV1().Pods("emu").List(ctx, metav1.ListOptions{})
		if err != nil || len(l.Items) != 2 {
			return false, err
		}
		for _, p := range l.Items {
			if _, ok := rec.find("add", p.Name); !ok {
				return false, nil
			}
		}
		pods = l.Items
		return true, nil
	})
	if err != nil {
		t.Fatalf("pods never registered: %v\nevents: %v", err, ctl.Events())
	}
	for _, p := range pods {
		if !hasGate(p, tgt.GateCondition()) {
			t.Errorf("pod %s has no readiness gate %s: the webhook did not inject it", p.Name, tgt.GateCondition())
		}
	}

	victim := pods[0].Name
	deleted := time.Since(rec.start)
	if err := cs.CoreV1().Pods("emu").Delete(ctx, victim, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = controlplane.Poll(ctx, time.Minute, func() (bool, error) {
		_, ok := rec.find("remove", victim)
		return ok, nil
	})
	if err != nil {
		t.Fatalf("%s never removed: %v", victim, ctl.Events())
	}
	drainAt, drained := rec.find("drain", victim)
	removeAt, _ := rec.find("remove", victim)
	c, p, D := delays.Controller, delays.Propagation, tgt.DeregistrationDelay
	// The pod is deleted at once by kwok; allow 2 s of watch latency.
	if !drained || drainAt-deleted < c+p || drainAt-deleted > c+p+2*time.Second {
		t.Errorf("drain at %s after deletion, want c + p = %s (+ up to 2 s)", drainAt-deleted, c+p)
	}
	if removeAt-deleted < c+D || removeAt-deleted > c+D+2*time.Second {
		t.Errorf("removed at %s after deletion, want c + D = %s (+ up to 2 s)", removeAt-deleted, c+D)
	}
	t.Logf("deleted at %s; drained %s later (c + p = %s), removed %s later (c + D = %s)",
		deleted.Round(time.Millisecond), (drainAt - deleted).Round(time.Millisecond), c+p, (removeAt - deleted).Round(time.Millisecond), c+D)
}

func hasGate(p corev1.Pod, cond corev1.PodConditionType) bool {
	for _, g := range p.Spec.ReadinessGates {
		if g.ConditionType == cond {
			return true
		}
	}
	return false
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }
