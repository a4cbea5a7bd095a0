// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/zerodowntime/zds/components/timing"
)

// The test oracle below restates the timing model (docs/timing.md and the
// ranges documented on the spec) without looking at how Derive computes
// anything: it decides whether some D, P, G exist that satisfy every rule
// with the pinned values as given.

// maxELBDelay is the ELB maximum for deregistration_delay.timeout_seconds.
const maxELBDelay = 3600

// inRange reports whether every input lies in its documented range (the
// ELB ranges for the health check and idle timeout, at most an hour for the
// app's timings, at least 5 s of propagation).
func inRange(in timing.Inputs) bool {
	between := func(v, lo, hi int) bool { return lo <= v && v <= hi }
	opt := func(p *int, lo, hi int) bool { return p == nil || between(*p, lo, hi) }
	hc := in.HealthCheck
	return between(in.MaxRequestSeconds, 1, 3600) &&
		between(in.ShutdownSeconds, 0, 3600) &&
		between(in.StartupSeconds, 0, 3600) &&
		opt(in.KeepAliveTimeoutSeconds, 1, 4000+3600) &&
		between(in.PropagationSeconds, 5, 3600) &&
		between(in.IdleTimeoutSeconds, 1, 4000) &&
		between(hc.IntervalSeconds, 5, 300) &&
		between(hc.TimeoutSeconds, 2, 120) &&
		hc.TimeoutSeconds < hc.IntervalSeconds &&
		between(hc.HealthyThreshold, 2, 10) &&
		between(hc.UnhealthyThreshold, 2, 10) &&
		// A pinned D outside [R, 3600] breaks a rule; pinsSatisfiable
		// decides that, so only P and G have ranges of their own here.
		opt(in.PreStopSleepSeconds, 1, 3600) &&
		opt(in.TerminationGracePeriodSeconds, 1, 3*3600) &&
		in.Replicas >= 1 &&
		in.MaxSurge >= 1
}

// satisfiable reports whether in is in range, obeys rule 8, and admits D,
// P, G satisfying rules 1–4 and D ≤ 3600 with the pins unchanged.
func satisfiable(in timing.Inputs) bool {
	if !inRange(in) {
		return false
	}
	if k := in.KeepAliveTimeoutSeconds; k != nil && *k <= in.IdleTimeoutSeconds {
		return false
	}
	return pinsSatisfiable(in.MaxRequestSeconds, in.ShutdownSeconds, in.PropagationSeconds,
		in.DeregistrationDelaySeconds, in.PreStopSleepSeconds, in.TerminationGracePeriodSeconds, maxELBDelay)
}

// pinsSatisfiable decides whether integers D, P, G exist with
//
//	L + R ≤ D ≤ maxD,  P ≥ L,  P + S > D,  G > P + S
//
// (rule 1 is D ≥ L + R: the load balancer may start a request of length R
// until L, and the draining clock may start as early as the deletion),
// where a non-nil pin fixes its variable. A smaller D only loosens P + S >
// D, and a smaller P only loosens G > P + S, so it is enough to try the
// smallest admissible D, then the smallest admissible P; G, when free, is
// P + S + 1. TestPinsSatisfiableMatchesExhaustiveSearch checks this
// reasoning against a brute-force search.
func pinsSatisfiable(R, S, L int, D, P, G *int, maxD int) bool {
	d := L + R
	if D != nil {
		d = *D
	}
	if d < L+R || d > maxD {
		return false
	}
	p := max(L, d-S+1)
	if P != nil {
		p = *P
		if p < L || p+S <= d {
			return false
		}
	}
	return G == nil || *G > p+S
}

// bruteSatisfiable searches every D in [0, maxD] and every P in [1, pMax].
func bruteSatisfiable(R, S, L int, D, P, G *int, maxD, pMax int) bool {
	for d := 0; d <= maxD; d++ {
		if D != nil && d != *D {
			continue
		}
		for p := 1; p <= pMax; p++ {
			if P != nil && p != *P {
				continue
			}
			if d >= L+R && p >= L && p+S > d && (G == nil || *G > p+S) {
				return true
			}
		}
	}
	return false
}

