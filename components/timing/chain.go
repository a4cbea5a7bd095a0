// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package timing

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Rule1ChangeNote is appended to a rule-1 error for a pinned
// deregistration delay that the old rule 1 (D ≥ R) accepted, so users who
// upgrade learn why a configuration that passed yesterday fails today.
const Rule1ChangeNote = "rule 1 was D ≥ R before zds v0.2.0 and now also covers the propagation window (see CHANGELOG.md)"

// chain is the termination chain: D, P and G with the steps that explain
// them.
type chain struct {
	D, P, G  int
	sidecars []SidecarResult
	steps    []Step
}

// sidecarTail is what the sidecars add after the app: the classic ones end
// at their preStop (P + S on the request path) plus their shutdown, the
// regular containers' end is the latest of those and the app's P + S, and
// the native sidecars stop after it, one after another.
type sidecarTail struct {
	results []SidecarResult
	// mainEnd is when the last regular container has exited; end, when
	// the last sidecar has.
	mainEnd, end int
	// extra is end − (P + S) for the P the tail was computed with.
	extra int
	errs  field.ErrorList
}

func tailOf(in Inputs, P int) sidecarTail {
	S := in.ShutdownSeconds
	t := sidecarTail{mainEnd: P + S}
	native := 0
	for i, sc := range in.Sidecars {
		res := SidecarResult{Name: sc.Name}
		if sc.Native {
			native += sc.ShutdownSeconds
		} else {
			switch {
			case sc.PreStopSleepSeconds != nil:
				res.PreStopSleepSeconds = *sc.PreStopSleepSeconds
				if sc.OnRequestPath && res.PreStopSleepSeconds < P+S {
					p := InSidecars.Path().Index(i).Child("preStopSleepSeconds")
					t.errs = append(t.errs, field.Invalid(p, res.PreStopSleepSeconds, fmt.Sprintf(
						"rule 4 (a sidecar on the request path outlives the app's drain): %s's preStop sleep (%d) must be at least {preStopSleepSeconds} (%d) + {shutdownSeconds} (%d) = %d, or it stops passing requests to the app while the app still drains them: raise it to at least %d, or leave it unset to have it derived",
						sc.Name, res.PreStopSleepSeconds, P, S, P+S, P+S)))
				}
			case sc.OnRequestPath:
				res.PreStopSleepSeconds = P + S
			}
			t.mainEnd = max(t.mainEnd, res.PreStopSleepSeconds+sc.ShutdownSeconds)
		}
		t.results = append(t.results, res)
	}
	t.end = t.mainEnd + native
	t.extra = t.end - (P + S)
	return t
}

