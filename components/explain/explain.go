// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package explain presents a resolved service's timing chain: every derived
// value with its rule and inputs, the termination timeline of both chains
// (kubelet and load balancer) and the rollout estimate, as text or SVG.
package explain

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// Event is a moment of a pod's termination, in seconds after deletion.
type Event struct {
	AtSeconds int    `json:"atSeconds"`
	Chain     string `json:"chain"` // "container" or "traffic"
	What      string `json:"what"`
}

// Span is a stretch of one chain.
type Span struct {
	Chain        string `json:"chain"`
	What         string `json:"what"`
	StartSeconds int    `json:"startSeconds"`
	EndSeconds   int    `json:"endSeconds"`
}

// Timeline is what happens when one pod is deleted.
type Timeline struct {
	Events []Event `json:"events"`
	Spans  []Span  `json:"spans"`
}

// Names of the timeline's spans; the SVG colours and places them by name.
const (
	SpanPreStop  = "preStop sleep"
	SpanDrain    = "app drains (S)"
	SpanBuffer   = "buffer"
	SpanArrive   = "new requests still arrive (L)"
	SpanLast     = "last request (R)"
	SpanDraining = "draining (D)"
	chainCtr     = "container"
	chainTraffic = "traffic"
)

// Termination returns the timeline of a pod's deletion. Both chains start at
// t=0; the rules keep every container-chain step after its traffic-chain
// counterpart. The draining clock starts at deregistration, at some
// unknown time between 0 and L, and is drawn from 0, the worst case: a
// request the load balancer starts at L must still end (at L + R) before
// draining does (rule 1, D ≥ L + R).
func Termination(r *spec.Resolved) Timeline {
	t, in := r.Timing, r.TimingInputs()
	P, S, G, D, L, R := t.PreStopSleepSeconds, in.ShutdownSeconds, t.TerminationGracePeriodSeconds, t.DeregistrationDelaySeconds, in.PropagationSeconds, in.MaxRequestSeconds
	tl := Timeline{
		Events: []Event{
			{0, chainCtr, "pod deleted: preStop sleep starts"},
			{0, chainTraffic, "endpoint terminating: the controller deregisters the target (its latency is part of L) and the draining clock starts; the load balancer still sends new requests"},
			{L, chainTraffic, fmt.Sprintf("load balancer has stopped new requests by now at the latest (propagation budget L=%ds): the last new request starts here", L)},
			{P, chainCtr, fmt.Sprintf("preStop ends: SIGTERM (P=%ds ≥ L=%ds)", P, L)},
			{L + R, chainTraffic, fmt.Sprintf("the last request, started at L, has ended (L+R=%ds+%ds=%ds)", L, R, L+R)},
			{D, chainTraffic, fmt.Sprintf("draining ends (deregistration delay D=%ds ≥ L+R=%ds, even if the clock started at deletion)", D, L+R)},
			{P + S, chainCtr, fmt.Sprintf("app has drained and exited at the latest (P+S=%ds > D=%ds)", P+S, D)},
			{G, chainCtr, fmt.Sprintf("grace period ends: SIGKILL if still running (G=%ds > P+S)", G)},
		},
		Spans: []Span{
			{chainCtr, SpanPreStop, 0, P},
			{chainCtr, SpanDrain, P, P + S},
			{chainCtr, SpanBuffer, P + S, G},
			{chainTraffic, SpanArrive, 0, L},
			{chainTraffic, SpanLast, L, L + R},
			{chainTraffic, SpanDraining, 0, D},
		},
	}
	sort.SliceStable(tl.Events, func(i, j int) bool { return tl.Events[i].AtSeconds < tl.Events[j].AtSeconds })
	return tl
}

// Text writes the explanation of one service.
func Text(w io.Writer, r *spec.Resolved) error {
	s, t := r.Spec, r.Timing
	fmt.Fprintf(w, "%s/%s behind %s: every rule of the timing model holds\n\n", s.Namespace, s.Name, s.LoadBalancer.Kind)
	replicas := fmt.Sprintf("%d replicas", s.MaxReplicas())
	if s.Autoscaling.Enabled {
		replicas = fmt.Sprintf("%d–%d replicas (autoscaled; deadlines sized for %d)", s.MinReplicas(), s.MaxReplicas(), s.MaxReplicas())
	}
	fmt.Fprintf(w, "Inputs: longest request R=%ds, shutdown S=%ds, start-up %ds, propagation L=%ds, %s, maxSurge %d\n\n",
		s.App.MaxRequestSeconds, *s.App.ShutdownSeconds, *s.App.StartupSeconds, *s.LoadBalancer.PropagationSeconds, replicas, *s.Rollout.MaxSurge)

	fmt.Fprintln(w, "Derived values:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  VALUE\tSECONDS\tSOURCE\tRULE\tDERIVATION")
	for _, st := range t.Explanation {
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\n", st.Name, st.Value, st.Source, st.Rule, st.Formula)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	tl := Termination(r)
	fmt.Fprintf(w, "\nTermination of one pod (t = seconds after deletion):\n")
	scale := func(sec int) int { return sec * 60 / max(t.TerminationGracePeriodSeconds, 1) }
	for _, chain := range []string{chainCtr, chainTraffic} {
		for _, sp := range tl.Spans {
			if sp.Chain != chain || sp.EndSeconds <= sp.StartSeconds {
				continue
			}
			bar := strings.Repeat(" ", scale(sp.StartSeconds)) + strings.Repeat("█", max(1, scale(sp.EndSeconds)-scale(sp.StartSeconds)))
			fmt.Fprintf(w, "  %-9s %-62s %s %d–%ds\n", chain, bar, sp.What, sp.StartSeconds, sp.EndSeconds)
		}
	}
	fmt.Fprintln(w)
	for _, e := range tl.Events {
		fmt.Fprintf(w, "  t=%-5s %-9s %s\n", fmt.Sprintf("%ds", e.AtSeconds), e.Chain, e.What)
	}

	in := timing.PaceOf(r.TimingInputs(), t)
	p := timing.Predict(in)
	fmt.Fprintf(w, "\nRollout, as the model predicts it (docs/timing.md#how-long-events-take): %d wave(s) of up to %ds (pod start, start-up probe, LB registration %ds, minReadySeconds %d), then the old targets drain (L + D = %ds): up to %s;\n",
		p.Waves, p.Wave, t.RegistrationSeconds, t.MinReadySeconds, in.DeregistrationLatency+in.DeregistrationDelay, duration(p.RollingUpdate))
	fmt.Fprintf(w, "  no safe rollout beats one wave, then the draining: %s. A node drain, %d pod(s) at a time, takes up to %s.\n",
		duration(p.LowerBound), in.BudgetMaxUnavailable, duration(p.Drain))
	fmt.Fprintf(w, "  progressDeadlineSeconds %d; Pulumi waits up to %s. A longer preStop costs capacity and drain time, not rollout time.\n",
		t.ProgressDeadlineSeconds, duration(t.AwaitTimeoutSeconds))
	for _, idle := range p.Idle {
		fmt.Fprintf(w, "  Waiting for nothing: %s.\n", idle)
	}
	return nil
}

func duration(sec int) string {
	return fmt.Sprintf("%ds (%s)", sec, time.Duration(sec)*time.Second)
}
