// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/tests/controlplane"
)

// zds's admission policy (loadBalancer.requireReadinessGate, #22) on the
// real API server: in a namespace where no webhook injects gates (the
// controller's webhook is down, or the label is missing), a pod of the
// service without the controller's readiness gate is refused with zds's
// message, and admitted once it carries one; other pods, and the service's
// pods in other namespaces, are not the policy's business. The server
// type-checks the CEL and finds nothing to warn about.
func TestGatePolicyRefusesUngatedPods(t *testing.T) {
	need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const ns = "e2e-gate"
	r, err := service.Resolve("web", spec.ServiceSpec{Namespace: ns, Image: "ghcr.io/acme/web:1.4.2", App: spec.App{MaxRequestSeconds: 15}}, spec.Inputs{})
	if err != nil {
		t.Fatal(err)
	}
	o := service.Build(r)
	if o.GatePolicy == nil || o.GatePolicyBinding == nil {
		t.Fatal("zds built no admission policy by default")
	}
	// The namespace without the gate label: no injection, as during an outage.
	restrictedNamespace(t, ctx, ns)
	restrictedNamespace(t, ctx, ns+"-other")
	for _, obj := range []any{o.GatePolicy, o.GatePolicyBinding} {
		m, err := manifests.ToMap(obj)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := applyOne(ctx, m, false, fieldOwner); err != nil {
			t.Fatal(err)
		}
	}
	tpl := o.Deployment.Spec.Template
	pod := func(name, namespace string, labels map[string]string, gate corev1.PodConditionType) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels}, Spec: *tpl.Spec.DeepCopy()}
		if gate != "" {
			p.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: gate}}
		}
		return p
	}
	other := map[string]string{"app.kubernetes.io/name": "worker"}
	cases := []struct {
		name  string
		pod   *corev1.Pod
		admit bool
	}{
		{"the service's pod without a gate", pod("ungated", ns, tpl.Labels, ""), false},
		{"the service's pod with another controller's gate", pod("foreign-gate", ns, tpl.Labels, "example.com/ready"), false},
		{"the service's pod with the controller's gate", pod("gated", ns, tpl.Labels, manifests.GateConditionPrefix+"k8s-e2egate-web-0123456789"), true},
		{"another app's pod without a gate", pod("worker", ns, other, ""), true},
		{"the same labels in another namespace", pod("elsewhere", ns+"-other", tpl.Labels, ""), true},
	}
	// A new binding takes a moment to reach the admission plugin: wait
	// until the first refusal, then every verdict must hold.
	err = controlplane.Poll(ctx, 30*time.Second, func() (bool, error) {
		_, err := cs.CoreV1().Pods(ns).Create(ctx, cases[0].pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return err != nil, nil
	})
	if err != nil {
		t.Fatalf("the policy never refused an ungated pod of the service: %v", err)
	}
	for _, c := range cases {
		_, err := cs.CoreV1().Pods(c.pod.Namespace).Create(ctx, c.pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		switch {
		case c.admit && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case !c.admit && err == nil:
			t.Errorf("%s: admitted", c.name)
		case !c.admit && !strings.Contains(err.Error(), "must carry the AWS Load Balancer Controller's readiness gate"):
			t.Errorf("%s: refused without zds's message: %v", c.name, err)
		}
	}
	// The server's type check of the expression.
	err = controlplane.Poll(ctx, 30*time.Second, func() (bool, error) {
		p, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().Get(ctx, o.GatePolicy.Name, metav1.GetOptions{})
		if err != nil || p.Status.TypeChecking == nil {
			return false, err
		}
		if w := p.Status.TypeChecking.ExpressionWarnings; len(w) > 0 {
			t.Errorf("the API server's type check warns: %+v", w)
		}
		return true, nil
	})
	if err != nil {
		t.Errorf("no type check of the policy: %v", err)
	}
}
