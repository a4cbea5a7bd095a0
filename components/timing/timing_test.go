// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing_test

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

func ptr(n int) *int { return &n }

// derive is timing.Derive with its errors in the spec's words
// (spec.TimingErrors), as every user sees them; TestErrorsNameTheirOwnInputs
// checks the raw form.
func derive(in timing.Inputs) (timing.Result, field.ErrorList) {
	r, errs := timing.Derive(in)
	return r, spec.TimingErrors(errs)
}

// alb is the ALB profile written out (service.ALB's, which package service
// pins in its own test): L 25, registration latency 10, idle timeout 60,
// health check 10 s / 5 s / 2 / 2, connections reused.
var alb = timing.Profile{
	Kind:                       "alb",
	PropagationSeconds:         25,
	RegistrationLatencySeconds: 10,
	IdleTimeoutSeconds:         60,
	HealthCheck:                timing.HealthCheck{IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 2},
	ReusesConnections:          true,
}

// inputs returns in-range inputs with the ALB numbers written out (L 25,
// idle timeout 60, health check 10 s / 5 s / 2 / 2), R and S as given, a
// 30 s start-up, 3 replicas and maxSurge 1.
func inputs(R, S int) timing.Inputs {
	return timing.Inputs{
		LoadBalancer:       alb,
		MaxRequestSeconds:  R,
		ShutdownSeconds:    S,
		StartupSeconds:     30,
		PropagationSeconds: 25,
		IdleTimeoutSeconds: 60,
		HealthCheck: timing.HealthCheck{
			IntervalSeconds:    10,
			TimeoutSeconds:     5,
			HealthyThreshold:   2,
			UnhealthyThreshold: 2,
		},
		Replicas: 3,
		MaxSurge: 1,
	}
}

// with returns in changed by f.
func with(in timing.Inputs, f func(*timing.Inputs)) timing.Inputs {
	f(&in)
	return in
}

// Names of the explanation steps for D, P and G.
const (
	stepD = "timing.deregistrationDelaySeconds"
	stepP = "timing.preStopSleepSeconds"
	stepG = "timing.terminationGracePeriodSeconds"
)

type derivation struct {
	name    string
	in      timing.Inputs
	D, P, G int
	// sources of D, P and G in the explanation: "pinned" or "derived".
	sources [3]string
}

var derived3 = [3]string{"derived", "derived", "derived"}

// derivationCases are valid inputs with their D, P and G worked out by hand
// from the rules and docs/timing.md (D = L + R + 5 capped at 3600, P =
// max(L, D − S + 1), G = P + S + 5; pins kept and the rest fitted around
// them). L is the ALB's 25 s unless the case says otherwise.
var derivationCases = []derivation{
	{
		name: "ALB defaults R=15 S=10: D covers a request started at L=25",
		in:   inputs(15, 10),
		D:    45, P: 36, G: 51, sources: derived3,
	},
	{
		name: "long requests R=60 S=5: D−S+1 sets P",
		in:   inputs(60, 5),
		D:    90, P: 86, G: 96, sources: derived3,
	},
	{
		name: "instant shutdown S=0",
		in:   inputs(15, 0),
		D:    45, P: 46, G: 51, sources: derived3,
	},
	{
		name: "long shutdown S=40 R=15: P is the propagation budget",
		in:   inputs(15, 40),
		D:    45, P: 25, G: 70, sources: derived3,
	},
	{
		name: "R=3575: L+R=3600, D at the ELB maximum with no margin",
		in:   inputs(3575, 10),
		D:    3600, P: 3591, G: 3606, sources: derived3,
	},
	{
		name: "R=3573 S=3598: L+R+5 capped at 3600",
		in:   inputs(3573, 3598),
		D:    3600, P: 25, G: 3628, sources: derived3,
	},
	{
		name: "NLB-sized L=120 R=30 S=15",
		in:   with(inputs(30, 15), setL(120)),
		D:    155, P: 141, G: 161, sources: derived3,
	},
	{
		name: "P pinned at 55 with R=30 S=5: D fitted to 59, below L+R+5",
		in:   with(inputs(30, 5), setP(55)),
		D:    59, P: 55, G: 65, sources: [3]string{"derived", "pinned", "derived"},
	},
	{
		name: "P pinned at 51 with R=30 S=5: D fitted down to L+R",
		in:   with(inputs(30, 5), setP(51)),
		D:    55, P: 51, G: 61, sources: [3]string{"derived", "pinned", "derived"},
	},
	{
		name: "P pinned with room to spare: D stays L+R+5",
		in:   with(inputs(15, 10), setP(60)),
		D:    45, P: 60, G: 75, sources: [3]string{"derived", "pinned", "derived"},
	},
	{
		name: "D pinned at 60: P follows D",
		in:   with(inputs(15, 10), setD(60)),
		D:    60, P: 51, G: 66, sources: [3]string{"pinned", "derived", "derived"},
	},
	{
		name: "D pinned equal to L+R",
		in:   with(inputs(15, 10), setD(40)),
		D:    40, P: 31, G: 46, sources: [3]string{"pinned", "derived", "derived"},
	},
	{
		name: "D pinned at the ELB maximum 3600",
		in:   with(inputs(15, 10), setD(3600)),
		D:    3600, P: 3591, G: 3606, sources: [3]string{"pinned", "derived", "derived"},
	},
	{
		name: "G pinned above P+S",
		in:   with(inputs(15, 10), setG(90)),
		D:    45, P: 36, G: 90, sources: [3]string{"derived", "derived", "pinned"},
	},
	{
		name: "G pinned at P+S+1",
		in:   with(inputs(15, 10), setG(47)),
		D:    45, P: 36, G: 47, sources: [3]string{"derived", "derived", "pinned"},
	},
	{
		// R=60 S=5 L=25 G=87: G > P + S > D ≥ L + R has exactly one
		// solution, D=85 P=81 (81 ≥ 25, 81+5=86 > 85, 87 > 86): D and P are
		// fitted under G rather than G rejected for missing the margin.
		name: "G pinned tight with R=60 S=5: D and P fitted under it",
		in:   with(inputs(60, 5), setG(87)),
		D:    85, P: 81, G: 87, sources: [3]string{"derived", "derived", "pinned"},
	},
	{
		name: "P and G pinned",
		in:   with(inputs(15, 10), all(setP(36), setG(47))),
		D:    45, P: 36, G: 47, sources: [3]string{"derived", "pinned", "pinned"},
	},
	{
		name: "D, P and G pinned",
		in:   with(inputs(15, 10), all(setD(40), setP(31), setG(46))),
		D:    40, P: 31, G: 46, sources: [3]string{"pinned", "pinned", "pinned"},
	},
}

