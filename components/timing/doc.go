// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package timing derives and checks the numbers that make a rollout behind an
// AWS load balancer lose no request. It is plain Go: no Pulumi, no Kubernetes
// client, so every rule can be tested in isolation and explained to a user.
//
// When a pod is deleted, two chains start at the same instant: the kubelet's
// (preStop → SIGTERM → drain → exit, SIGKILL at the grace period) and the
// traffic chain (endpoint terminating → controller deregisters the target →
// the ELB stops new requests → the target drains for the deregistration
// delay). The rules below keep the container chain behind the traffic chain:
//
//	rule 1  D ≥ L + R      draining outlasts the longest request the LB can still start
//	rule 2  P ≥ L          SIGTERM only after the LB stopped sending new requests
//	rule 3  P + S > D      the pod outlives the target's draining window
//	rule 4  G > P + S      SIGKILL never cuts the drain short
//	rule 5  health checks (U × I) are never relied on to stop traffic
//	rule 6  readiness gate + maxUnavailable 0, maxSurge ≥ 1 on the way in
//	rule 7  LB health check = readiness probe path and port
//	rule 8  app keep-alive timeout > LB idle timeout
//
// R = app.maxRequestSeconds, S = app.shutdownSeconds, L = propagation budget,
// D = deregistration delay, P = preStop sleep, G = termination grace period.
// See docs/timing.md for the sources behind every default.
package timing
