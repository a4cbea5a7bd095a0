// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/zerodowntime/zds/components/zds"
)

// smallSpec is a two-replica service with short health checks.
func smallSpec(name, namespace string, createNamespace bool) string {
	return fmt.Sprintf(`apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata: {name: %s, namespace: %s}
spec:
  createNamespace: %t
  image: registry.local/%s:1
  port: 8080
  replicas: 2
  healthCheck: {path: /healthz, intervalSeconds: 5, timeoutSeconds: 2}
  app: {maxRequestSeconds: 5, shutdownSeconds: 2, startupSeconds: 5}
  loadBalancer: {scheme: internal, propagationSeconds: 5}
`, name, namespace, createNamespace, name)
}

func gateLabelOf(t *testing.T, ctx context.Context, ns string) (string, bool) {
	t.Helper()
	n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("namespace %s: %v", ns, err)
	}
	v, ok := n.Labels[gateLabel]
	return v, ok
}

// Two services label one namespace that neither created, each with its own
// NamespacePatch (its own field manager): removing either keeps the label
// the other needs; destroying both removes it and leaves the namespace.
func TestTwoServicesShareANamespace(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const ns = "pair"
	existingNamespace(t, ctx, ns)
	kc := kubeconfig(t)
	both := docs(t, smallSpec("api", ns, false)+"---\n"+smallSpec("web", ns, false))
	stack := goStack(t, ctx, backend(t), "pair", program(kc, both))
	if _, err := stack.Up(ctx, optup.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("pulumi up: %v", err)
	}
	if v, _ := gateLabelOf(t, ctx, ns); v != "enabled" {
		t.Fatalf("label %s = %q after up, want enabled", gateLabel, v)
	}

	for _, keep := range []int{0, 1} {
		stack.Workspace().SetProgram(program(kc, both[keep:keep+1]))
		res, err := stack.Up(ctx, optup.ProgressStreams(progress(t)))
		if err != nil {
			t.Fatalf("pulumi up with %s only: %v", both[keep].Metadata.Name, err)
		}
		if got := changes(res.Summary.ResourceChanges); got["delete"] == 0 {
			t.Errorf("up with %s only: changes %v, want the other's deletes", both[keep].Metadata.Name, got)
		}
		if v, _ := gateLabelOf(t, ctx, ns); v != "enabled" {
			t.Errorf("label %s = %q after removing every service but %s, want enabled: its pods would get no gate", gateLabel, v, both[keep].Metadata.Name)
		}
		stack.Workspace().SetProgram(program(kc, both))
		if _, err := stack.Up(ctx, optup.ProgressStreams(progress(t))); err != nil {
			t.Fatalf("pulumi up with both again: %v", err)
		}
	}

	if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if v, ok := gateLabelOf(t, ctx, ns); ok {
		t.Errorf("label %s = %q after destroy, want it removed", gateLabel, v)
	}
}

// A service that creates its namespace (createNamespace: true) and a second
// one that only labels it, ordered by dependsOn on the first component:
// both come up, and destroy removes the namespace the program created.
func TestCreatedNamespaceAndASecondService(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const ns = "made"
	kc := kubeconfig(t)
	creator := docs(t, smallSpec("api", ns, true))[0]
	second := docs(t, smallSpec("web", ns, false))[0]
	prog := func(ctx *pulumi.Context) error {
		p, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String(string(kc))})
		if err != nil {
			return err
		}
		api, err := zds.NewZeroDowntimeService(ctx, "api", &zds.ZeroDowntimeServiceArgs{ServiceSpec: creator.ServiceSpec()}, pulumi.Provider(p))
		if err != nil {
			return err
		}
		_, err = zds.NewZeroDowntimeService(ctx, "web", &zds.ZeroDowntimeServiceArgs{ServiceSpec: second.ServiceSpec()}, pulumi.Provider(p), pulumi.DependsOn([]pulumi.Resource{api}))
		return err
	}
	stack := goStack(t, ctx, backend(t), "made", prog)
	if _, err := stack.Up(ctx, optup.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("pulumi up: %v", err)
	}
	if v, _ := gateLabelOf(t, ctx, ns); v != "enabled" {
		t.Errorf("label %s = %q, want enabled", gateLabel, v)
	}
	rolledOutWithGates(t, ctx, ns, "api", creator.Spec.Image)
	rolledOutWithGates(t, ctx, ns, "web", second.Spec.Image)
	if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	n, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err == nil && n.DeletionTimestamp == nil {
		t.Errorf("namespace %s, which the program created, is still there after destroy", ns)
	} else if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
}