func TestPinsSatisfiableMatchesExhaustiveSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	const maxD = 24 // small, so the cap on D is exercised
	pin := func(lo, hi int) *int {
		if rng.IntN(3) == 0 {
			return nil
		}
		return ptr(lo + rng.IntN(hi-lo+1))
	}
	var yes, no int
	for range 30000 {
		R, S, L := 1+rng.IntN(maxD-8), rng.IntN(8), 5+rng.IntN(6)
		D, P, G := pin(0, maxD+3), pin(1, 40), pin(1, 60)
		want := bruteSatisfiable(R, S, L, D, P, G, maxD, 80)
		if got := pinsSatisfiable(R, S, L, D, P, G, maxD); got != want {
			t.Fatalf("R=%d S=%d L=%d D=%s P=%s G=%s: oracle says %v, exhaustive search %v",
				R, S, L, optString(D), optString(P), optString(G), got, want)
		}
		if want {
			yes++
		} else {
			no++
		}
	}
	if yes < 3000 || no < 3000 {
		t.Errorf("search covered %d satisfiable and %d unsatisfiable cases; want both common", yes, no)
	}
}

func optString(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

func describe(in timing.Inputs) string {
	hc := in.HealthCheck
	return fmt.Sprintf("R=%d S=%d L=%d startup=%d keepAlive=%s idle=%d hc=%d/%d/%d/%d replicas=%d maxSurge=%d pins D=%s P=%s G=%s",
		in.MaxRequestSeconds, in.ShutdownSeconds, in.PropagationSeconds, in.StartupSeconds,
		optString(in.KeepAliveTimeoutSeconds), in.IdleTimeoutSeconds,
		hc.IntervalSeconds, hc.TimeoutSeconds, hc.HealthyThreshold, hc.UnhealthyThreshold,
		in.Replicas, in.MaxSurge,
		optString(in.DeregistrationDelaySeconds), optString(in.PreStopSleepSeconds), optString(in.TerminationGracePeriodSeconds))
}

// problem is one way Derive broke the contract for one input.
type problem struct {
	kind   string // groups problems in the report
	detail string
}

// deriveProblems runs Derive on in and lists every way its answer breaks
// the contract:
//   - with errors, the result is zero, every error names a spec field, and
//     no valid assignment existed (no false rejection);
//   - without errors, a valid assignment existed, every rule holds for the
//     returned values, and every pin is returned unchanged.
func deriveProblems(in timing.Inputs) []problem {
	var out []problem
	bad := func(kind, format string, args ...any) {
		out = append(out, problem{kind, fmt.Sprintf(format, args...)})
	}
	r, errs := derive(in)
	sat := satisfiable(in)
	noPins := in.DeregistrationDelaySeconds == nil && in.PreStopSleepSeconds == nil && in.TerminationGracePeriodSeconds == nil
	if len(errs) > 0 {
		if !reflect.DeepEqual(r, timing.Result{}) {
			bad("result with errors", "errors came with a non-zero result %+v", r)
		}
		for _, e := range errs {
			if !strings.HasPrefix(e.Field, "spec.") || e.Detail == "" {
				bad("unhelpful error", "%q", e.Error())
			}
		}
		switch {
		case noPins && sat:
			bad("rejected without pins", "in-range inputs without pins rejected: %v", errs.ToAggregate())
		case sat:
			bad("false rejection", "a valid D, P, G exists, yet: %v", errs.ToAggregate())
		}
		return out
	}
	if !sat {
		bad("accepted unsatisfiable", "no valid D, P, G exists, yet Derive returned D=%d P=%d G=%d",
			r.DeregistrationDelaySeconds, r.PreStopSleepSeconds, r.TerminationGracePeriodSeconds)
		if !inRange(in) {
			// Out-of-range inputs: the rule arithmetic below is meaningless.
			return out
		}
	}
	R, S, L := in.MaxRequestSeconds, in.ShutdownSeconds, in.PropagationSeconds
	D, P, G := r.DeregistrationDelaySeconds, r.PreStopSleepSeconds, r.TerminationGracePeriodSeconds
	if D < L+R {
		bad("rule 1", "D=%d < L=%d + R=%d", D, L, R)
	}
	if D > maxELBDelay {
		bad("D above 3600", "D=%d", D)
	}
	if P < L {
		bad("rule 2", "P=%d < L=%d", P, L)
	}
	if P+S <= D {
		bad("rule 3", "P=%d + S=%d ≤ D=%d", P, S, D)
	}
	if G <= P+S {
		bad("rule 4", "G=%d ≤ P=%d + S=%d", G, P, S)
	}
	if k := in.KeepAliveTimeoutSeconds; k != nil && *k <= in.IdleTimeoutSeconds {
		bad("rule 8", "keep-alive %d ≤ idle %d", *k, in.IdleTimeoutSeconds)
	}
	if budget := int(r.Startup.PeriodSeconds) * int(r.Startup.FailureThreshold); budget < in.StartupSeconds {
		bad("startup budget", "%d s < startupSeconds %d", budget, in.StartupSeconds)
	}
	if int(r.Readiness.FailureThreshold) != in.HealthCheck.UnhealthyThreshold {
		bad("readiness threshold", "%d, want U=%d", r.Readiness.FailureThreshold, in.HealthCheck.UnhealthyThreshold)
	}
	if want := map[bool]int{true: 0, false: r.RegistrationSeconds}[in.GateRequired]; r.MinReadySeconds != want {
		bad("minReadySeconds", "%d with the gate required %v, want %d", r.MinReadySeconds, in.GateRequired, want)
	}
	// A healthy rollout never times out: the deadline covers two whole
	// waves, and Pulumi waits for every wave, then the old targets'
	// draining (L + D), half again.
	waves := (in.Replicas + in.MaxSurge - 1) / in.MaxSurge
	if r.ProgressDeadlineSeconds < timing.MinProgressDeadlineSeconds || r.ProgressDeadlineSeconds < 2*r.PodStepSeconds ||
		r.RolloutSeconds < waves*r.PodStepSeconds+in.PropagationSeconds+r.DeregistrationDelaySeconds ||
		r.AwaitTimeoutSeconds < r.ProgressDeadlineSeconds || 2*r.AwaitTimeoutSeconds < 3*r.RolloutSeconds {
		bad("deadlines", "progress %d, await %d, pod step %d, rollout %d",
			r.ProgressDeadlineSeconds, r.AwaitTimeoutSeconds, r.PodStepSeconds, r.RolloutSeconds)
	}
	for _, pin := range []struct {
		name string
		pin  *int
		got  int
	}{
		{stepD, in.DeregistrationDelaySeconds, D},
		{stepP, in.PreStopSleepSeconds, P},
		{stepG, in.TerminationGracePeriodSeconds, G},
	} {
		want := "derived"
		if pin.pin != nil {
			want = "pinned"
			if *pin.pin != pin.got {
				bad("pin changed", "%s pinned at %d, returned %d", pin.name, *pin.pin, pin.got)
			}
		}
		steps := stepsNamed(r.Explanation, pin.name)
		if len(steps) != 1 || steps[0].Source != want || steps[0].Value != pin.got {
			bad("explanation", "%s: steps %+v, want one %s step with value %d", pin.name, steps, want, pin.got)
		}
	}
	return out
}

// randomInputs draws inputs that are mostly in range, with values close to
// the rules' boundaries so that every rule is often just met or just broken,
// and now and then an out-of-range or absurd value.
func randomInputs(rng *rand.Rand) timing.Inputs {
	// value is usually a small typical value, sometimes an edge of [lo, hi]
	// or anything in it, and rarely out of range.
	value := func(lo, hi, typical int) int {
		switch x := rng.IntN(100); {
		case x < 70:
			return lo + rng.IntN(typical-lo+1)
		case x < 82:
			return []int{lo, lo + 1, hi - 1, hi}[rng.IntN(4)]
		case x < 98:
			return lo + rng.IntN(hi-lo+1)
		default:
			return []int{lo - 1, hi + 1, -1, 0, -rng.IntN(1 << 20), hi + rng.IntN(1<<20)}[rng.IntN(6)]
		}
	}
	near := func(v, below, above int) int { return v - below + rng.IntN(below+above+1) }

	in := timing.Inputs{
		LoadBalancer:       alb,
		MaxRequestSeconds:  value(1, 3600, 120),
		ShutdownSeconds:    value(0, 3600, 120),
		StartupSeconds:     value(0, 3600, 300),
		PropagationSeconds: value(5, 3600, 60),
		IdleTimeoutSeconds: value(1, 4000, 120),
		HealthCheck: timing.HealthCheck{
			IntervalSeconds:    value(5, 300, 60),
			TimeoutSeconds:     value(2, 120, 10),
			HealthyThreshold:   value(2, 10, 10),
			UnhealthyThreshold: value(2, 10, 10),
		},
		Replicas:     value(1, 1000, 20),
		MaxSurge:     value(1, 100, 5),
		Budget:       value(1, 100, 5),
		GateRequired: rng.IntN(2) == 0,
	}
	R, S, L := in.MaxRequestSeconds, in.ShutdownSeconds, in.PropagationSeconds

	switch x := rng.IntN(10); {
	case x < 4:
		in.KeepAliveTimeoutSeconds = ptr(near(in.IdleTimeoutSeconds, 3, 5))
	case x < 5:
		in.KeepAliveTimeoutSeconds = ptr(value(1, 7600, 600))
	}

	// Pins cluster around the values the rules compare them with: D near
	// L + R, R or the 3600 cap, P near L or the D − S + 1 it must beat (for
	// D = L + R and D = L + R + 5), G near P + S.
	dRef := L + R + 5*rng.IntN(2)
	if rng.IntN(100) < 40 {
		switch x := rng.IntN(10); {
		case x < 4:
			in.DeregistrationDelaySeconds = ptr(near(L+R, 4, 8))
		case x < 6:
			// Where the old rule 1 (D ≥ R) put its edge: pins users
			// may carry over from before D ≥ L + R.
			in.DeregistrationDelaySeconds = ptr(near(R, 4, 8))
		case x < 7:
			in.DeregistrationDelaySeconds = ptr(near(3600, 5, 5))
		case x < 9:
			in.DeregistrationDelaySeconds = ptr(rng.IntN(4000))
		default:
			in.DeregistrationDelaySeconds = ptr(-rng.IntN(10) - 1)
		}
		dRef = *in.DeregistrationDelaySeconds
	}
	pRef := max(L, dRef-S+1)
	if rng.IntN(100) < 40 {
		switch x := rng.IntN(10); {
		case x < 3:
			in.PreStopSleepSeconds = ptr(near(L, 3, 5))
		case x < 7:
			in.PreStopSleepSeconds = ptr(near(dRef-S+1, 3, 5))
		case x < 9:
			in.PreStopSleepSeconds = ptr(rng.IntN(3700))
		default:
			in.PreStopSleepSeconds = ptr(-rng.IntN(10))
		}
		pRef = *in.PreStopSleepSeconds
	}
	if rng.IntN(100) < 40 {
		switch x := rng.IntN(10); {
		case x < 7:
			in.TerminationGracePeriodSeconds = ptr(near(pRef+S, 4, 8))
		case x < 9:
			in.TerminationGracePeriodSeconds = ptr(rng.IntN(11000))
		default:
			in.TerminationGracePeriodSeconds = ptr(-rng.IntN(10))
		}
	}
	return in
}

const propertyCases = 20000

func TestDeriveProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 5))
	examples := map[string][]string{}
	counts := map[string]int{}
	var accepted, rejected int
	errorKinds := map[string]int{}
	for range propertyCases {
		in := randomInputs(rng)
		for _, p := range deriveProblems(in) {
			counts[p.kind]++
			if len(examples[p.kind]) < 3 {
				examples[p.kind] = append(examples[p.kind], describe(in)+"\n      "+p.detail)
			}
		}
		_, errs := derive(in)
		if len(errs) == 0 {
			accepted++
		} else {
			rejected++
		}
		for _, e := range errs {
			for _, tag := range []string{"rule 1 ", "rule 2 ", "rules 1 and 3", "rule 3 ", "rule 4 ", "rule 8 ", "ELB maximum", "must be between"} {
				if strings.Contains(e.Detail, tag) {
					errorKinds[tag]++
				}
			}
		}
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Errorf("%s: %d of %d inputs, e.g.\n    %s", k, counts[k], propertyCases, strings.Join(examples[k], "\n    "))
	}
	t.Logf("%d inputs: %d accepted, %d rejected; errors seen: %v", propertyCases, accepted, rejected, errorKinds)
	// The property is only as good as the inputs: both outcomes and every
	// kind of error must be common.
	if accepted < propertyCases/5 || rejected < propertyCases/5 {
		t.Errorf("generator skewed: %d accepted, %d rejected", accepted, rejected)
	}
	for _, tag := range []string{"rule 1 ", "rule 2 ", "rules 1 and 3", "rule 3 ", "rule 4 ", "rule 8 ", "ELB maximum", "must be between"} {
		if errorKinds[tag] < 50 {
			t.Errorf("generator rarely produces %q errors: %d", tag, errorKinds[tag])
		}
	}
}

