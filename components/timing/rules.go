// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing

// Rule is one rule of the timing model, with the failure it prevents and
// where that failure was measured. docs/timing.md is generated from Rules.
type Rule struct {
	ID        string
	Statement string
	Prevents  string
	Sources   string
}

// Rules lists the timing model's rules in order.
var Rules = []Rule{
	{"1", "D ≥ L + R: draining outlasts the longest request the load balancer can still start",
		"the draining clock starts at deregistration, but the ELB sends new requests until L; a request of length R started then ends at L + R, and is cut (5xx from the load balancer) if draining ended first",
		"AWS target-group documentation on deregistration delay; aws-load-balancer-controller#2366 (new traffic ~17 s after draining began)"},
	{"2", "P ≥ L: SIGTERM only after the load balancer stopped sending new requests",
		"connection refused / 502 while the ELB still routes to a pod that is shutting down",
		"aws-load-balancer-controller#2366 (new traffic ~17 s after draining began; 13–19 s of 5xx per pod), #1064, #2106, quay/quay#6871; the maintainers' rule of thumb in #1719, #2106"},
	{"3", "P + S > D: the pod outlives the target's draining window",
		"502/504 when the process exits while the target still drains with open connections",
		"AWS documents 5xx for targets that close connections before the delay elapses"},
	{"4", "G > P + S, and past every sidecar's shutdown: SIGKILL never cuts the drain short",
		"502 for requests in flight at SIGKILL (exit 137 when the preStop outlasts the grace period)",
		"Kubernetes pod termination semantics"},
	{"5", "failing health checks are never relied on to stop traffic",
		"a 30 s preStop was not enough behind 15 s × 2 health checks",
		"quay/quay#6871"},
	{"6", "the way in: readiness gate (namespace label before the Service, Ingress and pods), maxUnavailable 0, maxSurge ≥ 1",
		"a rollout removing old pods before the ELB registered the new ones (capacity at the LB drops, at worst to zero)",
		"aws-load-balancer-controller#1808, #2834, #3753, #3622; alphagov/govuk-infrastructure#3595"},
	{"7", "the LB health check hits the readiness probe's path and port",
		"targets healthy at the LB while Kubernetes considers them unready, or the reverse",
		"aws-load-balancer-controller docs (healthcheck-path, healthcheck-port)"},
	{"8", "the app's keep-alive timeout exceeds the LB idle timeout",
		"random 502s outside rollouts when the ELB reuses a connection the app closed",
		"AWS ALB troubleshooting (HTTP 502)"},
}
