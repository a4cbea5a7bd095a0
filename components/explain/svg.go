// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package explain

import (
	"fmt"
	"html"
	"io"
	"math"
	"sort"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// svgRows places each span: the container chain on one row, the traffic
// chain on two, so the propagation window (new requests still arrive, then
// the last request runs) lies above the draining bar it must end within.
var svgRows = map[string]int{
	SpanPreStop: 0, SpanDrain: 0, SpanBuffer: 0,
	SpanArrive: 1, SpanLast: 1,
	SpanDraining: 2,
}

var svgColors = map[string]string{
	SpanPreStop: "#4e79a7", SpanDrain: "#59a14f", SpanBuffer: "#bab0ab",
	SpanArrive: "#f28e2b", SpanLast: "#edc948", SpanDraining: "#e15759",
}

// SVG draws the termination timeline of each service: the container chain
// above the traffic chain, SIGTERM and SIGKILL marked, on one time scale
// for every service so that the same seconds have the same width.
func SVG(w io.Writer, services []*spec.Resolved) error {
	const width, left, right, rowH, blockH, minLabelGap = 900, 110, 70, 26, 250, 34
	scale := 1 // the longest grace period: every chart ends within it
	for _, r := range services {
		scale = max(scale, r.Timing.TerminationGracePeriodSeconds)
	}
	height := 20 + blockH*len(services)
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(w, "<!-- Rendered by zds explain from ZeroDowntimeService specs; do not edit. -->\n")
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for i, r := range services {
		y0 := 20 + i*blockH
		t, in := r.Timing, r.TimingInputs()
		G, L, R := t.TerminationGracePeriodSeconds, in.PropagationSeconds, in.MaxRequestSeconds
		x := func(sec int) float64 { return left + float64(sec)*float64(width-left-right)/float64(scale) }
		rowY := func(row int) int { return y0 + 36 + row*(rowH-4) }
		fmt.Fprintf(w, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y0+4, html.EscapeString(r.Spec.Namespace+"/"+r.Spec.Name))
		fmt.Fprintf(w, `<text x="10" y="%d">%s</text>`+"\n", y0+20,
			html.EscapeString(timing.Summary(G, t.PreStopSleepSeconds, in.ShutdownSeconds, t.DeregistrationDelaySeconds, L, R)))
		fmt.Fprintf(w, `<text x="10" y="%d">container</text>`+"\n", rowY(0)+13)
		fmt.Fprintf(w, `<text x="10" y="%d">traffic</text>`+"\n", rowY(1)+13)
		tl := Termination(r)
		for _, sp := range tl.Spans {
			if sp.EndSeconds <= sp.StartSeconds {
				continue
			}
			y := rowY(svgRows[sp.What])
			fmt.Fprintf(w, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
				x(sp.StartSeconds), y, x(sp.EndSeconds)-x(sp.StartSeconds), rowH-8, svgColors[sp.What],
				html.EscapeString(fmt.Sprintf("%s: %d–%ds", sp.What, sp.StartSeconds, sp.EndSeconds)))
			// A label that does not fit its bar is left to the tooltip.
			if x(sp.EndSeconds)-x(sp.StartSeconds) >= 8+7*float64(len([]rune(sp.What))) {
				fmt.Fprintf(w, `<text x="%.1f" y="%d" fill="black">%s</text>`+"\n", x(sp.StartSeconds)+4, y+13, html.EscapeString(sp.What))
			}
		}
		// The last request the load balancer starts ends at L + R: a dashed
		// line down to the draining bar shows it ends inside it (rule 1).
		fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black" stroke-dasharray="3,3"><title>%s</title></line>`+"\n",
			x(L+R), rowY(1), x(L+R), rowY(2)+rowH-8,
			html.EscapeString(fmt.Sprintf("L+R = %ds ≤ D = %ds (rule 1)", L+R, t.DeregistrationDelaySeconds)))
		axisY := rowY(3) + 6
		fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%.1f" y2="%d" stroke="black"/>`+"\n", left, axisY, x(G), axisY)
		// One tick per distinct moment, labelled on the traffic chain's
		// line or the container chain's line below it, where the label
		// does not run into its neighbour (the last one always has one).
		ticks := map[int]bool{}
		for j, chain := range []string{chainTraffic, chainCtr} {
			var at []int
			for _, e := range tl.Events {
				if e.Chain == chain && (j == 0 || !ticks[e.AtSeconds]) {
					at = append(at, e.AtSeconds)
				}
			}
			sort.Ints(at)
			lastX := math.Inf(1)
			for k := len(at) - 1; k >= 0; k-- {
				if !ticks[at[k]] {
					ticks[at[k]] = true
					fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>`+"\n", x(at[k]), axisY-4, x(at[k]), axisY+4)
				}
				if lastX-x(at[k]) >= minLabelGap {
					fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle">%ds</text>`+"\n", x(at[k]), axisY+18+j*14, at[k])
					lastX = x(at[k])
				}
			}
		}
		// The two signals: SIGTERM when the preStop sleep ends (labelled to
		// its left), SIGKILL when the grace period does (to its right), so
		// the labels never meet however close P and G are.
		P := t.PreStopSleepSeconds
		for _, m := range []struct {
			at           int
			label, title string
			anchor       string
			dx           float64
		}{
			{P, "SIGTERM", fmt.Sprintf("SIGTERM at P = %ds ≥ L = %ds (rule 2)", P, L), "end", -3},
			{G, "SIGKILL", fmt.Sprintf("SIGKILL at G = %ds > P + S = %ds (rule 4)", G, P+in.ShutdownSeconds), "start", 3},
		} {
			fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#b00" stroke-width="2"><title>%s</title></line>`+"\n",
				x(m.at), rowY(0)-4, x(m.at), rowY(0)+rowH-8, html.EscapeString(m.title))
			fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="%s" fill="#b00">%s</text>`+"\n", x(m.at)+m.dx, rowY(0)-3, m.anchor, m.label)
		}
		rollout(w, r, rowY(3)+64, left, width-right)
	}
	_, err := fmt.Fprintln(w, "</svg>")
	return err
}

// rollout draws a rolling update as the model predicts it (timing.Predict
// with zds's budgets), on its own scale: each wave's new pods becoming
// Ready (their gate passed), the minReadySeconds that waits for nothing
// behind the gate (hatched), then the old targets' draining.
func rollout(w io.Writer, r *spec.Resolved, y, x0, x1 int) {
	in := timing.PaceOf(r.TimingInputs(), r.Timing)
	p := timing.Predict(in)
	total := max(p.RollingUpdate, 1)
	x := func(sec int) float64 { return float64(x0) + float64(sec)*float64(x1-x0)/float64(total) }
	fmt.Fprintf(w, `<text x="10" y="%d">rollout</text>`+"\n", y+13)
	fmt.Fprintf(w, `<text x="%d" y="%d">%s</text>`+"\n", x0, y-4, html.EscapeString(fmt.Sprintf(
		"rolling update, as the model predicts it: %ds = %d wave(s) of %ds + draining %ds; lower bound %ds", p.RollingUpdate, p.Waves, p.Wave, in.DeregistrationLatency+in.DeregistrationDelay, p.LowerBound)))
	for k := range p.Waves {
		start := k * p.Wave
		fmt.Fprintf(w, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#59a14f" stroke="white"><title>%s</title></rect>`+"\n",
			x(start), y, x(start+p.Ready)-x(start), 18, html.EscapeString(fmt.Sprintf("wave %d: new pods Ready with their targets registered, %d–%ds", k+1, start, start+p.Ready)))
		if in.MinReady > 0 {
			fmt.Fprintf(w, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#bab0ab" stroke="white"><title>%s</title></rect>`+"\n",
				x(start+p.Ready), y, x(start+p.Wave)-x(start+p.Ready), 18, html.EscapeString(fmt.Sprintf("wave %d: minReadySeconds %d s, waiting for nothing behind the readiness gate", k+1, in.MinReady)))
		}
	}
	end := p.Waves * p.Wave
	fmt.Fprintf(w, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#e15759" stroke="white"><title>%s</title></rect>`+"\n",
		x(end), y, x(p.RollingUpdate)-x(end), 18, html.EscapeString(fmt.Sprintf("the old targets drain: c + D ≤ %ds", p.RollingUpdate-end)))
}