func TestDerive(t *testing.T) {
	for _, tc := range derivationCases {
		t.Run(tc.name, func(t *testing.T) {
			r, errs := derive(tc.in)
			if len(errs) > 0 {
				t.Fatalf("Derive: unexpected errors:\n%s", errs.ToAggregate())
			}
			got := [3]int{r.DeregistrationDelaySeconds, r.PreStopSleepSeconds, r.TerminationGracePeriodSeconds}
			if want := [3]int{tc.D, tc.P, tc.G}; got != want {
				t.Errorf("D, P, G = %v, want %v", got, want)
			}
			for i, name := range []string{stepD, stepP, stepG} {
				steps := stepsNamed(r.Explanation, name)
				if len(steps) != 1 {
					t.Errorf("explanation has %d steps named %s, want 1", len(steps), name)
					continue
				}
				if steps[0].Source != tc.sources[i] {
					t.Errorf("step %s: source %q, want %q", name, steps[0].Source, tc.sources[i])
				}
				if steps[0].Value != got[i] {
					t.Errorf("step %s: value %d, want the derived %d", name, steps[0].Value, got[i])
				}
				if steps[0].Rule == "" || steps[0].Formula == "" {
					t.Errorf("step %s does not say which rule and formula: %+v", name, steps[0])
				}
			}
		})
	}
}

