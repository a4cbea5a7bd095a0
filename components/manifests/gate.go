// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package manifests

import (
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/zerodowntime/zds/components/spec"
)

// GateConditionPrefix starts the condition type of every readiness gate
// the AWS Load Balancer Controller injects
// ("target-health.elbv2.k8s.aws/<TargetGroupBinding>"; its
// targetgroupbinding.TargetHealthPodConditionTypePrefix).
const GateConditionPrefix = "target-health.elbv2.k8s.aws/"

// GateExpression is the CEL the API server evaluates on each new pod of
// the service: it must carry one of the controller's readiness gates.
const GateExpression = "has(object.spec.readinessGates) && object.spec.readinessGates.exists(g, g.conditionType.startsWith('" + GateConditionPrefix + "'))"

// GatePolicyName names the cluster-scoped policy and binding of a
// service: one pair per service, so that services never share (or fight
// over) one object.
func GatePolicyName(s spec.ServiceSpec) string {
	return fmt.Sprintf("zds-gate-%s-%s", s.Namespace, s.Name)
}

// gatePolicy is loadBalancer.requireReadinessGate: a ValidatingAdmissionPolicy
// (admissionregistration.k8s.io/v1, Kubernetes ≥ 1.30) and its binding to
// this service's pods, with which the API server refuses to create a pod
// of the service without the controller's readiness gate. The controller's
// webhook fails open, so during its outage pods are created without gates
// and would be Ready before their targets are registered; refused, they
// are retried by their ReplicaSet until the webhook is back, and the
// rollout waits instead of failing requests.
func gatePolicy(s spec.ServiceSpec) (*admissionregistrationv1.ValidatingAdmissionPolicy, *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
	name := GatePolicyName(s)
	meta := metav1.ObjectMeta{Name: name, Labels: CommonLabels(s)}
	fail := admissionregistrationv1.Fail
	// The API server's defaults, written out: matchConstraints and
	// matchResources are atomic, so a field manager taking over objects
	// another applied (kubectl, then Pulumi) conflicts on any difference
	// between what it sends and what the server stored.
	equivalent := admissionregistrationv1.Equivalent
	anyScope := admissionregistrationv1.AllScopes
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: KindGatePolicy},
		ObjectMeta: meta,
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionregistrationv1.MatchResources{
				NamespaceSelector: &metav1.LabelSelector{},
				ObjectSelector:    &metav1.LabelSelector{},
				MatchPolicy:       &equivalent,
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
						Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}, Scope: &anyScope},
					},
				}},
			},
			Validations: []admissionregistrationv1.Validation{{
				Expression: GateExpression,
				Message: fmt.Sprintf("zds: a pod of %s/%s must carry the AWS Load Balancer Controller's readiness gate (%s...), which its webhook injects: "+
					"is the controller running? Without the gate the pod could take traffic before its target is registered. "+
					"The ReplicaSet retries until the webhook is back (loadBalancer.requireReadinessGate)", s.Namespace, s.Name, GateConditionPrefix),
			}},
		},
	}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "admissionregistration.k8s.io/v1", Kind: KindGatePolicyBinding},
		ObjectMeta: meta,
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
			MatchResources: &admissionregistrationv1.MatchResources{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": s.Namespace}},
				ObjectSelector:    &metav1.LabelSelector{MatchLabels: SelectorLabels(s)},
				MatchPolicy:       &equivalent,
			},
		},
	}
	return policy, binding
}
