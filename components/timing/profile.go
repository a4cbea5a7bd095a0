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
	// ReusesConnections is true for layer-7 load balancers, which keep
	// idle connections to targets open and reuse them: only then can an app
	// closing them first cause 502s (rule 8).
	ReusesConnections bool
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
	ReusesConnections: true,
}

// NLB: deregistration takes about two minutes whatever the delay setting
// (aws-load-balancer-controller#2366, #3270), so new connections can arrive
// for that long: L = 120 s (kubernetes/kops#11256 reports a 100 s preStop
// holding). Registration takes 90–180 s (#1834, #1786): 120 s budgeted
// before health checks count. An NLB forwards each client connection to
// one target connection and reuses none, so rule 8 does not apply; its TCP
// idle timeout is 350 s.
var NLB = Profile{
	Kind:                       "nlb",
	PropagationSeconds:         120,
	RegistrationLatencySeconds: 120,
	IdleTimeoutSeconds:         350,
	HealthCheck: HealthCheck{
		IntervalSeconds:    10,
		TimeoutSeconds:     6,
		HealthyThreshold:   2,
		UnhealthyThreshold: 2,
	},
	ReusesConnections: false,
}

// TargetGroupBinding: an ALB target group managed in Pulumi (pulumi-aws)
// and bound to the Service by the controller; the ALB's numbers apply.
var TargetGroupBinding = func() Profile {
	p := ALB
	p.Kind = "targetGroupBinding"
	return p
}()

// Profiles lists the supported load-balancer kinds by loadBalancer.kind.
var Profiles = map[string]Profile{
	ALB.Kind:                ALB,
	NLB.Kind:                NLB,
	TargetGroupBinding.Kind: TargetGroupBinding,
}
