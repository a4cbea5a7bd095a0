package timing

// Profile holds what the timing model needs to know about a kind of load
// balancer. The numbers are sourced in docs/timing.md.
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
}

// ALB: users measured new traffic stopping ~17 s after draining began
// (aws-load-balancer-controller#2366) and preStop values of 25–60 s working
// (#1064, #2106, quay/quay#6871). 25 s covers the measurement with margin.
// Health checks: interval 10 s (ALB default 15 s) so registration takes 20 s,
// not 30 s; timeout 5 s and thresholds 2/2 are the ALB defaults.
var ALB = Profile{
	Kind:                       "alb",
	PropagationSeconds:         25,
	RegistrationLatencySeconds: 10,
	IdleTimeoutSeconds:         60,
	HealthCheck: HealthCheck{
		IntervalSeconds:    10,
		TimeoutSeconds:     5,
		HealthyThreshold:   2,
		UnhealthyThreshold: 2,
	},
}

// Profiles lists the supported load-balancer kinds by loadBalancer.kind.
var Profiles = map[string]Profile{
	ALB.Kind: ALB,
}
