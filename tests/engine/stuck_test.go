// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// shortAwait is a test device: a transform that cuts the awaits of the
// component's children that wait (Ingress, Service, Deployment) to a
// minute, so a stuck update shows its message in a test's time. Users wait
// the component's own timeouts.
func shortAwait() pulumi.ResourceOption {
	return pulumi.Transforms([]pulumi.ResourceTransform{func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
		switch args.Type {
		case "kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service":
			args.Opts.CustomTimeouts = &pulumi.CustomTimeouts{Create: "60s", Update: "60s"}
			return &pulumi.ResourceTransformResult{Props: args.Props, Opts: args.Opts}
		}
		return nil
	}})
}

// What a user sees when the AWS Load Balancer Controller is not there (not
// installed, down, or unable to build the load balancer): `pulumi up`
// fails, naming what never happened, and no pod runs without its gate.
func TestControllerAbsent(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	kc := kubeconfig(t)

	t.Run("the Ingress never gets its load balancer: no Deployment is created", func(t *testing.T) {
		const ns = "no-controller"
		existingNamespace(t, ctx, ns)
		lbc.Ignore(ns)
		stack := goStack(t, ctx, backend(t), "no-controller", program(kc, docs(t, smallSpec("web", ns, false)), shortAwait()))
		t.Cleanup(func() { stack.Destroy(context.Background()) }) //nolint:errcheck
		var out bytes.Buffer
		_, err := stack.Up(ctx, optup.ProgressStreams(io.MultiWriter(&out, progress(t))))
		msg := errText(err, &out)
		if err == nil || !strings.Contains(msg, "Ingress") || !strings.Contains(msg, "status.loadBalancer") {
			t.Errorf("pulumi up: %v, want a failure naming the Ingress's missing load balancer status", err)
		}
		if _, err := cs.AppsV1().Deployments(ns).Get(ctx, "web", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("the Deployment exists (%v): its pods would start before the controller bound the Service", err)
		}
	})

	t.Run("skipAwait, and the gate never passes: the await names the gate", func(t *testing.T) {
		const ns = "gate-never"
		existingNamespace(t, ctx, ns)
		lbc.Ignore(ns)
		ds := docs(t, strings.Replace(smallSpec("web", ns, false), "propagationSeconds: 5}", "propagationSeconds: 5, skipAwait: true}", 1))
		stack := goStack(t, ctx, backend(t), "gate-never", program(kc, ds, shortAwait()))
		t.Cleanup(func() { stack.Destroy(context.Background()) }) //nolint:errcheck
		var out bytes.Buffer
		_, err := stack.Up(ctx, optup.ProgressStreams(io.MultiWriter(&out, progress(t))))
		msg := errText(err, &out)
		if err == nil || !strings.Contains(msg, "readiness gate") || !strings.Contains(msg, "target-health.elbv2.k8s.aws/") {
			t.Errorf("pulumi up: %v, want a failure naming the readiness gate that never passed", err)
		}
	})
}
