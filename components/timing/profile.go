// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing

// Profile holds what the timing model needs to know about a kind of load
// balancer. Each kind's numbers live with its mode (package service) and
// are sourced in docs/timing.md.
type Profile struct {
	// Kind is the loadBalancer.kind value, e.g. "alb".
	Kind string
	// PropagationSeconds is the default L: deletion → the LB sends no new
	// requests to the pod.
	PropagationSeconds int
	// RegistrationLatencySeconds is the controller and ELB API time before
	// health checks on a new target start.
	RegistrationLatencySeconds int
	// IdleTimeoutSeconds is the ELB default idle timeout.
	IdleTimeoutSeconds int
	// HealthCheck holds the defaults zds applies (not necessarily the ELB's).
	HealthCheck HealthCheck
	// ReusesConnections is true for layer-7 load balancers, which keep
	// idle connections to targets open and reuse them: only then can an app
	// closing them first cause 502s (rule 8).
	ReusesConnections bool
}
