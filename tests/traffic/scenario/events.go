// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package scenario

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
)

// ScaleDown halves the replicas.
var ScaleDown = Event{Name: "scale-down by half", Kind: KindScaleDown, Start: func(ctx context.Context, cs kubernetes.Interface, d *appsv1.Deployment) error {
	cur, err := cs.AppsV1().Deployments(d.Namespace).Get(ctx, d.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	n := max(1, *cur.Spec.Replicas/2)
	cur.Spec.Replicas = &n
	_, err = cs.AppsV1().Deployments(d.Namespace).Update(ctx, cur, metav1.UpdateOptions{})
	return err
}}

// Evictions evicts every pod there is when it starts, through the eviction
// API, as a node drain does: refused evictions (the budget) are retried
// every second until each pod has gone, in the background; the run ends
// once the Deployment is back to full strength on new pods.
var Evictions = Event{Name: "evictions (node drain)", Kind: KindDrain, Start: evictAll}

// Evictions12 is Evictions of 12 replicas.
var Evictions12 = Event{Name: "evictions (node drain), 12 replicas", Kind: KindDrain, Start: evictAll, Replicas: 12}

func evictAll(ctx context.Context, cs kubernetes.Interface, d *appsv1.Deployment) error {
	sel := labels.SelectorFromSet(d.Spec.Selector.MatchLabels).String()
	pods, err := cs.CoreV1().Pods(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		return err
	}
	for _, p := range pods.Items {
		deadline := time.Now().Add(5 * time.Minute)
		for {
			err := cs.PolicyV1().Evictions(p.Namespace).Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace}})
			if err == nil || apierrors.IsNotFound(err) {
				break
			}
			if !apierrors.IsTooManyRequests(err) || time.Now().After(deadline) {
				return fmt.Errorf("evicting %s: %w", p.Name, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}
