// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// An edit that breaks a rule: preview and up fail with the field path, the
// rule and the fix; the state and the live objects stay as they were.
func TestInvalidSpecChangesNothing(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const ns = "invalid"
	existingNamespace(t, ctx, ns)
	kc := kubeconfig(t)
	valid := docs(t, smallSpec("web", ns, false))
	stack := goStack(t, ctx, backend(t), "invalid", program(kc, valid))
	if _, err := stack.Up(ctx, optup.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("pulumi up: %v", err)
	}
	t.Cleanup(func() { stack.Destroy(context.Background()) }) //nolint:errcheck
	stateBefore := exportState(t, ctx, stack)
	before, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// Parsed without validation, as a program holds a typed ServiceSpec.
	invalid := docs(t, smallSpec("web", ns, false))
	invalid[0].Spec.Timing.DeregistrationDelaySeconds = pulumi.IntRef(3)
	stack.Workspace().SetProgram(program(kc, invalid))
	const want = "timing.deregistrationDelaySeconds: Invalid value: 3: rule 1 (D ≥ L + R)"
	const fix = "raise it to at least 10"

	var out bytes.Buffer
	_, err = stack.Preview(ctx, optpreview.ProgressStreams(&out))
	if msg := errText(err, &out); err == nil || !strings.Contains(msg, want) || !strings.Contains(msg, fix) {
		t.Errorf("preview: %v, want an error with %q and %q\n%s", err, want, fix, out.String())
	}
	out.Reset()
	_, err = stack.Up(ctx, optup.ProgressStreams(&out))
	if msg := errText(err, &out); err == nil || !strings.Contains(msg, want) {
		t.Errorf("up: %v, want an error with %q\n%s", err, want, out.String())
	}
	stateAfter := exportState(t, ctx, stack)
	if urns(stateAfter.Resources) != urns(stateBefore.Resources) {
		t.Errorf("the state changed after a failed up:\n before %s\n after  %s", urns(stateBefore.Resources), urns(stateAfter.Resources))
	}
	for i := range stateBefore.Resources {
		if i < len(stateAfter.Resources) && !reflect.DeepEqual(stateBefore.Resources[i].Inputs, stateAfter.Resources[i].Inputs) {
			t.Errorf("%s: inputs changed after a failed up", stateBefore.Resources[i].URN)
		}
	}
	after, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.Generation != before.Generation {
		t.Errorf("the Deployment changed after a failed up: generation %d, then %d", before.Generation, after.Generation)
	}
}

func errText(err error, out *bytes.Buffer) string {
	if err == nil {
		return out.String()
	}
	return err.Error() + out.String()
}

func urns(rs []apitype.ResourceV3) string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r.URN))
	}
	return strings.Join(out, " ")
}

// Options given to the component reach every child under the real engine:
// protect keeps destroy from deleting anything, retainOnDelete leaves the
// objects in the cluster when the stack lets go of them.
func TestProtectAndRetainOnDelete(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const ns = "kept"
	existingNamespace(t, ctx, ns)
	kc := kubeconfig(t)
	ds := docs(t, smallSpec("web", ns, false))
	stack := goStack(t, ctx, backend(t), "options", program(kc, ds, pulumi.Protect(true)))
	if _, err := stack.Up(ctx, optup.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("pulumi up: %v", err)
	}
	for _, r := range exportState(t, ctx, stack).Resources {
		if strings.HasPrefix(string(r.Type), "kubernetes:") && !r.Protect {
			t.Errorf("%s is not protected", r.URN)
		}
	}
	var out bytes.Buffer
	if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(&out)); err == nil || !strings.Contains(errText(err, &out), "protected") {
		t.Errorf("destroy of a protected component: %v, want a refusal naming protection\n%s", err, out.String())
	}
	if _, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Fatalf("the protected Deployment is gone: %v", err)
	}

	stack.Workspace().SetProgram(program(kc, ds, pulumi.RetainOnDelete(true)))
	if _, err := stack.Up(ctx, optup.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("pulumi up with retainOnDelete: %v", err)
	}
	if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if _, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Errorf("retainOnDelete: the Deployment is gone after destroy: %v", err)
	}
	if v, _ := gateLabelOf(t, ctx, ns); v != "enabled" {
		t.Errorf("retainOnDelete: label %s = %q after destroy, want it kept", gateLabel, v)
	}
}
