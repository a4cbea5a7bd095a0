// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package podsecurity judges a pod template by the Pod Security Standards
// with the Pod Security admission library's own evaluator (the checks the
// API server runs for a namespace's pod-security.kubernetes.io/enforce
// label), at the latest version the library knows.
package podsecurity

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// Levels are the standards from the strictest to the most permissive.
var Levels = []psaapi.Level{psaapi.LevelRestricted, psaapi.LevelBaseline, psaapi.LevelPrivileged}

var evaluator policy.Evaluator

func init() {
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic("podsecurity: the library's own checks do not load: " + err.Error())
	}
	evaluator = e
}

// Verdict is how a pod template fares at a level.
type Verdict struct {
	// Allowed is true when a namespace enforcing the level admits the pods.
	Allowed bool
	// Reasons are the library's, e.g. `host namespaces (hostNetwork=true)`.
	Reasons []string
	// Needs is the strictest level that admits the pods.
	Needs psaapi.Level
}

// Evaluate judges the pods of tpl at level (restricted, baseline or
// privileged).
func Evaluate(level string, tpl *corev1.PodTemplateSpec) (Verdict, error) {
	lvl, err := psaapi.ParseLevel(level)
	if err != nil {
		return Verdict{}, fmt.Errorf("pod security level %q: %v", level, err)
	}
	v := Verdict{Allowed: true}
	at := func(l psaapi.Level) policy.AggregateCheckResult {
		return policy.AggregateCheckResults(evaluator.EvaluatePod(psaapi.LevelVersion{Level: l, Version: psaapi.LatestVersion()}, &tpl.ObjectMeta, &tpl.Spec))
	}
	if r := at(lvl); !r.Allowed {
		v.Allowed = false
		for i, reason := range r.ForbiddenReasons {
			if d := r.ForbiddenDetails[i]; d != "" {
				reason += " (" + d + ")"
			}
			v.Reasons = append(v.Reasons, reason)
		}
	}
	for _, l := range Levels {
		if at(l).Allowed {
			v.Needs = l
			break
		}
	}
	return v, nil
}

// String is the verdict in a sentence.
func (v Verdict) String() string {
	if v.Allowed {
		return "allowed"
	}
	return fmt.Sprintf("forbidden: %s; the pods need %s", strings.Join(v.Reasons, ", "), v.Needs)
}
