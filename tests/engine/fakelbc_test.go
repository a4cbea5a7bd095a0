// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/zerodowntime/zds/tests/controlplane"
	"github.com/zerodowntime/zds/tests/fakelbc"
)

// The stand-in behaves as the engine tests rely on: an ALB Ingress gets a
// hostname; a gated pod behind it is not Ready until its target has been
// healthy for the registration time, then its gate and Ready are True; a
// pod that no load balancer targets keeps its gate unset.
func TestStandIn(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const ns = "fakelbc"
	nsObj := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: map[string]string{gateLabel: "enabled"}}}
	if _, err := cs.CoreV1().Namespaces().Create(ctx, nsObj, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) }) //nolint:errcheck

	deploy := func(name string) {
		labels := map[string]string{"app": name}
		d := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
				},
			},
		}
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		svc := &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec:       corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{{Port: 80}}},
		}
		if _, err := cs.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	deploy("behind-alb")
	deploy("no-lb")
	alb := "alb"
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "behind-alb", Namespace: ns},
		Spec: networkingv1.IngressSpec{
			IngressClassName: &alb,
			DefaultBackend:   &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "behind-alb", Port: networkingv1.ServiceBackendPort{Number: 80}}},
		},
	}
	if _, err := cs.NetworkingV1().Ingresses(ns).Create(ctx, ing, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	pod := func(app string) *corev1.Pod {
		var p *corev1.Pod
		if err := controlplane.Poll(ctx, time.Minute, func() (bool, error) {
			pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
			if err != nil || len(pods.Items) == 0 {
				return false, err
			}
			p = &pods.Items[0]
			return conditionTrue(p, corev1.ContainersReady), nil
		}); err != nil {
			t.Fatalf("no pod of %s with ready containers: %v", app, err)
		}
		return p
	}
	p := pod("behind-alb")
	if len(p.Spec.ReadinessGates) != 1 || p.Spec.ReadinessGates[0].ConditionType[:len(fakelbc.GatePrefix)] != fakelbc.GatePrefix {
		t.Fatalf("pod %s has gates %v, want one target-health gate", p.Name, p.Spec.ReadinessGates)
	}
	if conditionTrue(p, corev1.PodReady) {
		t.Errorf("pod %s is Ready with its containers, before its target was registered", p.Name)
	}
	readySince := time.Now()
	if err := controlplane.Poll(ctx, time.Minute, func() (bool, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, p.Name, metav1.GetOptions{})
		return err == nil && conditionTrue(p, corev1.PodReady) && conditionTrue(p, p.Spec.ReadinessGates[0].ConditionType), err
	}); err != nil {
		t.Fatalf("pod %s never Ready with its gate: %v", p.Name, err)
	}
	at, ok := lbc.GatedAt(p.UID)
	if !ok {
		t.Fatalf("the stand-in did not record pod %s", p.Name)
	}
	containersReady := conditionTime(p, corev1.ContainersReady)
	if d := at.Sub(containersReady); d < registration {
		t.Errorf("gate set %s after the containers were ready, want at least the registration time %s", d, registration)
	}
	t.Logf("gate set %s after the test saw ready containers", time.Since(readySince).Round(100*time.Millisecond))

	if err := controlplane.Poll(ctx, 30*time.Second, func() (bool, error) {
		i, err := cs.NetworkingV1().Ingresses(ns).Get(ctx, "behind-alb", metav1.GetOptions{})
		return err == nil && len(i.Status.LoadBalancer.Ingress) == 1 && i.Status.LoadBalancer.Ingress[0].Hostname != "", err
	}); err != nil {
		t.Errorf("the ALB Ingress never got a hostname: %v", err)
	}

	other := pod("no-lb")
	time.Sleep(registration + time.Second)
	other, err := cs.CoreV1().Pods(ns).Get(ctx, other.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Spec.ReadinessGates) == 0 {
		t.Fatalf("pod %s has no gate: the injector covers the labelled namespace", other.Name)
	}
	if conditionTrue(other, other.Spec.ReadinessGates[0].ConditionType) || conditionTrue(other, corev1.PodReady) {
		t.Errorf("pod %s, behind no load balancer, passed its gate", other.Name)
	}
}

func conditionTime(p *corev1.Pod, t corev1.PodConditionType) time.Time {
	for _, c := range p.Status.Conditions {
		if c.Type == t {
			return c.LastTransitionTime.Time
		}
	}
	return time.Time{}
}
