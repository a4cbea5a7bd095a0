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

// Termination returns the timeline of a pod's deletion. Both chains start at
// t=0; the rules keep every container-chain step after its traffic-chain
// counterpart.
func Termination(r *spec.Resolved) Timeline {
	t, in := r.Timing, r.TimingInputs
	P, S, G, D, L := t.PreStopSleepSeconds, in.ShutdownSeconds, t.TerminationGracePeriodSeconds, t.DeregistrationDelaySeconds, in.PropagationSeconds
	tl := Timeline{
		Events: []Event{
			{0, "container", "pod deleted: preStop sleep starts"},
			{0, "traffic", "endpoint terminating: the controller deregisters the target, draining starts"},
			{L, "traffic", fmt.Sprintf("load balancer has stopped new requests by now at the latest (propagation budget L=%ds)", L)},
			{P, "container", fmt.Sprintf("preStop ends: SIGTERM (P=%ds ≥ L=%ds)", P, L)},
			{D, "traffic", fmt.Sprintf("draining ends (deregistration delay D=%ds ≥ longest request R=%ds)", D, in.MaxRequestSeconds)},
			{P + S, "container", fmt.Sprintf("app has drained and exited at the latest (P+S=%ds > D=%ds)", P+S, D)},
			{G, "container", fmt.Sprintf("grace period ends: SIGKILL if still running (G=%ds > P+S)", G)},
		},
		Spans: []Span{
			{"container", "preStop sleep", 0, P},
			{"container", "app drains (S)", P, P + S},
			{"container", "buffer", P + S, G},
			{"traffic", "propagation (L)", 0, L},
			{"traffic", "draining (D)", 0, D},
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
	for _, chain := range []string{"container", "traffic"} {
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

	fmt.Fprintf(w, "\nRollout: %d wave(s) of up to %ds (pod start, start-up probe, LB registration %ds, minReadySeconds %d) + grace %ds ≈ %s;\n",
		t.RolloutWaves, t.PodStepSeconds, t.RegistrationSeconds, t.MinReadySeconds, t.TerminationGracePeriodSeconds, duration(t.RolloutSeconds))
	fmt.Fprintf(w, "  progressDeadlineSeconds %d; Pulumi waits up to %s. A longer preStop costs capacity and drain time, not rollout time.\n",
		t.ProgressDeadlineSeconds, duration(t.AwaitTimeoutSeconds))
	return nil
}

func duration(sec int) string {
	return fmt.Sprintf("%ds (%s)", sec, time.Duration(sec)*time.Second)
}
