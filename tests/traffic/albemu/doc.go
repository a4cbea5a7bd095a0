// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package albemu plays the AWS Load Balancer Controller and an ALB's control
// plane in rollout tests, with HAProxy (package haproxy) as the data plane.
//
// It models the timeline of docs/timing.md with its delays as parameters:
//
//   - Registration. When a pod's address appears in the Service's
//     EndpointSlices (ready or not: with the readiness gate a pod is not
//     Ready until its target is healthy), the controller registers it after
//     its latency c. HAProxy health-checks it with the settings the Ingress
//     carries; once it is healthy the controller sets the pod's
//     target-health.elbv2.k8s.aws/<binding> condition True, as the real
//     controller does, which completes the readiness gate.
//   - Deregistration. When an endpoint turns terminating or disappears, the
//     controller calls "DeregisterTargets" after c: the draining clock
//     starts. The ALB's nodes still send new requests for a further
//     propagation time p; then the server is put in drain (no new requests,
//     in-flight ones go on). At c + D, D being the deregistration delay read
//     from the Ingress annotation zds emits, the server is removed and
//     whatever is still in flight is cut. L = c + p is what zds is told as
//     loadBalancer.propagationSeconds.
//   - Readiness gates. A mutating admission webhook, served here with the
//     controller's own pod mutator (sigs.k8s.io/aws-load-balancer-controller
//     pkg/inject/pod_readiness), injects the gate into pods created in
//     namespaces labelled elbv2.k8s.aws/pod-readiness-gate-inject=enabled,
//     for Services a TargetGroupBinding points to, as the real controller's
//     webhook does (failurePolicy Ignore, so a down webhook skips gates).
//     The controller creates that TargetGroupBinding from the Ingress, as
//     the real one does.
package albemu
