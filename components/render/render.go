// Package render turns spec-file documents into Kubernetes manifests by
// running the ZeroDowntimeService component itself under the Pulumi SDK's
// in-process mock monitor: Pulumi users and YAML users get identical
// objects, from one builder.
package render

import (
	"bytes"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/preview"
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
			if d.Resolved.Spec.LoadBalancer.Kind == spec.KindTargetGroupBinding {
				return fmt.Errorf("%s:%d: %s: loadBalancer.kind targetGroupBinding creates an AWS target group with pulumi-aws: deploy it with the Pulumi component (zds render writes Kubernetes manifests only; zds explain works)", d.File, d.Line, d.Metadata.Name)
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

// Manifests renders the documents' objects in apply order.
func Manifests(docs []*specfile.Document) ([]map[string]any, error) {
	rec, err := preview.Run(Program(docs))
	if err != nil {
		return nil, err
	}
	return rec.Manifests(), nil
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