func stepsNamed(steps []timing.Step, name string) []timing.Step {
	var out []timing.Step
	for _, s := range steps {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// fix is the smallest fix a message names.
type fix struct {
	// apply makes the change the message asks for.
	apply func(*timing.Inputs)
	// short makes a change one second short of it, which must not be
	// enough; nil when there is no such value.
	short func(*timing.Inputs)
}

type violation struct {
	name string
	in   timing.Inputs
	// path is the field path of the one error expected.
	path string
	// contains are fragments of its message: the rule, the numbers, the fix.
	contains []string
	// notContains are fragments that must not appear.
	notContains []string
	// fixes named in the message: applied to in, each must clear every error.
	fixes []fix
}

func setR(v int) func(*timing.Inputs) { return func(in *timing.Inputs) { in.MaxRequestSeconds = v } }
func setS(v int) func(*timing.Inputs) { return func(in *timing.Inputs) { in.ShutdownSeconds = v } }
func setL(v int) func(*timing.Inputs) { return func(in *timing.Inputs) { in.PropagationSeconds = v } }
func setD(v int) func(*timing.Inputs) {
	return func(in *timing.Inputs) { in.DeregistrationDelaySeconds = ptr(v) }
}
func setP(v int) func(*timing.Inputs) {
	return func(in *timing.Inputs) { in.PreStopSleepSeconds = ptr(v) }
}
func setG(v int) func(*timing.Inputs) {
	return func(in *timing.Inputs) { in.TerminationGracePeriodSeconds = ptr(v) }
}
func setK(v int) func(*timing.Inputs) {
	return func(in *timing.Inputs) { in.KeepAliveTimeoutSeconds = ptr(v) }
}
func setIdle(v int) func(*timing.Inputs) {
	return func(in *timing.Inputs) { in.IdleTimeoutSeconds = v }
}
func setHCTimeout(v int) func(*timing.Inputs) {
	return func(in *timing.Inputs) { in.HealthCheck.TimeoutSeconds = v }
}
func setSurge(v int) func(*timing.Inputs) { return func(in *timing.Inputs) { in.MaxSurge = v } }

// all applies every change in order.
func all(fs ...func(*timing.Inputs)) func(*timing.Inputs) {
	return func(in *timing.Inputs) {
		for _, f := range fs {
			f(in)
		}
	}
}

// violationCases each break exactly one rule or range, on top of the ALB
// defaults (R=15 S=10 L=25 unless the case says otherwise).
var violationCases = []violation{
	{
		name:        "rule 1: D pinned at 10 below L+R=25+15",
		in:          with(inputs(15, 10), setD(10)),
		path:        "spec.timing.deregistrationDelaySeconds",
		contains:    []string{"rule 1 (D ≥ L + R)", "(10)", "(25)", "(15)", "= 40", "raise it to at least 40"},
		notContains: []string{timing.Rule1ChangeNote},
		fixes:       []fix{{apply: setD(40), short: setD(39)}},
	},
	{
		// The upgrade path: D=20 passed the old rule 1 (D ≥ R), so the
		// message says the rule changed.
		name:     "rule 1: D pinned at 20, accepted before rule 1 became D ≥ L + R",
		in:       with(inputs(15, 10), setD(20)),
		path:     "spec.timing.deregistrationDelaySeconds",
		contains: []string{"rule 1 (D ≥ L + R)", "(20)", "= 40", "raise it to at least 40", timing.Rule1ChangeNote, "CHANGELOG.md"},
		fixes:    []fix{{apply: setD(40), short: setD(39)}},
	},
	{
		name:     "rule 1: L+R=25+3590 above the ELB maximum 3600",
		in:       inputs(3590, 10),
		path:     "spec.app.maxRequestSeconds",
		contains: []string{"rule 1 (D ≥ L + R)", "(25)", "(3590)", "= 3615", "lower app.maxRequestSeconds to at most 3575", "lower loadBalancer.propagationSeconds to at most 10"},
		fixes: []fix{
			{apply: setR(3575), short: setR(3576)},
			{apply: setL(10), short: setL(11)},
		},
	},
	{
		name:        "rule 1: L=3600 leaves no room for any R",
		in:          with(inputs(1, 10), setL(3600)),
		path:        "spec.app.maxRequestSeconds",
		contains:    []string{"rule 1", "= 3601", "lower loadBalancer.propagationSeconds to at most 3599"},
		notContains: []string{"lower app.maxRequestSeconds"},
		fixes:       []fix{{apply: setL(3599), short: setL(3600)}},
	},
	{
		name:     "rule 1: L=R=3600, neither alone can be lowered enough",
		in:       with(inputs(3600, 10), setL(3600)),
		path:     "spec.app.maxRequestSeconds",
		contains: []string{"rule 1", "= 7200", "lower both so that their sum is at most 3600"},
		fixes:    []fix{{apply: all(setL(1800), setR(1800))}},
	},
	{
		name:     "rule 2: P pinned at 20 below L=25 (S=20 needs no more)",
		in:       with(inputs(15, 20), setP(20)),
		path:     "spec.timing.preStopSleepSeconds",
		contains: []string{"rule 2", "(20)", "(25)", "raise it to at least 25"},
		fixes:    []fix{{apply: setP(25), short: setP(24)}},
	},
	{
		name:     "rules 2 and 3: P pinned at 20 below L=25 and below D−S+1=31: one error, one fix",
		in:       with(inputs(15, 10), setP(20)),
		path:     "spec.timing.preStopSleepSeconds",
		contains: []string{"rule 2", "(20)", "(25)", "raise it to at least 31", "rule 3 also needs"},
		fixes:    []fix{{apply: setP(31), short: setP(30)}},
	},
	{
		name:     "rules 1 and 3: P pinned at 30 leaves no D between L+R=85 and P+S−1=34",
		in:       with(inputs(60, 5), setP(30)),
		path:     "spec.timing.preStopSleepSeconds",
		contains: []string{"rules 1 and 3", "(30)", "(5)", "= 35", "(25)", "(60)", "= 85", "raise timing.preStopSleepSeconds to at least 81"},
		fixes:    []fix{{apply: setP(81), short: setP(80)}},
	},
	{
		name: "rule 3: D=50 and P=31 pinned, P+S=41 ≤ D",
		in:   with(inputs(15, 10), all(setD(50), setP(31))),
		path: "spec.timing.preStopSleepSeconds",
		contains: []string{"rule 3", "(31)", "(10)", "= 41", "(50)",
			"raise timing.preStopSleepSeconds to at least 41",
			"lower timing.deregistrationDelaySeconds to 40"},
		fixes: []fix{
			{apply: setP(41), short: setP(40)},
			{apply: setD(40), short: setD(41)},
		},
	},
	{
		// Lowering D to P+S−1=19 would break rule 1 (L+R=35): only raising
		// P fixes this, so the message must not offer to lower D.
		name:        "rule 3: D=40 and P=10 pinned with R=30 S=10, D cannot be lowered enough",
		in:          with(inputs(30, 10), all(setL(5), setD(40), setP(10))),
		path:        "spec.timing.preStopSleepSeconds",
		contains:    []string{"rule 3", "(10)", "= 20", "(40)", "raise timing.preStopSleepSeconds to at least 31"},
		notContains: []string{"lower timing.deregistrationDelaySeconds"},
		fixes:       []fix{{apply: setP(31), short: setP(30)}},
	},
	{
		name:     "rule 4: G=30 pinned with P=20 and S=15 pinned",
		in:       with(inputs(10, 15), all(setL(20), setP(20), setG(30))),
		path:     "spec.timing.terminationGracePeriodSeconds",
		contains: []string{"rule 4", "(30)", "(20)", "(15)", "= 35", "raise it to at least 36"},
		fixes:    []fix{{apply: setG(36), short: setG(35)}},
	},
	{
		name:     "rule 4: G=40 pinned below the smallest P+S=25+20",
		in:       with(inputs(15, 20), setG(40)),
		path:     "spec.timing.terminationGracePeriodSeconds",
		contains: []string{"rule 4", "(40)", "(25)", "(20)", "= 45", "raise it to at least 46"},
		fixes:    []fix{{apply: setG(46), short: setG(45)}},
	},
	{
		name:     "rule 4: G=40 pinned with R=15 S=10, P must reach L+R−S+1=31",
		in:       with(inputs(15, 10), setG(40)),
		path:     "spec.timing.terminationGracePeriodSeconds",
		contains: []string{"rule 4", "(40)", "(31)", "(10)", "= 41", "raise it to at least 42"},
		fixes:    []fix{{apply: setG(42), short: setG(41)}},
	},
	{
		name:     "rule 8: keep-alive 60 equal to the idle timeout 60",
		in:       with(inputs(15, 10), setK(60)),
		path:     "spec.app.keepAliveTimeoutSeconds",
		contains: []string{"rule 8", "(60)", "raise the app's keep-alive to at least 61", "lower loadBalancer.idleTimeoutSeconds to at most 59"},
		fixes: []fix{
			{apply: setK(61), short: setK(60)},
			{apply: setIdle(59), short: setIdle(60)},
		},
	},
	{
		name:     "rule 8: keep-alive 5 below the idle timeout 60",
		in:       with(inputs(15, 10), setK(5)),
		path:     "spec.app.keepAliveTimeoutSeconds",
		contains: []string{"rule 8", "(5)", "(60)", "at least 61", "at most 4"},
		fixes:    []fix{{apply: setK(61), short: setK(60)}, {apply: setIdle(4), short: setIdle(5)}},
	},
	{
		name:     "D pinned at 4000 above the ELB maximum",
		in:       with(inputs(15, 10), setD(4000)),
		path:     "spec.timing.deregistrationDelaySeconds",
		contains: []string{"(4000)", "3600", "lower it to at most 3600"},
		fixes:    []fix{{apply: setD(3600), short: setD(3601)}},
	},
	{
		name:     "health check timeout 10 equal to the interval 10",
		in:       with(inputs(15, 10), setHCTimeout(10)),
		path:     "spec.healthCheck.timeoutSeconds",
		contains: []string{"below healthCheck.intervalSeconds (10)", "lower it to at most 9"},
		fixes:    []fix{{apply: setHCTimeout(9), short: setHCTimeout(10)}},
	},
	{
		name:     "health check timeout 20 above the interval 10",
		in:       with(inputs(15, 10), setHCTimeout(20)),
		path:     "spec.healthCheck.timeoutSeconds",
		contains: []string{"(10)", "at most 9"},
		fixes:    []fix{{apply: setHCTimeout(9)}},
	},
	{
		name:     "maxSurge 0",
		in:       with(inputs(15, 10), setSurge(0)),
		path:     "spec.rollout.maxSurge",
		contains: []string{"rule 6", "at least 1"},
		fixes:    []fix{{apply: setSurge(1)}},
	},
	{
		name:     "propagation 4 below the 5 s minimum",
		in:       with(inputs(15, 10), setL(4)),
		path:     "spec.loadBalancer.propagationSeconds",
		contains: []string{"between 5 and 3600", "rule 5"},
		fixes:    []fix{{apply: setL(5)}},
	},
	{
		name:     "R=0",
		in:       inputs(0, 10),
		path:     "spec.app.maxRequestSeconds",
		contains: []string{"between 1 and 3600"},
		fixes:    []fix{{apply: setR(1)}},
	},
	{
		name:     "R=100000",
		in:       inputs(100000, 10),
		path:     "spec.app.maxRequestSeconds",
		contains: []string{"between 1 and 3600"},
		// 3600 is the range's edge, but rule 1 then needs L+R ≤ 3600.
		fixes: []fix{{apply: setR(3575)}},
	},
	{
		name:     "S=-1",
		in:       inputs(15, -1),
		path:     "spec.app.shutdownSeconds",
		contains: []string{"between 0 and 3600"},
		fixes:    []fix{{apply: setS(0)}},
	},
	{
		name:     "S=3601",
		in:       inputs(15, 3601),
		path:     "spec.app.shutdownSeconds",
		contains: []string{"between 0 and 3600"},
		fixes:    []fix{{apply: setS(3600)}},
	},
	{
		name:     "startup -1",
		in:       with(inputs(15, 10), func(in *timing.Inputs) { in.StartupSeconds = -1 }),
		path:     "spec.app.startupSeconds",
		contains: []string{"between 0 and 3600"},
	},
	{
		name:     "keep-alive 0",
		in:       with(inputs(15, 10), setK(0)),
		path:     "spec.app.keepAliveTimeoutSeconds",
		contains: []string{"between 1 and"},
	},
	{
		name:     "idle timeout 0",
		in:       with(inputs(15, 10), setIdle(0)),
		path:     "spec.loadBalancer.idleTimeoutSeconds",
		contains: []string{"between 1 and 4000"},
	},
	{
		name:     "health check interval 4",
		in:       with(inputs(15, 10), func(in *timing.Inputs) { in.HealthCheck.IntervalSeconds = 4; in.HealthCheck.TimeoutSeconds = 2 }),
		path:     "spec.healthCheck.intervalSeconds",
		contains: []string{"between 5 and 300"},
	},
	{
		name:     "healthy threshold 1",
		in:       with(inputs(15, 10), func(in *timing.Inputs) { in.HealthCheck.HealthyThreshold = 1 }),
		path:     "spec.healthCheck.healthyThreshold",
		contains: []string{"between 2 and 10"},
	},
	{
		name:     "unhealthy threshold 11",
		in:       with(inputs(15, 10), func(in *timing.Inputs) { in.HealthCheck.UnhealthyThreshold = 11 }),
		path:     "spec.healthCheck.unhealthyThreshold",
		contains: []string{"between 2 and 10"},
	},
	{
		name:     "replicas 0",
		in:       with(inputs(15, 10), func(in *timing.Inputs) { in.Replicas = 0 }),
		path:     "spec.replicas",
		contains: []string{"at least 1"},
	},
	{
		name:     "P pinned at 0",
		in:       with(inputs(15, 10), setP(0)),
		path:     "spec.timing.preStopSleepSeconds",
		contains: []string{"between 1 and 3600"},
	},
	{
		name:     "D pinned at -1",
		in:       with(inputs(15, 10), setD(-1)),
		path:     "spec.timing.deregistrationDelaySeconds",
		contains: []string{"between 0 and"},
	},
	{
		name:     "G pinned at 0",
		in:       with(inputs(15, 10), setG(0)),
		path:     "spec.timing.terminationGracePeriodSeconds",
		contains: []string{"between 1 and"},
	},
}

func TestDeriveViolations(t *testing.T) {
	for _, tc := range violationCases {
		t.Run(tc.name, func(t *testing.T) {
			r, errs := derive(tc.in)
			if !reflect.DeepEqual(r, timing.Result{}) {
				t.Errorf("Derive returned a result with its errors: %+v", r)
			}
			if len(errs) != 1 {
				t.Fatalf("Derive returned %d errors, want 1 on %s:\n%v", len(errs), tc.path, errs.ToAggregate())
			}
			if got := errs[0].Field; got != tc.path {
				t.Errorf("error on %s, want %s", got, tc.path)
			}
			msg := errs[0].Error()
			if !strings.HasPrefix(msg, tc.path+": ") {
				t.Errorf("message does not start with the field path %s: %s", tc.path, msg)
			}
			for _, s := range tc.contains {
				if !strings.Contains(msg, s) {
					t.Errorf("message lacks %q:\n%s", s, msg)
				}
			}
			for _, s := range tc.notContains {
				if strings.Contains(msg, s) {
					t.Errorf("message offers %q, which does not fix it:\n%s", s, msg)
				}
			}
			for i, f := range tc.fixes {
				if _, errs := derive(with(tc.in, f.apply)); len(errs) > 0 {
					t.Errorf("fix %d named in the message does not fix it:\n%v", i, errs.ToAggregate())
				}
				if f.short == nil {
					continue
				}
				if _, errs := derive(with(tc.in, f.short)); len(errs) == 0 {
					t.Errorf("fix %d is not the smallest: one second less also passes", i)
				}
			}
		})
	}
}

func TestDeriveReportsEveryProblem(t *testing.T) {
	tests := []struct {
		name  string
		in    timing.Inputs
		paths []string
	}{
		{
			name: "rules 1, 2, 4 and 8 at once",
			in:   with(inputs(15, 10), all(setK(60), setD(10), setP(20), setG(30))),
			paths: []string{
				"spec.app.keepAliveTimeoutSeconds",          // rule 8: 60 ≤ 60
				"spec.timing.preStopSleepSeconds",           // rule 2: 20 < 25
				"spec.timing.deregistrationDelaySeconds",    // rule 1: 10 < 25 + 15
				"spec.timing.terminationGracePeriodSeconds", // rule 4: 30 ≤ 20 + 10
			},
		},
		{
			name: "rules 1, 2 and 3 with D and P pinned: one error per field",
			in:   with(inputs(50, 10), all(setD(40), setP(20))),
			paths: []string{
				"spec.timing.preStopSleepSeconds",        // rules 2 and 3: 20 < 25, 20 + 10 ≤ 40
				"spec.timing.deregistrationDelaySeconds", // rule 1: 40 < 25 + 50
			},
		},
		{
			name: "inputs out of range: each on its own field",
			in: with(inputs(0, -1), func(in *timing.Inputs) {
				in.PropagationSeconds = 1
				in.MaxSurge = 0
				in.Replicas = 0
				in.HealthCheck.TimeoutSeconds = 10
			}),
			paths: []string{
				"spec.app.maxRequestSeconds",
				"spec.app.shutdownSeconds",
				"spec.loadBalancer.propagationSeconds",
				"spec.healthCheck.timeoutSeconds",
				"spec.replicas",
				"spec.rollout.maxSurge",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := derive(tc.in)
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
			}
			if !sameMultiset(got, tc.paths) {
				t.Errorf("errors on\n  %v\nwant\n  %v\n%v", got, tc.paths, errs.ToAggregate())
			}
		})
	}
}

func sameMultiset(a, b []string) bool {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func mustDerive(t *testing.T, in timing.Inputs) timing.Result {
	t.Helper()
	r, errs := derive(in)
	if len(errs) > 0 {
		t.Fatalf("Derive: %v", errs.ToAggregate())
	}
	return r
}

func TestDeriveStartupProbeCoversStartup(t *testing.T) {
	for _, startup := range []int{0, 1, 4, 5, 6, 29, 30, 31, 299, 600, 3599, 3600} {
		r := mustDerive(t, with(inputs(15, 10), func(in *timing.Inputs) { in.StartupSeconds = startup }))
		p := r.Startup
		budget := int(p.PeriodSeconds) * int(p.FailureThreshold)
		if p.PeriodSeconds < 1 || budget < startup {
			t.Errorf("startup %d s: period %d × failureThreshold %d = %d s does not cover it", startup, p.PeriodSeconds, p.FailureThreshold, budget)
		}
		// A pod that never starts should not be waited on much longer than
		// the app owner said it needs.
		if budget > startup+2*int(p.PeriodSeconds) {
			t.Errorf("startup %d s: budget %d s overshoots by more than two periods", startup, budget)
		}
		// Kubernetes rejects a startup or liveness probe with
		// successThreshold other than 1.
		if p.SuccessThreshold != 1 || r.Liveness.SuccessThreshold != 1 {
			t.Errorf("successThreshold startup %d, liveness %d, want 1", p.SuccessThreshold, r.Liveness.SuccessThreshold)
		}
	}
}

func TestDeriveReadinessMirrorsHealthCheck(t *testing.T) {
	for _, u := range []int{2, 3, 7, 10} {
		hc := timing.HealthCheck{IntervalSeconds: 30, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: u}
		r := mustDerive(t, with(inputs(15, 10), func(in *timing.Inputs) { in.HealthCheck = hc }))
		if int(r.Readiness.FailureThreshold) != u {
			t.Errorf("U=%d: readiness failureThreshold %d, want U", u, r.Readiness.FailureThreshold)
		}
		if r.HealthCheck != hc {
			t.Errorf("U=%d: health check %+v, want the input %+v", u, r.HealthCheck, hc)
		}
		if want := u * 30; r.HealthCheckDetectionSeconds != want {
			t.Errorf("U=%d: detection %d s, want U × I = %d", u, r.HealthCheckDetectionSeconds, want)
		}
		if r.Readiness.PeriodSeconds < 1 || r.Readiness.TimeoutSeconds < 1 || r.Readiness.SuccessThreshold < 1 {
			t.Errorf("U=%d: readiness probe %+v has a zero field", u, r.Readiness)
		}
	}
}

// The spec documents (spec.Liveness): the liveness probe's "period and
// failure threshold are longer, so a slow pod is taken out of rotation long
// before it is restarted".
func TestDeriveLivenessSlowerThanReadiness(t *testing.T) {
	for u := 2; u <= 10; u++ {
		r := mustDerive(t, with(inputs(15, 10), func(in *timing.Inputs) { in.HealthCheck.UnhealthyThreshold = u }))
		live, ready := r.Liveness, r.Readiness
		if live == ready {
			t.Errorf("U=%d: liveness probe equals the readiness probe %+v", u, ready)
		}
		if live.PeriodSeconds <= ready.PeriodSeconds {
			t.Errorf("U=%d: liveness period %d s not longer than readiness %d s", u, live.PeriodSeconds, ready.PeriodSeconds)
		}
		liveAfter := live.PeriodSeconds * live.FailureThreshold
		readyAfter := ready.PeriodSeconds * ready.FailureThreshold
		if liveAfter <= readyAfter {
			t.Errorf("U=%d: liveness restarts a failing pod after %d s, before readiness takes it out of rotation after %d s",
				u, liveAfter, readyAfter)
		}
	}
}

func TestDeriveRegistrationPacesTheRollout(t *testing.T) {
	tests := []struct {
		name string
		hc   timing.HealthCheck
		want int // ALB controller latency 10 s + H × I
	}{
		{"ALB defaults H=2 I=10", timing.HealthCheck{IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 2, UnhealthyThreshold: 2}, 30},
		{"H=3 I=20", timing.HealthCheck{IntervalSeconds: 20, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 2}, 70},
		{"H=10 I=300", timing.HealthCheck{IntervalSeconds: 300, TimeoutSeconds: 120, HealthyThreshold: 10, UnhealthyThreshold: 10}, 3010},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustDerive(t, with(inputs(15, 10), func(in *timing.Inputs) { in.HealthCheck = tc.hc }))
			if r.RegistrationSeconds != tc.want {
				t.Errorf("registrationSeconds %d, want %d", r.RegistrationSeconds, tc.want)
			}
			if r.MinReadySeconds != r.RegistrationSeconds {
				t.Errorf("without the gate required: minReadySeconds %d, want registrationSeconds %d", r.MinReadySeconds, r.RegistrationSeconds)
			}
			// The API server refuses pods without the gate: the gate alone
			// waits for registration, once.
			gated := mustDerive(t, with(inputs(15, 10), func(in *timing.Inputs) { in.HealthCheck, in.GateRequired = tc.hc, true }))
			if gated.MinReadySeconds != 0 || gated.RegistrationSeconds != tc.want {
				t.Errorf("with the gate required: minReadySeconds %d, registration %d; want 0, %d", gated.MinReadySeconds, gated.RegistrationSeconds, tc.want)
			}
			startup := int(r.Startup.PeriodSeconds * r.Startup.FailureThreshold)
			if r.PodStepSeconds < startup+r.RegistrationSeconds+r.MinReadySeconds {
				t.Errorf("podStepSeconds %d below start-up %d + registration %d + minReady %d",
					r.PodStepSeconds, startup, r.RegistrationSeconds, r.MinReadySeconds)
			}
		})
	}
}