// fuzzSeed is timing.Inputs flattened into FuzzDerive's arguments.
type fuzzSeed struct {
	R, S, L, startup, idle                  int
	interval, hcTimeout, healthy, unhealthy int
	replicas, maxSurge                      int
	keepAlive                               int
	hasKeepAlive                            bool
	d                                       int
	hasD                                    bool
	p                                       int
	hasP                                    bool
	g                                       int
	hasG                                    bool
	gate                                    bool
}

func seedOf(in timing.Inputs) fuzzSeed {
	opt := func(p *int) (int, bool) {
		if p == nil {
			return 0, false
		}
		return *p, true
	}
	s := fuzzSeed{
		R: in.MaxRequestSeconds, S: in.ShutdownSeconds, L: in.PropagationSeconds,
		startup: in.StartupSeconds, idle: in.IdleTimeoutSeconds,
		interval: in.HealthCheck.IntervalSeconds, hcTimeout: in.HealthCheck.TimeoutSeconds,
		healthy: in.HealthCheck.HealthyThreshold, unhealthy: in.HealthCheck.UnhealthyThreshold,
		replicas: in.Replicas, maxSurge: in.MaxSurge, gate: in.GateRequired,
	}
	s.keepAlive, s.hasKeepAlive = opt(in.KeepAliveTimeoutSeconds)
	s.d, s.hasD = opt(in.DeregistrationDelaySeconds)
	s.p, s.hasP = opt(in.PreStopSleepSeconds)
	s.g, s.hasG = opt(in.TerminationGracePeriodSeconds)
	return s
}

