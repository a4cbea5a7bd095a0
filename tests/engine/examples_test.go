// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/zds"
)

// Every example's spec file (ALB, shared ALB, NLB, autoscaled, a platform
// wrapper's services, the production-shaped real app) in one stack: `up`
// creates what render writes, and a second `up` and a `preview` change
// nothing, whatever defaults the API server adds to their fields.
func TestExamples(t *testing.T) {
	need(t)
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	files, err := filepath.Glob(filepath.Join(sourceDir(), "..", "..", "examples", "*", "*.zds.yaml"))
	if err != nil || len(files) < 6 {
		t.Fatalf("example spec files: %v %v", files, err)
	}
	var all []*specfile.Document
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// The basic example's namespace is another test's.
		text := strings.ReplaceAll(string(data), "namespace: shop\n", "namespace: ex-shop\n")
		ds, problems := specfile.Parse(f, []byte(text), true)
		if len(problems) > 0 {
			t.Fatalf("%s: %v", f, problems)
		}
		all = append(all, ds...)
	}
	created := map[string]bool{}
	for _, d := range all {
		created[d.Resolved.Spec.Namespace] = created[d.Resolved.Spec.Namespace] || d.Spec.CreateNamespace
	}
	for ns, byZds := range created {
		if !byZds {
			existingNamespace(t, ctx, ns)
		}
	}
	stack := goStack(t, ctx, backend(t), "examples", examplesProgram(kubeconfig(t), all))
	t.Cleanup(func() {
		if _, err := stack.Destroy(context.Background(), optdestroy.ProgressStreams(progress(t))); err != nil {
			t.Errorf("destroy: %v", err)
		}
	})
	if _, err := stack.Up(ctx, optup.ProgressStreams(progress(t))); err != nil {
		t.Fatalf("pulumi up: %v", err)
	}
	liveEqualsRender(t, ctx, all)
	for _, d := range all {
		if !d.Resolved.Spec.Autoscaling.Enabled { // the autoscaler may be scaling it
			rolledOutWithGates(t, ctx, d.Resolved.Spec.Namespace, d.Metadata.Name, d.Spec.Image)
		}
	}
	res, err := stack.Up(ctx, optup.ProgressStreams(progress(t)))
	if err != nil {
		t.Fatalf("second pulumi up: %v", err)
	}
	if got := changes(res.Summary.ResourceChanges); len(got) != 0 {
		t.Errorf("second up: changes %v, want none", got)
	}
	pre, err := stack.Preview(ctx, optpreview.Diff())
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	if got := previewChanges(pre); len(got) != 0 {
		t.Errorf("preview: changes %v, want none\n%s", got, pre.StdOut)
	}
}

// examplesProgram constructs one component per document, as
// components/render's tests do: Pulumi names are namespace.name, and a
// service that labels a namespace another document creates depends on
// that Namespace.
func examplesProgram(kc []byte, ds []*specfile.Document) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		p, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String(string(kc))})
		if err != nil {
			return err
		}
		creators := map[string]pulumi.Resource{}
		construct := func(d *specfile.Document, opts ...pulumi.ResourceOption) (*zds.ZeroDowntimeService, error) {
			return zds.NewZeroDowntimeService(ctx, d.Resolved.Spec.Namespace+"."+d.Metadata.Name, &zds.ZeroDowntimeServiceArgs{ServiceSpec: d.ServiceSpec()}, append(opts, pulumi.Provider(p))...)
		}
		for _, d := range ds {
			if d.Spec.CreateNamespace {
				c, err := construct(d)
				if err != nil {
					return err
				}
				creators[c.Spec.Namespace] = c.Namespace
			}
		}
		for _, d := range ds {
			if d.Spec.CreateNamespace {
				continue
			}
			var opts []pulumi.ResourceOption
			if creator, ok := creators[d.Resolved.Spec.Namespace]; ok {
				opts = append(opts, pulumi.DependsOn([]pulumi.Resource{creator}))
			}
			if _, err := construct(d, opts...); err != nil {
				return err
			}
		}
		return nil
	}
}
