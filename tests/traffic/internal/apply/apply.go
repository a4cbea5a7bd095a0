// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package apply creates zds's objects in a cluster, in zds's apply order,
// for the traffic tests.
package apply

import (
	"context"
	"errors"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/zerodowntime/zds/components/manifests"
)

// Front creates what must exist before any pod, in zds's order: the
// namespace (with the readiness-gate label), the admission policy that
// requires the gate (when zds has one), the budget, the Service and the
// Ingress. The Deployment is the caller's, once the load balancer side
// is bound.
func Front(ctx context.Context, cs kubernetes.Interface, o *manifests.Objects) error {
	if _, err := cs.CoreV1().Namespaces().Create(ctx, o.Namespace, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("namespace: %w", err)
	}
	if o.GatePolicy != nil {
		if _, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().Create(ctx, o.GatePolicy, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("admission policy: %w", err)
		}
		if _, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Create(ctx, o.GatePolicyBinding, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("admission policy binding: %w", err)
		}
	}
	if _, err := cs.PolicyV1().PodDisruptionBudgets(o.PDB.Namespace).Create(ctx, o.PDB, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("budget: %w", err)
	}
	if _, err := cs.CoreV1().Services(o.Service.Namespace).Create(ctx, o.Service, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("service: %w", err)
	}
	if _, err := cs.NetworkingV1().Ingresses(o.Ingress.Namespace).Create(ctx, o.Ingress, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("ingress: %w", err)
	}
	return nil
}

// Back deletes the cluster-scoped objects Front created, which deleting
// the namespace leaves behind.
func Back(ctx context.Context, cs kubernetes.Interface, o *manifests.Objects) error {
	if o.GatePolicy == nil {
		return nil
	}
	err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Delete(ctx, o.GatePolicyBinding.Name, metav1.DeleteOptions{})
	return errors.Join(err, cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().Delete(ctx, o.GatePolicy.Name, metav1.DeleteOptions{}))
}