// FuzzDerive checks the same contract as TestDeriveProperties on inputs
// the fuzzer makes up. Its seeds are every hand-written case: the valid
// derivations and one violation of each rule and range.
func FuzzDerive(f *testing.F) {
	var seeds []timing.Inputs
	for _, c := range derivationCases {
		seeds = append(seeds, c.in)
	}
	for _, c := range violationCases {
		seeds = append(seeds, c.in)
	}
	for _, in := range seeds {
		s := seedOf(in)
		f.Add(s.R, s.S, s.L, s.startup, s.idle, s.interval, s.hcTimeout, s.healthy, s.unhealthy,
			s.replicas, s.maxSurge, s.keepAlive, s.hasKeepAlive, s.d, s.hasD, s.p, s.hasP, s.g, s.hasG, s.gate)
	}
	f.Fuzz(func(t *testing.T, R, S, L, startup, idle, interval, hcTimeout, healthy, unhealthy, replicas, maxSurge int,
		keepAlive int, hasKeepAlive bool, d int, hasD bool, p int, hasP bool, g int, hasG bool, gate bool) {
		opt := func(v int, ok bool) *int {
			if !ok {
				return nil
			}
			return &v
		}
		in := timing.Inputs{
			LoadBalancer:            alb,
			MaxRequestSeconds:       R,
			ShutdownSeconds:         S,
			StartupSeconds:          startup,
			KeepAliveTimeoutSeconds: opt(keepAlive, hasKeepAlive),
			PropagationSeconds:      L,
			IdleTimeoutSeconds:      idle,
			HealthCheck: timing.HealthCheck{
				IntervalSeconds:    interval,
				TimeoutSeconds:     hcTimeout,
				HealthyThreshold:   healthy,
				UnhealthyThreshold: unhealthy,
			},
			Replicas:                      replicas,
			MaxSurge:                      maxSurge,
			GateRequired:                  gate,
			DeregistrationDelaySeconds:    opt(d, hasD),
			PreStopSleepSeconds:           opt(p, hasP),
			TerminationGracePeriodSeconds: opt(g, hasG),
		}
		for _, pr := range deriveProblems(in) {
			t.Errorf("%s: %s\n  inputs: %s", pr.kind, pr.detail, describe(in))
		}
	})
}

