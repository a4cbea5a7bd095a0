// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Text writes the report grouped per service, each finding with where it
// is, the numbers and the fix to paste; colour adds ANSI colours (for a
// terminal).
func Text(w io.Writer, r *Report, colour bool) error {
	paint := func(code, s string) string {
		if !colour {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	sevColour := map[Severity]string{Error: "31;1", Warning: "33;1", Info: "36"}
	var b strings.Builder
	writeFinding := func(f Finding) {
		fmt.Fprintf(&b, "  %s rule %s (%s)  %s  %s", paint(sevColour[f.Severity], fmt.Sprintf("%-7s", f.Severity)), f.Rule, f.Title, f.Location(), f.Object)
		if f.Field != "" {
			b.WriteString(" " + f.Field)
		}
		b.WriteString("\n      " + f.Message + "\n")
		if f.Fix != nil {
			b.WriteString("      " + paint("2", "fix:") + "\n")
			for _, l := range strings.Split(strings.TrimRight(f.Fix.YAML(), "\n"), "\n") {
				b.WriteString("        " + l + "\n")
			}
		}
	}
	for _, s := range r.Services {
		fmt.Fprintf(&b, "%s (%s)", paint("1", s.Name), s.Mode)
		if s.Mode != "none" {
			c := s.Chain
			d := "unknown"
			if c.D >= 0 {
				d = fmt.Sprintf("%d s", c.D)
			}
			fmt.Fprintf(&b, "  R %d s, S %d s, L %d s → D %s, P %d s, G %d s", c.R, c.S, c.L, d, c.P, c.G)
		}
		b.WriteString("\n")
		for _, a := range s.Assumed {
			b.WriteString("  assumed: " + a + "\n")
		}
		if s.Mode == "none" {
			b.WriteString("  not behind an AWS load balancer in this input: only its rollout and budget are checked\n")
		}
		for _, f := range s.Findings {
			writeFinding(f)
		}
		if len(s.Findings) == 0 {
			b.WriteString("  " + paint("32", "no findings") + "\n")
		}
	}
	if len(r.Other) > 0 {
		b.WriteString(paint("1", "other objects") + "\n")
		for _, f := range r.Other {
			writeFinding(f)
		}
	}
	b.WriteString(Summary(r) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is one line: services, findings by severity, unreadable input.
func Summary(r *Report) string {
	counts := map[Severity]int{}
	for _, f := range r.Findings() {
		counts[f.Severity]++
	}
	plural := func(n int, one string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	s := fmt.Sprintf("%s: %s, %s, %d info", plural(len(r.Services), "service"), plural(counts[Error], "error"), plural(counts[Warning], "warning"), counts[Info])
	if len(r.Problems) > 0 {
		s += ", " + plural(len(r.Problems), "unreadable input")
	}
	return s
}

// JSON writes the report as JSON (each fix with its YAML snippet and
// kubectl command).
func JSON(w io.Writer, r *Report) error {
	type fixOut struct {
		*Fix
		YAML    string `json:"yaml"`
		Command string `json:"command"`
	}
	type findingOut struct {
		Finding
		Severity string  `json:"severity"`
		Fix      *fixOut `json:"fix,omitempty"`
	}
	conv := func(fs []Finding) []findingOut {
		out := []findingOut{}
		for _, f := range fs {
			o := findingOut{Finding: f, Severity: f.Severity.String()}
			if f.Fix != nil {
				o.Fix = &fixOut{Fix: f.Fix, YAML: f.Fix.YAML(), Command: f.Fix.Command()}
			}
			out = append(out, o)
		}
		return out
	}
	type serviceOut struct {
		*ServiceReport
		Findings []findingOut `json:"findings"`
	}
	var services []serviceOut
	for _, s := range r.Services {
		services = append(services, serviceOut{s, conv(s.Findings)})
	}
	var problems []string
	for _, p := range r.Problems {
		problems = append(problems, p.String())
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(map[string]any{
		"services": services,
		"other":    conv(r.Other),
		"problems": problems,
		"summary":  Summary(r),
	})
}

// SARIF writes the report as SARIF 2.1.0, for code scanning (GitHub and
// others show each result at its file and line).
func SARIF(w io.Writer, r *Report, version string) error {
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type physical struct {
		ArtifactLocation map[string]string `json:"artifactLocation"`
		Region           *region           `json:"region,omitempty"`
	}
	type location struct {
		Physical *physical           `json:"physicalLocation,omitempty"`
		Logical  []map[string]string `json:"logicalLocations,omitempty"`
	}
	type result struct {
		RuleID     string            `json:"ruleId"`
		RuleIndex  int               `json:"ruleIndex"`
		Level      string            `json:"level"`
		Message    map[string]string `json:"message"`
		Locations  []location        `json:"locations"`
		Properties map[string]any    `json:"properties,omitempty"`
	}
	type rule struct {
		ID               string            `json:"id"`
		Name             string            `json:"name"`
		ShortDescription map[string]string `json:"shortDescription"`
		HelpURI          string            `json:"helpUri"`
	}
	level := map[Severity]string{Error: "error", Warning: "warning", Info: "note"}
	findings := r.Findings()
	ruleIndex := map[string]int{}
	var rules []rule
	ids := map[string]string{}
	for _, f := range findings {
		id := "zds/" + f.Rule
		if _, ok := ids[id]; !ok {
			ids[id] = f.Title
		}
	}
	keys := make([]string, 0, len(ids))
	for k := range ids {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		ruleIndex[k] = i
		rules = append(rules, rule{ID: k, Name: strings.TrimPrefix(k, "zds/"), ShortDescription: map[string]string{"text": ids[k]},
			HelpURI: "https://github.com/zerodowntime/zds/blob/main/docs/timing.md"})
	}
	results := []result{}
	for _, f := range findings {
		loc := location{Logical: []map[string]string{{"fullyQualifiedName": f.Namespace + "/" + f.Object + "." + f.Field, "kind": "object"}}}
		if f.File != "" && f.File != "-" {
			loc.Physical = &physical{ArtifactLocation: map[string]string{"uri": f.File}}
			if f.Line > 0 {
				loc.Physical.Region = &region{StartLine: f.Line, StartColumn: f.Column}
			}
		}
		res := result{RuleID: "zds/" + f.Rule, RuleIndex: ruleIndex["zds/"+f.Rule], Level: level[f.Severity],
			Message: map[string]string{"text": f.Object + ": " + f.Message}, Locations: []location{loc}}
		if f.Fix != nil {
			res.Properties = map[string]any{"fix": f.Fix.YAML(), "command": f.Fix.Command()}
		}
		results = append(results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "zds", "informationUri": "https://github.com/zerodowntime/zds", "version": version, "rules": rules,
			}},
			"results": results,
		}},
	})
}
