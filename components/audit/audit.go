// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package audit finds the timing-chain bugs in Kubernetes manifests users
// already run (Helm and kustomize output, hand-written YAML, a live
// cluster's objects): it groups the objects into services (a Deployment
// with the Services selecting its pods, the ALB Ingresses, NLB Services or
// TargetGroupBindings serving them, its budgets, namespace and
// autoscalers), reads the target groups the AWS Load Balancer Controller
// would build with the controller's own annotation parser, and checks
// every rule of the timing model that the objects decide, in the words and
// numbering of `zds explain`. Each finding carries a severity, the object
// and field, the numbers and the smallest fix as a patch.
//
// Package check verifies zds's own output (every fact present, every
// object zds makes); audit is for objects zds did not make, so a missing
// fact is assumed and said, not an error.
package audit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	policyv1 "k8s.io/api/policy/v1"
)

// Severity says what a finding costs.
type Severity int

const (
	// Info is worth knowing; nothing breaks.
	Info Severity = iota
	// Warning is risky: requests drop or drains stall under some
	// conditions.
	Warning
	// Error drops requests.
	Error
)

func (s Severity) String() string { return [...]string{"info", "warning", "error"}[s] }

// ParseSeverity reads error, warning or info.
func ParseSeverity(s string) (Severity, error) {
	for v := Info; v <= Error; v++ {
		if v.String() == s {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%q is no severity: error, warning or info", s)
}

// Finding is one problem with the objects.
type Finding struct {
	Severity Severity `json:"severity"`
	// Rule is the timing model's rule number ("1"…"8") or the name of a
	// check that is no numbered rule (budget, rollout, api, …).
	Rule string `json:"rule"`
	// Title states the rule, e.g. "D ≥ L + R".
	Title string `json:"title"`
	// Object is Kind/name; Namespace its namespace.
	Object    string `json:"object"`
	Namespace string `json:"namespace,omitempty"`
	// Field is the field's path in the object, e.g.
	// spec.template.spec.terminationGracePeriodSeconds.
	Field  string `json:"field,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	// Message says what is wrong, with the numbers.
	Message string `json:"message"`
	// Fix is the smallest change that clears the finding, nil when only a
	// person can decide.
	Fix *Fix `json:"fix,omitempty"`
}

// Location is file:line:column, or the object for live objects.
func (f Finding) Location() string {
	if f.File == "" {
		return f.Object
	}
	if f.Line == 0 {
		return f.File
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
}

// Chain is a service's timing chain as read (or assumed).
type Chain struct {
	R, S, L int
	// D is -1 when the objects do not hold it.
	D, P, G int
}

// ServiceReport is one service's findings.
type ServiceReport struct {
	// Name is namespace/name of the Deployment.
	Name string `json:"name"`
	// Mode is how the load balancer reaches it: alb, nlb,
	// targetGroupBinding, or none.
	Mode  string `json:"mode"`
	Chain Chain  `json:"chain"`
	// Assumed lists the facts the objects do not hold, with the value
	// used and where to set them.
	Assumed  []string  `json:"assumed,omitempty"`
	Findings []Finding `json:"findings"`
}

// Report is the outcome of a check.
type Report struct {
	Services []*ServiceReport `json:"services"`
	// Other are findings on objects that belong to no service (a budget
	// selecting no pods, a removed API outside any service).
	Other []Finding `json:"other,omitempty"`
	// Problems are input that could not be read.
	Problems []Problem `json:"problems,omitempty"`
}

// Findings are every finding, services' first.
func (r *Report) Findings() []Finding {
	var out []Finding
	for _, s := range r.Services {
		out = append(out, s.Findings...)
	}
	return append(out, r.Other...)
}

// Count is the number of findings at or above a severity.
func (r *Report) Count(at Severity) int {
	n := 0
	for _, f := range r.Findings() {
		if f.Severity >= at {
			n++
		}
	}
	return n
}

// Options are the facts no object holds, when no zds.dev/* annotation
// gives them: R, S and L in seconds (nil: the per-mode default, said in
// the report).
type Options struct {
	MaxRequestSeconds  *int
	ShutdownSeconds    *int
	PropagationSeconds *int
}

// DefaultMaxRequestSeconds is R when nothing says it: a common server
// request timeout.
const DefaultMaxRequestSeconds = 30

// Check groups the objects into services and checks each.
func Check(objs []*Object, opts Options) *Report {
	r, _ := check(objs, opts)
	return r
}

// check is Check, also returning the services the reports are of (in the
// same order), for CheckLive.
func check(objs []*Object, opts Options) (*Report, []*Service) {
	in, problems := sortInput(objs)
	r := &Report{Problems: problems}
	inService := map[*Object]bool{}
	services := in.group()
	for _, s := range services {
		sr := checkService(s, in, opts)
		r.Services = append(r.Services, sr)
		for _, o := range s.objects() {
			inService[o] = true
		}
	}
	for _, o := range in.removed {
		if !inService[o] && !ignored(o, "api") {
			r.Other = append(r.Other, removedAPI(o))
		}
	}
	for _, pdb := range in.pdbs {
		if !selectsAnyDeployment(pdb, in) && !ignored(pdb.O, "budget") {
			line, col := pdb.O.Pos("spec", "selector")
			r.Other = append(r.Other, Finding{
				Severity: Warning, Rule: "budget", Title: "a budget selects the pods",
				Object: pdb.O.Ref(), Namespace: pdb.V.Namespace, Field: "spec.selector",
				File: pdb.O.File, Line: line, Column: col,
				Message: "selects no pod of any Deployment in the input: it protects nothing during drains (a typo in a label?)",
			})
		}
	}
	sortFindings(r.Other)
	return r, services
}

func selectsAnyDeployment(pdb Typed[policyv1.PodDisruptionBudget], in *input) bool {
	for _, d := range in.deployments {
		if d.V.Namespace == pdb.V.Namespace && in.budgetSelects(pdb.V, labelsOf(d)) {
			return true
		}
	}
	return false
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// fieldPath writes a path as kubectl explain does, keys with dots or
// slashes in brackets: metadata.annotations[alb.ingress.kubernetes.io/x].
func fieldPath(path []string) string {
	var b strings.Builder
	for _, p := range path {
		switch {
		case isIndex(p):
			b.WriteString("[" + p + "]")
		case strings.ContainsAny(p, "./"):
			b.WriteString("[" + p + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(p)
		}
	}
	return b.String()
}

func isIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}