// deriveChain derives D, P and G (rules 1–4), or reports every rule the
// pins break. Inputs are in range (checkRanges ran first).
//
// Rule 1 is D ≥ L + R: the draining clock starts when the controller
// deregisters the target, at most L after the deletion, but the load
// balancer may still start a request of length R until L, which ends at
// L + R. With the controller's latency unknown (≥ 0), the draining window
// must reach L + R counted from the deletion.
func deriveChain(in Inputs) (chain, field.ErrorList) {
	R, S, L := in.MaxRequestSeconds, in.ShutdownSeconds, in.PropagationSeconds
	var errs field.ErrorList

	// P first when pinned: D may then have to fit under P + S. Every rule
	// on a pinned P is reported once, at the end, with the smallest P that
	// clears them all.
	var P int
	if in.PreStopSleepSeconds != nil {
		P = *in.PreStopSleepSeconds
	}

	// Rule 1 needs L + R ≤ D ≤ the ELB maximum: when L + R is above it, no
	// D exists. The rest is then checked as if the first fix named were
	// applied, so that every message agrees with it.
	minD := L + R
	if minD > MaxDeregistrationDelaySeconds {
		errs = append(errs, field.Invalid(pathMaxRequest, R, fmt.Sprintf(
			"rule 1 (D ≥ L + R): {propagationSeconds} (%d) + {maxRequestSeconds} (%d) = %d exceeds the ELB maximum deregistration delay (%d), so no draining window covers a request the load balancer starts at the end of propagation: %s",
			L, R, minD, MaxDeregistrationDelaySeconds, sumFix(L, R))))
		switch {
		case MaxDeregistrationDelaySeconds-L >= 1:
			R = MaxDeregistrationDelaySeconds - L
		case MaxDeregistrationDelaySeconds-R >= MinPropagationSeconds:
			L = MaxDeregistrationDelaySeconds - R
		default:
			return chain{}, errs
		}
		in.MaxRequestSeconds, in.PropagationSeconds, minD = R, L, L+R
	}

	// D: pinned, or fitted under what the pins leave room for. With P
	// pinned, rule 3 needs D ≤ P + S − 1; with only G pinned, rules 3 and 4
	// need D ≤ P + S − 1 ≤ G − 2.
	var D int
	dWant := min(minD+DeregistrationMarginSeconds, MaxDeregistrationDelaySeconds)
	dFit := ""
	switch {
	case in.DeregistrationDelaySeconds != nil:
		D = *in.DeregistrationDelaySeconds
		if D < minD {
			msg := fmt.Sprintf(
				"rule 1 (D ≥ L + R): {deregistrationDelaySeconds} (%d) must be at least {propagationSeconds} (%d) + {maxRequestSeconds} (%d) = %d, or a request the load balancer still starts at the end of propagation is cut when draining ends: raise it to at least %d",
				D, L, R, minD, minD)
			if D >= R {
				msg += "; " + Rule1ChangeNote
			}
			errs = append(errs, field.Invalid(pathDereg, D, msg))
		}
		if D > MaxDeregistrationDelaySeconds {
			errs = append(errs, field.Invalid(pathDereg, D, fmt.Sprintf(
				"{deregistrationDelaySeconds} (%d) is above the ELB maximum of %d: lower it to at most %d",
				D, MaxDeregistrationDelaySeconds, MaxDeregistrationDelaySeconds)))
		}
		// The rules below compare with D as its own fix leaves it, so that
		// every fix named holds once all of them are applied together.
		D = min(max(D, minD), MaxDeregistrationDelaySeconds)
	case in.PreStopSleepSeconds != nil:
		D = max(minD, min(dWant, P+S-1))
		if D < dWant {
			dFit = fmt.Sprintf("P + S − 1 = %d", P+S-1)
		}
	case in.TerminationGracePeriodSeconds != nil:
		G := *in.TerminationGracePeriodSeconds
		// What the sidecars add after P + S, for a P near L (the classic
		// ones on the request path end S_k after the app, the native ones
		// follow one after another).
		room := tailOf(in, L).extra
		D = min(dWant, G-2-room)
		if D < dWant {
			dFit = fmt.Sprintf("G − 2 = %d", G-2)
			if room > 0 {
				dFit = fmt.Sprintf("G − 2 − sidecars %d = %d", room, G-2-room)
			}
		}
		// Too small a G is reported by rule 4 below, with the smallest P.
		D = max(D, minD)
	default:
		D = dWant
	}

	// pFixed is P as its own fix leaves it.
	pFixed := P
	if in.PreStopSleepSeconds == nil {
		P = max(L, D-S+1)
		pFixed = P
	} else if e := checkPinnedP(in, D); e != nil {
		errs = append(errs, e)
		pFixed = max(L, D-S+1)
	}

	// G. When P is derived it is already the smallest P the rules allow, so
	// pFixed + S + 1 is the smallest fix.
	tail := tailOf(in, pFixed)
	errs = append(errs, tail.errs...)
	var G int
	if in.TerminationGracePeriodSeconds != nil && len(in.Sidecars) > 0 {
		G = *in.TerminationGracePeriodSeconds
		if G <= tail.end {
			errs = append(errs, field.Invalid(pathGrace, G, fmt.Sprintf(
				"rule 4 (G > P + S, then the sidecars): {terminationGracePeriodSeconds} (%d) must outlast every container: the app drains until {preStopSleepSeconds} + {shutdownSeconds} = %d, the regular containers until %d, and the native sidecars, stopped one after another after them, until %d, or SIGKILL cuts what is still draining: raise it to at least %d",
				G, pFixed+S, tail.mainEnd, tail.end, tail.end+1)))
		}
	} else if in.TerminationGracePeriodSeconds != nil {
		G = *in.TerminationGracePeriodSeconds
		if G <= pFixed+S {
			pre := fmt.Sprint(pFixed)
			if pFixed != P {
				pre += ", once raised as asked"
			}
			errs = append(errs, field.Invalid(pathGrace, G, fmt.Sprintf(
				"rule 4 (G > P + S): {terminationGracePeriodSeconds} (%d) must exceed {preStopSleepSeconds} (%s) + {shutdownSeconds} (%d) = %d, or SIGKILL cuts in-flight requests: raise it to at least %d",
				G, pre, S, pFixed+S, pFixed+S+1)))
		}
	} else {
		G = P + S + tail.extra + GraceBufferSeconds
	}
	if len(errs) > 0 {
		return chain{}, errs
	}

	c := chain{D: D, P: P, G: G, sidecars: tailOf(in, P).results}
	step := func(name string, value int, pin *int, rule, formula string, args ...any) {
		c.steps = append(c.steps, Step{Name: name, Value: value, Source: source(pin), Rule: rule, Formula: fmt.Sprintf(formula, args...)})
	}
	switch {
	case in.DeregistrationDelaySeconds != nil:
		step("timing.deregistrationDelaySeconds", D, in.DeregistrationDelaySeconds, "1: D ≥ L + R",
			"pinned %d ≥ L + R = %d + %d = %d", D, L, R, minD)
	case dFit == "" && D == minD+DeregistrationMarginSeconds:
		step("timing.deregistrationDelaySeconds", D, nil, "1: D ≥ L + R",
			"D = L + R + %d = %d + %d + %d: the last request the LB starts, at L, ends by L + R", DeregistrationMarginSeconds, L, R, DeregistrationMarginSeconds)
	case dFit == "":
		step("timing.deregistrationDelaySeconds", D, nil, "1: D ≥ L + R",
			"D = min(L + R + %d = %d, ELB maximum %d)", DeregistrationMarginSeconds, minD+DeregistrationMarginSeconds, MaxDeregistrationDelaySeconds)
	default:
		step("timing.deregistrationDelaySeconds", D, nil, "1, 3, 4: L + R ≤ D < P + S < G",
			"D = max(L + R = %d, min(L + R + %d = %d, %s))", minD, DeregistrationMarginSeconds, min(minD+DeregistrationMarginSeconds, MaxDeregistrationDelaySeconds), dFit)
	}
	if in.PreStopSleepSeconds != nil {
		step("timing.preStopSleepSeconds", P, in.PreStopSleepSeconds, "2, 3: P ≥ L, P + S > D",
			"pinned %d ≥ L %d; %d + S %d = %d > D %d", P, L, P, S, P+S, D)
	} else {
		step("timing.preStopSleepSeconds", P, nil, "2, 3: P ≥ L, P + S > D",
			"P = max(L, D − S + 1) = max(%d, %d − %d + 1)", L, D, S)
	}
	if in.TerminationGracePeriodSeconds != nil {
		step("timing.terminationGracePeriodSeconds", G, in.TerminationGracePeriodSeconds, "4: G > P + S",
			"pinned %d > P + S = %d", G, P+S)
	} else if extra := tailOf(in, P).extra; extra > 0 {
		step("timing.terminationGracePeriodSeconds", G, nil, "4: G > P + S, then the sidecars",
			"G = P + S + sidecars + %d = %d + %d + %d + %d (classic ones end after their preStop and shutdown, native ones stop one after another after the app)", GraceBufferSeconds, P, S, extra, GraceBufferSeconds)
	} else {
		step("timing.terminationGracePeriodSeconds", G, nil, "4: G > P + S",
			"G = P + S + %d = %d + %d + %d", GraceBufferSeconds, P, S, GraceBufferSeconds)
	}
	return c, nil
}

