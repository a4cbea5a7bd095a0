// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package explain_test

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/zerodowntime/zds/components/explain"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/tests/golden"
)

// timelines are the shared-ALB example's two services and the NLB's: short
// and long grace periods in one picture.
func timelines(t *testing.T) []*spec.Resolved {
	t.Helper()
	docs, err := specfile.Load("../../examples/shared-alb/services.zds.yaml", "../../examples/nlb/service.zds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out []*spec.Resolved
	for _, d := range docs {
		out = append(out, d.Resolved)
	}
	return out
}

// The picture is reviewed as a file (go test -update rewrites it; view it
// with rsvg-convert -o timeline.png testdata/timeline.golden.svg).
func TestSVGGolden(t *testing.T) {
	var b bytes.Buffer
	if err := explain.SVG(&b, timelines(t)); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "timeline.golden.svg"), b.Bytes())
}

var (
	rectRE = regexp.MustCompile(`<rect x="([0-9.]+)" y="[0-9]+" width="([0-9.]+)"[^>]*><title>([^:]+): ([0-9]+)–([0-9]+)s</title>`)
	tickRE = regexp.MustCompile(`<text x="([0-9.]+)" y="([0-9]+)" text-anchor="middle">([0-9]+)s</text>`)
)

// One time scale for every service: a second is as wide in each chart; no
// tick label is drawn twice or closer to another on its line than its own
// width; SIGTERM and SIGKILL are marked for each service.
func TestSVGScaleTicksAndSignals(t *testing.T) {
	services := timelines(t)
	var b bytes.Buffer
	if err := explain.SVG(&b, services); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	var perSecond []float64
	for _, m := range rectRE.FindAllStringSubmatch(svg, -1) {
		w, _ := strconv.ParseFloat(m[2], 64)
		from, _ := strconv.Atoi(m[4])
		to, _ := strconv.Atoi(m[5])
		perSecond = append(perSecond, w/float64(to-from))
	}
	if len(perSecond) < 12 {
		t.Fatalf("found %d bars", len(perSecond))
	}
	for _, p := range perSecond {
		if d := p - perSecond[0]; d > 0.01 || d < -0.01 {
			t.Fatalf("bars at %.3f and %.3f px per second: each chart has its own scale", perSecond[0], p)
		}
	}
	type label struct {
		x     float64
		text  string
		width float64
	}
	lines := map[string][]label{}
	for _, m := range tickRE.FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		lines[m[2]] = append(lines[m[2]], label{x, m[3], 7 * float64(len(m[3])+1)})
	}
	for y, ls := range lines {
		for i := range ls {
			for j := range i {
				if gap := ls[i].x - ls[j].x; gap < (ls[i].width+ls[j].width)/2 && gap > -(ls[i].width+ls[j].width)/2 {
					t.Errorf("tick labels %ss and %ss overlap on the line at y=%s", ls[j].text, ls[i].text, y)
				}
			}
		}
	}
	for _, signal := range []string{">SIGTERM<", ">SIGKILL<"} {
		if n := bytes.Count(b.Bytes(), []byte(signal)); n != len(services) {
			t.Errorf("%s marked %d times for %d services", signal, n, len(services))
		}
	}
}