// fixPattern finds the first fix a message names: "raise it to at least
// 31", "lower timing.deregistrationDelaySeconds to 40", "raise the app's
// keep-alive to at least 61", …
var fixPattern = regexp.MustCompile(`(?:(?:raise|lower) (it|the app's keep-alive|[a-zA-Z.]+)|, and ([a-zA-Z.]+)) to (?:at (?:least|most) )?(\d+)`)

// fixSetters applies a value to the input a message names, by field path
// (for "it") or by the name the message uses.
var fixSetters = map[string]func(*timing.Inputs, int){
	"spec.timing.deregistrationDelaySeconds":    func(in *timing.Inputs, v int) { in.DeregistrationDelaySeconds = &v },
	"spec.timing.preStopSleepSeconds":           func(in *timing.Inputs, v int) { in.PreStopSleepSeconds = &v },
	"spec.timing.terminationGracePeriodSeconds": func(in *timing.Inputs, v int) { in.TerminationGracePeriodSeconds = &v },
	"spec.app.keepAliveTimeoutSeconds":          func(in *timing.Inputs, v int) { in.KeepAliveTimeoutSeconds = &v },
	"spec.app.maxRequestSeconds":                func(in *timing.Inputs, v int) { in.MaxRequestSeconds = v },
	"spec.loadBalancer.propagationSeconds":      func(in *timing.Inputs, v int) { in.PropagationSeconds = v },
	"spec.loadBalancer.idleTimeoutSeconds":      func(in *timing.Inputs, v int) { in.IdleTimeoutSeconds = v },
	"spec.healthCheck.timeoutSeconds":           func(in *timing.Inputs, v int) { in.HealthCheck.TimeoutSeconds = v },
	"spec.app.shutdownSeconds":                  func(in *timing.Inputs, v int) { in.ShutdownSeconds = v },
	"the app's keep-alive":                      func(in *timing.Inputs, v int) { in.KeepAliveTimeoutSeconds = &v },
}