// checkPinnedP reports, in one error, every rule a pinned P breaks against
// D (pinned and fixed, or the smallest D rule 1 allows): rule 2 (P ≥ L) and
// rule 3 (P + S > D), with the smallest P that clears both. When no pin of
// P can (P is at most MaxSeconds), the fix also raises S.
func checkPinnedP(in Inputs, D int) *field.Error {
	P, S, L, R := *in.PreStopSleepSeconds, in.ShutdownSeconds, in.PropagationSeconds, in.MaxRequestSeconds
	minD := L + R
	need := max(L, D-S+1)
	if P >= need {
		return nil
	}
	// raiseP is the smallest pin of P that clears both rules, with S raised
	// too when P alone cannot reach.
	raiseP := func(subject string) string {
		if need <= MaxSeconds {
			return fmt.Sprintf("raise %s to at least %d", subject, need)
		}
		return fmt.Sprintf("raise %s to at least %d, and {shutdownSeconds} to at least %d", subject, MaxSeconds, D-MaxSeconds+1)
	}
	switch {
	case P < L:
		fix := raiseP("it")
		if need > L {
			fix += fmt.Sprintf(", which rule 3 also needs (P + S > D = %d)", D)
		}
		return rule2(P, L, fix)
	case in.DeregistrationDelaySeconds != nil && *in.DeregistrationDelaySeconds >= minD:
		fix := raiseP("{preStopSleepSeconds}")
		if P+S-1 >= minD {
			fix += fmt.Sprintf(", or lower {deregistrationDelaySeconds} to %d", P+S-1)
		}
		d := fmt.Sprint(D)
		if D != *in.DeregistrationDelaySeconds {
			d += ", once lowered to the ELB maximum"
		}
		return field.Invalid(pathPreStop, P, fmt.Sprintf(
			"rule 3 (P + S > D): {preStopSleepSeconds} (%d) + {shutdownSeconds} (%d) = %d must exceed {deregistrationDelaySeconds} (%s), or the pod exits while the target is still draining (502/504): %s",
			P, S, P+S, d, fix))
	default:
		return field.Invalid(pathPreStop, P, fmt.Sprintf(
			"rules 1 and 3 (P + S > D ≥ L + R): {preStopSleepSeconds} (%d) + {shutdownSeconds} (%d) = %d leaves no deregistration delay that is both ≥ {propagationSeconds} (%d) + {maxRequestSeconds} (%d) = %d and below %d: %s",
			P, S, P+S, L, R, minD, P+S, raiseP("{preStopSleepSeconds}")))
	}
}

