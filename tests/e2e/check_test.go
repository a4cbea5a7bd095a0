// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/zerodowntime/zds/components/audit"
)

// applyFile applies every object of a YAML file, in its namespace.
func applyFile(t *testing.T, ctx context.Context, path, namespace string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	objs, problems := audit.Read(path, data)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	for _, o := range objs {
		if namespace != "" && o.Kind != "Namespace" {
			o.Raw["metadata"].(map[string]any)["namespace"] = namespace
		}
		if _, err := applyOne(ctx, o.Raw, false, fieldOwner); err != nil {
			t.Fatal(err)
		}
	}
}

func liveReport(t *testing.T, ctx context.Context, ns string) *audit.Report {
	t.Helper()
	live, err := audit.FromCluster(ctx, cs, dyn, ns)
	if err != nil {
		t.Fatal(err)
	}
	return audit.CheckLive(live, audit.Options{})
}

func describeFindings(r *audit.Report) []string {
	var out []string
	for _, f := range r.Findings() {
		out = append(out, f.Severity.String()+" "+f.Rule+" "+f.Object+" "+f.Field+": "+f.Message)
	}
	return out
}

// zds check --cluster against the real control plane: a zds-rendered
// service is clean (its pods carry the readiness gate a stand-in for the
// controller's webhook injects); the k6 report's Deployment is found with
// its findings; pods that started before their namespace was labelled are
// found. The CLI reads the same through the kubeconfig.
func TestCheckLive(t *testing.T) {
	need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	applyFile(t, ctx, "testdata/readiness-gate-policy.yaml", "")

	// A zds-rendered service, with the gate label first, as zds orders it;
	// once the stand-in webhook takes effect (a dry-run pod gets its gate).
	objs, _ := exampleManifests(t, "../../examples/basic/service.zds.yaml", "zds-live-clean")
	if _, err := apply(ctx, objs[:1], false); err != nil {
		t.Fatal(err)
	}
	waitForGates(t, ctx, "zds-live-clean")
	if _, err := apply(ctx, objs, false); err != nil {
		t.Fatal(err)
	}
	if _, err := waitAvailable(ctx, "zds-live-clean", "web", 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	clean := describeFindings(liveReport(t, ctx, "zds-live-clean"))
	if len(clean) > 0 {
		t.Errorf("findings on a zds-rendered service, live:\n%s", strings.Join(clean, "\n"))
	}

	// The k6 report's final configuration, as its users applied it.
	if _, err := applyOne(ctx, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "zds-live-k6"}}, false, fieldOwner); err != nil {
		t.Fatal(err)
	}
	applyFile(t, ctx, "../../components/audit/testdata/k6-final.yaml", "zds-live-k6")
	var rules []string
	for _, f := range liveReport(t, ctx, "zds-live-k6").Findings() {
		if f.File != "" {
			t.Errorf("a live finding names a file: %+v", f)
		}
		rules = append(rules, f.Severity.String()+" "+f.Rule+" "+f.Object)
	}
	for _, want := range []string{"error 2 Deployment/app", "error 3 Deployment/app", "error 3 Ingress/app", "error 4 Deployment/app",
		"error 6 Namespace/zds-live-k6", "error 7 Ingress/app", "warning budget Deployment/app", "warning exec-sleep Deployment/app"} {
		if !slices.Contains(rules, want) {
			t.Errorf("live check of the k6 configuration lacks %q: %v", want, rules)
		}
	}

	// Pods that started before their namespace was labelled, in a cluster
	// without zds's admission policy (which would have refused them).
	var late []map[string]any
	all, _ := exampleManifests(t, "../../examples/basic/service.zds.yaml", "zds-live-late")
	for _, o := range all {
		switch o["kind"] {
		case "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding":
			continue
		case "Namespace":
			o["metadata"].(map[string]any)["labels"] = map[string]any{}
		}
		late = append(late, o)
	}
	if _, err := apply(ctx, late, false); err != nil {
		t.Fatal(err)
	}
	if _, err := waitAvailable(ctx, "zds-live-late", "web", 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	label := []byte(`{"metadata":{"labels":{"elbv2.k8s.aws/pod-readiness-gate-inject":"enabled"}}}`)
	if _, err := cs.CoreV1().Namespaces().Patch(ctx, "zds-live-late", types.MergePatchType, label, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	found := describeFindings(liveReport(t, ctx, "zds-live-late"))
	// And, without the policy, minReadySeconds 0 leaves a controller
	// outage undefended.
	if len(found) != 2 || !strings.Contains(strings.Join(found, "\n"), "error 6 Deployment/web spec.template: 4 running pod(s) have no readiness gate") ||
		!strings.Contains(strings.Join(found, "\n"), "warning registration Deployment/web spec.minReadySeconds") {
		t.Errorf("pods started before the label: %v", found)
	}

	// The CLI, through the control plane's kubeconfig.
	bin := filepath.Join(t.TempDir(), "zds")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "../../cmd/zds")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		ns   string
		code int
	}{{"zds-live-clean", 0}, {"zds-live-k6", 1}} {
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, "check", "--cluster", "--kubeconfig", cp.Kubeconfig, "-n", tc.ns, "-o", "json")
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Services []struct {
				Name     string `json:"name"`
				Findings []any  `json:"findings"`
			} `json:"services"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("%s: %v\n%s\n%s", tc.ns, err, stdout.String(), stderr.String())
		}
		if code != tc.code || len(rep.Services) != 1 {
			t.Errorf("zds check --cluster -n %s: exit %d (want %d), %d services\n%s", tc.ns, code, tc.code, len(rep.Services), stderr.String())
		}
	}
}

// waitForGates waits until the API server enforces the stand-in for the
// controller's webhook in a namespace: a pod created there (dry run) gets
// a readiness gate.
func waitForGates(t *testing.T, ctx context.Context, ns string) {
	t.Helper()
	// A pod Pod Security "restricted" admits: the namespace zds creates
	// enforces it.
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: ptr(true), SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{Name: "probe", Image: "probe", SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr(false), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}}}}
	for {
		out, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil && len(out.Spec.ReadinessGates) > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the readiness-gate policy never took effect in %s: %v", ns, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}
