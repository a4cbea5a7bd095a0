// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/zerodowntime/zds/components/render"
)

// A team that deployed `zds render` output with `kubectl apply
// --server-side` moves the service into a Pulumi program: the first `pulumi
// up` takes the live objects over (pulumi-kubernetes creates with
// server-side apply, so an object that exists is updated, not refused),
// without replacing the Deployment or restarting a pod, and a second `up`
// changes nothing.
func TestAdoptRenderedObjects(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	const ns = "adopted"
	existingNamespace(t, ctx, ns)
	ds := docs(t, smallSpec("web", ns, false))
	objs, err := render.Manifests(ds)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o}
		data, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		gvk := u.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatal(err)
		}
		ri := dyn.Resource(m.Resource).Namespace(u.GetNamespace())
		if u.GetNamespace() == "" {
			ri = nil
		}
		force := true
		opts := metav1.PatchOptions{FieldManager: "kubectl", Force: &force}
		if ri != nil {
			_, err = ri.Patch(ctx, u.GetName(), types.ApplyPatchType, data, opts)
		} else {
			_, err = dyn.Resource(m.Resource).Patch(ctx, u.GetName(), types.ApplyPatchType, data, opts)
		}
		if err != nil {
			t.Fatalf("kubectl apply --server-side %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
	before, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Let the kubectl-applied rollout finish, so a restart would show.
	rolledOutEventually(t, ctx, ns, "web")
	podsBefore := podNames(t, ctx, ns)

	stack := goStack(t, ctx, backend(t), "adopt", program(kubeconfig(t), ds))
	var out bytes.Buffer
	pre, err := stack.Preview(ctx, optpreview.ProgressStreams(&out))
	if err != nil {
		t.Fatalf("preview: %v\n%s", err, out.String())
	}
	if n := pre.ChangeSummary["replace"]; n != 0 {
		t.Errorf("preview plans %d replacements", n)
	}
	if _, err := stack.Up(ctx, optup.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("pulumi up over the applied objects: %v", err)
	}
	after, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.UID != before.UID {
		t.Errorf("the Deployment was replaced (UID %s, then %s)", before.UID, after.UID)
	}
	if got := podNames(t, ctx, ns); got != podsBefore {
		t.Errorf("pods restarted when Pulumi took the Deployment over: %s, then %s", podsBefore, got)
	}
	liveEqualsRender(t, ctx, ds)
	res, err := stack.Up(ctx, optup.ProgressStreams(progress(t)))
	if err != nil {
		t.Fatalf("second pulumi up: %v", err)
	}
	if got := changes(res.Summary.ResourceChanges); len(got) != 0 {
		t.Errorf("second up: changes %v, want none", got)
	}
	if _, err := stack.Destroy(ctx); err != nil {
		t.Fatalf("destroy: %v", err)
	}
}

func rolledOutEventually(t *testing.T, ctx context.Context, ns, name string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		d, err := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := d.Status
		if s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == *d.Spec.Replicas && s.AvailableReplicas == *d.Spec.Replicas && s.Replicas == *d.Spec.Replicas {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deployment %s/%s never rolled out: %+v", ns, name, s)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func podNames(t *testing.T, ctx context.Context, ns string) string {
	t.Helper()
	pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pods.Items {
		if p.DeletionTimestamp == nil {
			names = append(names, p.Name)
		}
	}
	return strings.Join(names, ",")
}