func rule2(P, L int, fix string) *field.Error {
	return field.Invalid(pathPreStop, P, fmt.Sprintf(
		"rule 2 (P ≥ L): {preStopSleepSeconds} (%d) must be at least {propagationSeconds} (%d), or SIGTERM arrives while the load balancer still sends new requests: %s",
		P, L, fix))
}

// sumFix is the smallest fix when L + R is above the ELB maximum
// deregistration delay: lower either input, when that alone is enough
// within its range, or both.
func sumFix(L, R int) string {
	var fixes []string
	if r := MaxDeregistrationDelaySeconds - L; r >= 1 {
		fixes = append(fixes, fmt.Sprintf("lower {maxRequestSeconds} to at most %d", r))
	}
	if l := MaxDeregistrationDelaySeconds - R; l >= MinPropagationSeconds {
		fixes = append(fixes, fmt.Sprintf("lower {propagationSeconds} to at most %d", l))
	}
	switch len(fixes) {
	case 0:
		return fmt.Sprintf("lower both so that their sum is at most %d", MaxDeregistrationDelaySeconds)
	case 1:
		return fixes[0]
	default:
		return fixes[0] + ", or " + fixes[1]
	}
}

// Summary states a termination chain in one line, in the order the rules
// compare its values (G > P + S > D ≥ L + R). Render headers, previews and
// the SVG title all print this line.
func Summary(G, P, S, D, L, R int) string {
	return fmt.Sprintf("grace %ds > preStop %ds + shutdown %ds > deregistration delay %ds ≥ propagation %ds + longest request %ds",
		G, P, S, D, L, R)
}
