// Package render turns spec-file documents into Kubernetes manifests: the
// objects package manifests builds, in the apply order it defines. The
// Pulumi component registers the same objects, so Pulumi users and YAML
// users get identical objects from one builder; Program, the same documents
// as a Pulumi program, lets tests prove it.
package render

import (
	"bytes"
	"cmp"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/timing"
	"github.com/zerodowntime/zds/components/zds"
)

// Program is a Pulumi program that constructs one component per document.
// A service patching a namespace that another document creates depends on
// that Namespace resource (not on the component: the SDK expands a
// component dependency only to the children registered so far).
func Program(docs []*specfile.Document) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		for _, d := range docs {
			if err := renderable(d); err != nil {
				return err
			}
		}
		creators := map[string]pulumi.Resource{}
		construct := func(d *specfile.Document, opts ...pulumi.ResourceOption) (*zds.ZeroDowntimeService, error) {
			// Services in different namespaces may share a name; Pulumi
			// names may not. The objects' names come from metadata either way.
			name := d.Resolved.Spec.Namespace + "." + d.Metadata.Name
			c, err := zds.NewZeroDowntimeService(ctx, name, &zds.ZeroDowntimeServiceArgs{ServiceSpec: d.ServiceSpec()}, opts...)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", d.File, d.Line, err)
			}
			return c, nil
		}
		for _, d := range docs {
			if d.Spec.CreateNamespace {
				c, err := construct(d)
				if err != nil {
					return err
				}
				creators[c.Spec.Namespace] = c.Namespace
			}
		}
		for _, d := range docs {
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

// Manifests renders the documents' objects in apply order: each
// document's objects as manifests.Build makes them (from the spec resolved
// once, when the file was loaded), in the JSON form the Pulumi component
// registers, ordered by manifests.Items and ApplyOrder exactly as the
// Pulumi engine would create the component's children. No Pulumi SDK is
// involved; tests prove the result equal to what the component registers.
func Manifests(docs []*specfile.Document) ([]map[string]any, error) {
	type node struct {
		kind, key string
		obj       map[string]any
		deps      []int
	}
	var nodes []node
	for _, d := range docs {
		if err := renderable(d); err != nil {
			return nil, err
		}
		byKind := map[string]int{}
		for _, it := range manifests.Build(d.Resolved).Items() {
			m, err := manifests.ToMap(it.Object)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", d.File, d.Line, err)
			}
			n := node{kind: it.Kind, key: manifests.ObjectKey(m), obj: m}
			for _, k := range it.After {
				n.deps = append(n.deps, byKind[k])
			}
			byKind[it.Kind] = len(nodes)
			nodes = append(nodes, n)
		}
	}
	// A service labelling a namespace that another document creates
	// depends on that Namespace in the component; here no dependency is
	// needed: Namespaces wait for nothing and rank first, so every one of
	// them comes before any other object.
	order := manifests.ApplyOrder(len(nodes), func(i int) []int { return nodes[i].deps }, func(i, j int) int {
		return cmp.Or(cmp.Compare(manifests.KindRank(nodes[i].kind), manifests.KindRank(nodes[j].kind)), cmp.Compare(nodes[i].key, nodes[j].key))
	})
	out := make([]map[string]any, len(order))
	for k, i := range order {
		out[k] = nodes[i].obj
	}
	return out, nil
}

// renderable refuses what only the Pulumi component can deploy.
func renderable(d *specfile.Document) error {
	if d.Resolved.Spec.LoadBalancer.Kind == spec.KindTargetGroupBinding {
		return fmt.Errorf("%s:%d: %s: loadBalancer.kind targetGroupBinding creates an AWS target group with pulumi-aws: deploy it with the Pulumi component (zds render writes Kubernetes manifests only; zds explain works)", d.File, d.Line, d.Metadata.Name)
	}
	return nil
}

// Header summarises each service's timing chain as YAML comments.
func Header(docs []*specfile.Document) []byte {
	var b bytes.Buffer
	b.WriteString("# Rendered by zds from the ZeroDowntimeService component; do not edit.\n")
	for _, d := range docs {
		t := d.Resolved.Timing
		s := d.Resolved.Spec
		in := d.Resolved.TimingInputs
		fmt.Fprintf(&b, "# %s/%s: %s\n", s.Namespace, s.Name, timing.Summary(t.TerminationGracePeriodSeconds, t.PreStopSleepSeconds,
			in.ShutdownSeconds, t.DeregistrationDelaySeconds, in.PropagationSeconds, in.MaxRequestSeconds))
	}
	return b.Bytes()
}