func TestDeriveDeadlines(t *testing.T) {
	tests := []struct {
		name string
		in   timing.Inputs
	}{
		{"ALB defaults", inputs(15, 10)},
		{"slow start-up 3600 s", with(inputs(15, 10), func(in *timing.Inputs) { in.StartupSeconds = 3600 })},
		{"slow registration H=10 I=300", with(inputs(15, 10), func(in *timing.Inputs) {
			in.HealthCheck = timing.HealthCheck{IntervalSeconds: 300, TimeoutSeconds: 5, HealthyThreshold: 10, UnhealthyThreshold: 2}
		})},
		{"100 replicas one at a time", with(inputs(15, 10), func(in *timing.Inputs) { in.Replicas = 100 })},
		{"long drain R=3575 S=3600", inputs(3575, 3600)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustDerive(t, tc.in)
			if r.ProgressDeadlineSeconds < timing.MinProgressDeadlineSeconds || r.ProgressDeadlineSeconds < 2*r.PodStepSeconds {
				t.Errorf("progressDeadlineSeconds %d, want ≥ %d and ≥ 2 × podStepSeconds %d", r.ProgressDeadlineSeconds, timing.MinProgressDeadlineSeconds, r.PodStepSeconds)
			}
			if r.AwaitTimeoutSeconds < r.ProgressDeadlineSeconds || 2*r.AwaitTimeoutSeconds < 3*r.RolloutSeconds {
				t.Errorf("awaitTimeoutSeconds %d, want ≥ progressDeadlineSeconds %d and ≥ 1.5 × rolloutSeconds %d", r.AwaitTimeoutSeconds, r.ProgressDeadlineSeconds, r.RolloutSeconds)
			}
			if min := r.RolloutWaves*r.PodStepSeconds + tc.in.PropagationSeconds + r.DeregistrationDelaySeconds; r.RolloutSeconds < min {
				t.Errorf("rolloutSeconds %d below %d waves × %d + L + D = %d", r.RolloutSeconds, r.RolloutWaves, r.PodStepSeconds, min)
			}
		})
	}
	// Slow enough that 2 × podStepSeconds is above the floor.
	r := mustDerive(t, with(inputs(15, 10), func(in *timing.Inputs) { in.StartupSeconds = 3600 }))
	if r.ProgressDeadlineSeconds <= timing.MinProgressDeadlineSeconds {
		t.Errorf("3600 s start-up: progressDeadlineSeconds %d, want above the %d s floor", r.ProgressDeadlineSeconds, timing.MinProgressDeadlineSeconds)
	}
	// A stuck rollout of an ordinary service fails sooner than
	// Kubernetes' default 600 s, and the deadline does not grow with
	// replicas (it is per progress); Pulumi's wait does.
	small := mustDerive(t, inputs(15, 10))
	big := mustDerive(t, with(inputs(15, 10), func(in *timing.Inputs) { in.Replicas = 100 }))
	if small.ProgressDeadlineSeconds >= 600 || big.ProgressDeadlineSeconds != small.ProgressDeadlineSeconds {
		t.Errorf("progressDeadlineSeconds %d at 3 replicas, %d at 100: want below 600 and the same", small.ProgressDeadlineSeconds, big.ProgressDeadlineSeconds)
	}
	if big.AwaitTimeoutSeconds <= small.AwaitTimeoutSeconds {
		t.Errorf("awaitTimeoutSeconds %d at 100 replicas, not above %d at 3", big.AwaitTimeoutSeconds, small.AwaitTimeoutSeconds)
	}
}

