// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/zerodowntime/zds/components/podsecurity"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

// The Pod Security verdicts zds gives patched pods (#21) are the real API
// server's: for pods patched to need each level, a namespace enforcing
// each level admits a pod of the Deployment's template (a server-side dry
// run, which runs PodSecurity admission) exactly when package podsecurity
// says it does, and the level zds names as needed is the strictest the
// server admits.
func TestPodSecurityVerdictsAreTheAPIServers(t *testing.T) {
	need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	patches := map[string]map[string]any{
		"none":        {"metadata": map[string]any{"labels": map[string]any{"team": "shop"}}},
		"hostNetwork": {"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"hostNetwork": true}}}},
		"hostPath": {"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"volumes": []any{map[string]any{"name": "run", "hostPath": map[string]any{"path": "/var/run"}}}}}}},
		"capability": {"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "app", "securityContext": map[string]any{"capabilities": map[string]any{"drop": []any{}, "add": []any{"CHOWN"}}}}}}}}},
		"root": {"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "app", "securityContext": map[string]any{"runAsNonRoot": false, "runAsUser": 0}}}}}}},
		// (privileged: true itself is refused by this API server's
		// --allow-privileged=false before Pod Security looks.)
		"escalation": {"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{
			map[string]any{"name": "app", "securityContext": map[string]any{"allowPrivilegeEscalation": true}}}}}}},
	}
	levels := []string{"restricted", "baseline", "privileged"}
	for _, level := range levels {
		_, err := applyOne(ctx, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{
			"name": "psa-" + level, "labels": map[string]any{"pod-security.kubernetes.io/enforce": level}}}, false, "zds-e2e-setup")
		if err != nil {
			t.Fatal(err)
		}
	}
	needs := map[string]int{}
	for name, patch := range patches {
		s := spec.ServiceSpec{Namespace: "psa", Image: "ghcr.io/acme/web:1.4.2", App: spec.App{MaxRequestSeconds: 15},
			Pod:     spec.Pod{SecurityLevel: "privileged"},
			Patches: []spec.Patch{{Kind: "Deployment", Patch: patch}}}
		r, err := service.Resolve("web", s, spec.Inputs{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tpl := service.Build(r).Deployment.Spec.Template
		var strictest string
		for _, level := range levels {
			v, err := podsecurity.Evaluate(level, &tpl)
			if err != nil {
				t.Fatal(err)
			}
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-" + strings.ToLower(name), Namespace: "psa-" + level, Labels: tpl.Labels}, Spec: tpl.Spec}
			_, err = cs.CoreV1().Pods(pod.Namespace).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			admitted := err == nil
			if err != nil && !strings.Contains(err.Error(), "violates PodSecurity") {
				t.Fatalf("%s at %s: the server refused the pod for another reason: %v", name, level, err)
			}
			if admitted != v.Allowed {
				t.Errorf("%s at %s: the API server admits: %v (%v); zds says %s", name, level, admitted, err, v)
			}
			if admitted && strictest == "" {
				strictest = level
				if string(v.Needs) != level {
					t.Errorf("%s: zds says the pods need %s; the strictest level the server admits is %s", name, v.Needs, level)
				}
			}
		}
		needs[strictest]++
	}
	// The patches reach every level, or the test proves less than it says.
	for _, level := range levels {
		if needs[level] == 0 {
			t.Errorf("no patch needs exactly %s: %v", level, needs)
		}
	}
}
