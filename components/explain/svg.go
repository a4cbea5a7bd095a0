package explain

import (
	"fmt"
	"html"
	"io"

	"github.com/zerodowntime/zds/components/spec"
)

// SVG draws the termination timeline of each service: the container chain
// above the traffic chain, on a shared time axis per service.
func SVG(w io.Writer, services []*spec.Resolved) error {
	const width, left, right, rowH, blockH = 900, 110, 30, 26, 150
	height := 20 + blockH*len(services)
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	colors := map[string]string{
		"preStop sleep": "#4e79a7", "app drains (S)": "#59a14f", "buffer": "#bab0ab",
		"propagation (L)": "#f28e2b", "draining (D)": "#e15759",
	}
	for i, r := range services {
		y0 := 20 + i*blockH
		G := r.Timing.TerminationGracePeriodSeconds
		x := func(sec int) float64 { return left + float64(sec)*float64(width-left-right)/float64(max(G, 1)) }
		fmt.Fprintf(w, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", y0+4,
			html.EscapeString(fmt.Sprintf("%s/%s: G=%ds > P+S=%ds > D=%ds ≥ R=%ds; P=%ds ≥ L=%ds", r.Spec.Namespace, r.Spec.Name, G,
				r.Timing.PreStopSleepSeconds+r.TimingInputs.ShutdownSeconds, r.Timing.DeregistrationDelaySeconds, r.TimingInputs.MaxRequestSeconds,
				r.Timing.PreStopSleepSeconds, r.TimingInputs.PropagationSeconds)))
		tl := Termination(r)
		lanes := []struct {
			chain string
			row   int
		}{{"container", 0}, {"traffic", 1}}
		for _, lane := range lanes {
			fmt.Fprintf(w, `<text x="10" y="%d">%s</text>`+"\n", y0+30+lane.row*2*rowH+14, lane.chain)
		}
		trafficRow := 0
		for _, sp := range tl.Spans {
			row := 0
			if sp.Chain == "traffic" {
				row = 2 + trafficRow
				trafficRow++
			}
			y := y0 + 20 + row*(rowH-4)
			fmt.Fprintf(w, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`+"\n",
				x(sp.StartSeconds), y, x(sp.EndSeconds)-x(sp.StartSeconds), rowH-8, colors[sp.What],
				html.EscapeString(fmt.Sprintf("%s: %d–%ds", sp.What, sp.StartSeconds, sp.EndSeconds)))
			fmt.Fprintf(w, `<text x="%.1f" y="%d" fill="white">%s</text>`+"\n", x(sp.StartSeconds)+4, y+13, html.EscapeString(sp.What))
		}
		axisY := y0 + 20 + 4*(rowH-4) + 6
		fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, axisY, width-right, axisY)
		for _, e := range tl.Events {
			fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/><text x="%.1f" y="%d" text-anchor="middle">%ds</text>`+"\n",
				x(e.AtSeconds), axisY-4, x(e.AtSeconds), axisY+4, x(e.AtSeconds), axisY+18, e.AtSeconds)
		}
		fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="end" fill="#b00">SIGKILL</text>`+"\n", x(G), y0+16)
	}
	_, err := fmt.Fprintln(w, "</svg>")
	return err
}