func TestDeriveRolloutScales(t *testing.T) {
	rollout := func(t *testing.T, replicas, surge int) int {
		t.Helper()
		return mustDerive(t, with(inputs(15, 10), func(in *timing.Inputs) {
			in.Replicas, in.MaxSurge = replicas, surge
		})).RolloutSeconds
	}
	t.Run("grows with replicas", func(t *testing.T) {
		for _, surge := range []int{1, 3} {
			prev := rollout(t, 1, surge)
			for n := 2; n <= 20; n++ {
				cur := rollout(t, n, surge)
				if cur < prev || (surge == 1 && cur == prev) {
					t.Errorf("maxSurge %d: %d replicas take %d s, %d replicas %d s", surge, n-1, prev, n, cur)
				}
				prev = cur
			}
			if rollout(t, 12, surge) <= rollout(t, 3, surge) {
				t.Errorf("maxSurge %d: 12 replicas not slower than 3", surge)
			}
		}
	})
	t.Run("shrinks with maxSurge", func(t *testing.T) {
		prev := rollout(t, 12, 1)
		for surge := 2; surge <= 12; surge++ {
			cur := rollout(t, 12, surge)
			if cur > prev {
				t.Errorf("12 replicas: maxSurge %d takes %d s, maxSurge %d %d s", surge-1, prev, surge, cur)
			}
			prev = cur
		}
		if rollout(t, 12, 12) >= rollout(t, 12, 1) {
			t.Errorf("12 replicas: maxSurge 12 not faster than maxSurge 1")
		}
	})
}