// applyFirstFixes applies the first fix of every error to in (a fix may
// change several fields, "raise X to a, and Y to b"; alternatives are
// separated by ", or "), or reports false when some error names none.
func applyFirstFixes(in timing.Inputs, errs []string, fields []string) (timing.Inputs, bool) {
	for i, msg := range errs {
		// The fix follows the message's last ": "; its alternatives are
		// separated by ", or ".
		first, _, _ := strings.Cut(msg[strings.LastIndex(msg, ": ")+1:], ", or ")
		ms := fixPattern.FindAllStringSubmatch(first, -1)
		if ms == nil {
			return in, false
		}
		for _, m := range ms {
			subject := m[1] + m[2] // one of them is empty
			target := fields[i]
			if subject != "it" {
				target = subject
				if target != "the app's keep-alive" {
					target = "spec." + target
				}
			}
			set, ok := fixSetters[target]
			if !ok {
				return in, false
			}
			v, _ := strconv.Atoi(m[3])
			set(&in, v)
		}
	}
	return in, true
}

// A user who applies the first fix of every message at once gets a valid
// spec: the fixes agree with each other (each is computed against the
// others' fixed values, not against the broken pins).
func TestFixesTogetherClearEveryError(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 7))
	var tried, multi int
	for range 4 * propertyCases {
		in := randomInputs(rng)
		if !inRange(in) {
			continue
		}
		_, errs := derive(in)
		if len(errs) == 0 {
			continue
		}
		var msgs, fields []string
		for _, e := range errs {
			msgs, fields = append(msgs, e.Detail), append(fields, e.Field)
		}
		fixed, ok := applyFirstFixes(in, msgs, fields)
		if !ok {
			continue
		}
		tried++
		if len(errs) > 1 {
			multi++
		}
		if _, again := derive(fixed); len(again) > 0 {
			t.Errorf("%s\n  errors: %v\n  after applying the first fix of each: %v", describe(in), errs.ToAggregate(), again.ToAggregate())
			if t.Failed() && tried > 50 {
				return
			}
		}
	}
	t.Logf("%d rejected inputs fixed by their own messages, %d of them with several errors", tried, multi)
	if tried < 2000 || multi < 300 {
		t.Errorf("only %d rejected inputs (%d with several errors) had fixes to apply; the generator is skewed", tried, multi)
	}
}
