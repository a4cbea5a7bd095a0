// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package render_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/zds"
	"github.com/zerodowntime/zds/internal/spectest"
)

// randomDocuments is 1–5 valid random services over a few namespaces, each
// namespace created by at most one of them, as a spec file would hold them.
func randomDocuments(rng *rand.Rand) []*specfile.Document {
	var docs []*specfile.Document
	created := map[string]bool{}
	for i := range 1 + rng.IntN(5) {
		name, s := spectest.Named(rng, i, spectest.Random(rng, service.KindALB, service.KindNLB))
		if !created[s.Namespace] && rng.IntN(2) == 0 {
			s.CreateNamespace, created[s.Namespace] = true, true
		}
		d := spec.Document{APIVersion: spec.APIVersion, Kind: spec.Kind,
			Metadata: spec.Metadata{Name: name, Namespace: s.Namespace}, Spec: s}
		r, err := service.Resolve(name, d.ServiceSpec(), spec.Inputs{})
		if err != nil {
			if s.CreateNamespace {
				delete(created, s.Namespace)
			}
			continue
		}
		docs = append(docs, &specfile.Document{Document: d, File: "random.zds.yaml", Line: 1 + i, Resolved: r})
	}
	return docs
}

// The writer's objects and order are exactly what the Pulumi component
// registers and the engine would create, for random valid services: the
// YAML path and the Pulumi path cannot diverge.
func TestManifestsEqualWhatTheComponentRegisters(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	var sets, services int
	for range 500 {
		docs := randomDocuments(rng)
		if len(docs) == 0 {
			continue
		}
		sets++
		services += len(docs)
		got, err := render.Manifests(docs)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := preview.Run(program(docs))
		if err != nil {
			t.Fatal(err)
		}
		gotYAML, err := render.YAML(got)
		if err != nil {
			t.Fatal(err)
		}
		wantYAML, err := render.YAML(render.Distinct(rec.Manifests()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotYAML, wantYAML) {
			t.Fatalf("render.Manifests differs from the component's registrations for %d services:\n--- component\n%s\n--- render\n%s", len(docs), wantYAML, gotYAML)
		}
	}
	if sets < 300 || services < 500 {
		t.Errorf("only %d sets of %d valid services: the generator tests too little", sets, services)
	}
}

// BenchmarkRender is zds render's work for n services of one shape: parse
// and validate the spec file, build and order the objects, write YAML
// (make bench; make bench-peers measures whole processes against
// cdk8s-plus).
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{100, 1000} {
		data := spectest.SpecFile(n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				docs, problems := specfile.Parse("bench.zds.yaml", data, true)
				if len(problems) > 0 {
					b.Fatal(problems)
				}
				objs, err := render.Manifests(docs)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := render.YAML(objs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Program is a Pulumi program that constructs one component per document.
// A service patching a namespace that another document creates depends on
// that Namespace resource (not on the component: the SDK expands a
// component dependency only to the children registered so far).
func program(docs []*specfile.Document) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
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