// TestErrorsNameTheirOwnInputs checks the layering: the timing model
// reports errors on its own inputs ({propagationSeconds}, not the spec's
// loadBalancer.propagationSeconds), and spec.TimingErrors maps every one of
// them, path and words, to the spec.
func TestErrorsNameTheirOwnInputs(t *testing.T) {
	in := with(inputs(15, 10), func(in *timing.Inputs) { in.DeregistrationDelaySeconds = ptr(10); in.KeepAliveTimeoutSeconds = ptr(30) })
	_, raw := timing.Derive(in)
	if len(raw) != 2 {
		t.Fatalf("want 2 errors (rules 1 and 8), got %v", raw)
	}
	for _, e := range raw {
		if strings.HasPrefix(e.Field, "spec.") || strings.Contains(e.Detail, "loadBalancer.") || strings.Contains(e.Detail, "app.") {
			t.Errorf("timing error speaks the spec's words: %v", e)
		}
		if !strings.Contains(e.Detail, "{") {
			t.Errorf("timing error names no input: %v", e)
		}
	}
	for _, e := range spec.TimingErrors(raw) {
		if !strings.HasPrefix(e.Field, "spec.") || strings.ContainsAny(e.Detail, "{}") {
			t.Errorf("mapped error keeps a timing name: %v", e)
		}
	}
	for _, input := range timing.AllInputs {
		mapped := spec.TimingErrors(field.ErrorList{field.Invalid(input.Path(), 1, input.Ref())})[0]
		if mapped.Field == input.Path().String() || !strings.HasPrefix(mapped.Field, "spec.") || mapped.Detail != strings.TrimPrefix(mapped.Field, "spec.") {
			t.Errorf("input %s maps to path %q, words %q; want a spec field and its name", input, mapped.Field, mapped.Detail)
		}
	}
}

// The explanation names every rule of the model, rule 8 included, whether
// it is checked, unchecked (keep-alive unknown) or does not apply (NLB).
func TestExplanationCoversEveryRule(t *testing.T) {
	nlb := alb
	nlb.Kind, nlb.ReusesConnections, nlb.IdleTimeoutSeconds = "nlb", false, 350
	for name, in := range map[string]timing.Inputs{
		"keep-alive checked":    with(inputs(15, 10), func(in *timing.Inputs) { in.KeepAliveTimeoutSeconds = ptr(75) }),
		"keep-alive unknown":    inputs(15, 10),
		"rule 8 not applicable": with(inputs(15, 10), func(in *timing.Inputs) { in.LoadBalancer = nlb; in.IdleTimeoutSeconds = 350 }),
	} {
		r, errs := derive(in)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs)
		}
		var rules strings.Builder
		for _, st := range r.Explanation {
			rules.WriteString(st.Rule + "; ")
		}
		for _, id := range []string{"1", "2", "3", "4", "5", "6", "7", "8"} {
			if !strings.Contains(rules.String(), id+":") && !strings.Contains(rules.String(), id+", ") {
				t.Errorf("%s: the explanation never names rule %s: %s", name, id, rules.String())
			}
		}
	}
}

// Init containers run before the app starts: every rollout wave, and so
// the rollout estimate and the deadlines, grow by their run time.
func TestInitContainersLengthenEachWave(t *testing.T) {
	without, errs := derive(inputs(15, 10))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	withInit, errs := derive(with(inputs(15, 10), func(in *timing.Inputs) { in.InitSeconds = 300 }))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := withInit.PodStepSeconds - without.PodStepSeconds; got != 300 {
		t.Errorf("a wave grew by %d s, want 300", got)
	}
	if got, want := withInit.RolloutSeconds-without.RolloutSeconds, 300*withInit.RolloutWaves; got != want {
		t.Errorf("the rollout grew by %d s, want %d (300 s per wave)", got, want)
	}
	if withInit.ProgressDeadlineSeconds < 2*withInit.PodStepSeconds {
		t.Errorf("progressDeadlineSeconds %d is below two waves (%d s)", withInit.ProgressDeadlineSeconds, 2*withInit.PodStepSeconds)
	}
	if _, errs := derive(with(inputs(15, 10), func(in *timing.Inputs) { in.InitSeconds = -1 })); len(errs) != 1 || errs[0].Field != "spec.initContainers" {
		t.Errorf("a negative init time: %v, want one error on spec.initContainers", errs)
	}
}

// The sidecars' part of rule 4: native sidecars stop one after another
// once every regular container has exited, a classic one on the request
// path sleeps until the app has drained, and the grace period outlasts
// them all. inputs(15, 10) derives D 45, P 36, so P + S = 46.
func TestSidecarsInTheChain(t *testing.T) {
	native := func(name string, s int) timing.Sidecar {
		return timing.Sidecar{Name: name, ShutdownSeconds: s, Native: true}
	}
	classic := func(name string, s int, onPath bool, pin *int) timing.Sidecar {
		return timing.Sidecar{Name: name, ShutdownSeconds: s, OnRequestPath: onPath, PreStopSleepSeconds: pin}
	}
	for _, tc := range []struct {
		name     string
		sidecars []timing.Sidecar
		G        *int
		wantG    int
		preStops []int
		errPath  string
		errWords string
	}{
		{name: "none", wantG: 51},
		{name: "a native proxy", sidecars: []timing.Sidecar{native("proxy", 5)}, wantG: 46 + 5 + 5, preStops: []int{0}},
		{name: "two native sidecars stop one after another", sidecars: []timing.Sidecar{native("proxy", 5), native("logs", 3)}, wantG: 46 + 8 + 5, preStops: []int{0, 0}},
		{name: "a classic proxy sleeps until the app has drained", sidecars: []timing.Sidecar{classic("proxy", 5, true, nil)}, wantG: 46 + 5 + 5, preStops: []int{46}},
		{name: "a classic log shipper off the request path", sidecars: []timing.Sidecar{classic("logs", 5, false, nil)}, wantG: 51, preStops: []int{0}},
		{name: "classic and native", sidecars: []timing.Sidecar{classic("proxy", 4, true, nil), native("logs", 3)}, wantG: 46 + 4 + 3 + 5, preStops: []int{46, 0}},
		{name: "a pinned grace period leaves room for the sidecars", sidecars: []timing.Sidecar{native("proxy", 5)}, G: ptr(60), wantG: 60, preStops: []int{0}},
		// D is fitted lower (40, its least) so that P + S + 10 fits in 52.
		{name: "a tight grace period fits D around the sidecars", sidecars: []timing.Sidecar{native("proxy", 10)}, G: ptr(52), wantG: 52, preStops: []int{0}},
		{name: "a grace period the sidecars outlast", sidecars: []timing.Sidecar{native("proxy", 10)}, G: ptr(45),
			errPath: "spec.timing.terminationGracePeriodSeconds", errWords: "native sidecars"},
		{name: "a classic proxy that stops before the app drained", sidecars: []timing.Sidecar{classic("proxy", 5, true, ptr(20))},
			errPath: "spec.sidecars[0].preStopSleepSeconds", errWords: "raise it to at least 46"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := with(inputs(15, 10), func(in *timing.Inputs) { in.Sidecars = tc.sidecars; in.TerminationGracePeriodSeconds = tc.G })
			r, errs := derive(in)
			if tc.errPath != "" {
				for _, e := range errs {
					if e.Field == tc.errPath && strings.Contains(e.Error(), tc.errWords) {
						return
					}
				}
				t.Fatalf("want an error on %s containing %q, got %v", tc.errPath, tc.errWords, errs)
			}
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if r.TerminationGracePeriodSeconds != tc.wantG {
				t.Errorf("G = %d, want %d", r.TerminationGracePeriodSeconds, tc.wantG)
			}
			for i, want := range tc.preStops {
				if got := r.Sidecars[i].PreStopSleepSeconds; got != want {
					t.Errorf("sidecar %s preStop %d, want %d", r.Sidecars[i].Name, got, want)
				}
			}
		})
	}
}

// For any sidecars and a pinned grace period, an accepted derivation's G
// outlasts the last container, and a refused one is refused on rule 4.
func TestSidecarsNeverOutlastTheGracePeriod(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 13))
	accepted := 0
	for range 5000 {
		in := inputs(1+rng.IntN(60), rng.IntN(60))
		for range 1 + rng.IntN(3) {
			in.Sidecars = append(in.Sidecars, timing.Sidecar{Name: "s", ShutdownSeconds: rng.IntN(40), OnRequestPath: rng.IntN(2) == 0, Native: rng.IntN(2) == 0})
		}
		if rng.IntN(2) == 0 {
			in.TerminationGracePeriodSeconds = ptr(1 + rng.IntN(400))
		}
		r, errs := derive(in)
		if len(errs) > 0 {
			for _, e := range errs {
				if !strings.Contains(e.Error(), "rule 4") && !strings.Contains(e.Error(), "rule ") {
					t.Fatalf("refused for another reason: %v", e)
				}
			}
			continue
		}
		accepted++
		P, S, G := r.PreStopSleepSeconds, in.ShutdownSeconds, r.TerminationGracePeriodSeconds
		mainEnd, native := P+S, 0
		for i, sc := range in.Sidecars {
			if sc.Native {
				native += sc.ShutdownSeconds
				continue
			}
			pre := r.Sidecars[i].PreStopSleepSeconds
			if sc.OnRequestPath && pre < P+S {
				t.Fatalf("a classic proxy sleeps %d < P + S = %d: %+v", pre, P+S, in)
			}
			mainEnd = max(mainEnd, pre+sc.ShutdownSeconds)
		}
		if G <= mainEnd+native {
			t.Fatalf("G %d ≤ %d, when the last sidecar stops: %+v", G, mainEnd+native, in)
		}
	}
	if accepted < 1000 {
		t.Fatalf("only %d of 5000 accepted: the generator is skewed", accepted)
	}
}
