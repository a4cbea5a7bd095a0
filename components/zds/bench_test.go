// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package zds

import (
	"fmt"
	"testing"
	"time"

	pappsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	pcorev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	pnetworkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	ppolicyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/service"
)

const benchServices = 20

func benchArgs(i int) *ZeroDowntimeServiceArgs {
	return &ZeroDowntimeServiceArgs{ServiceSpec: ServiceSpec{
		Namespace: "shop",
		Image:     "ghcr.io/acme/web:1.4.2",
		App:       App{MaxRequestSeconds: 15 + i},
		LoadBalancer: LoadBalancer{
			Host: fmt.Sprintf("s%d.example.com", i),
		},
	}}
}

// componentProgram constructs benchServices components.
func componentProgram(ctx *pulumi.Context) error {
	for i := range benchServices {
		if _, err := NewZeroDowntimeService(ctx, fmt.Sprintf("s%d", i), benchArgs(i)); err != nil {
			return err
		}
	}
	return nil
}

// rawProgram registers the same objects directly, with the same
// dependencies, as a hand-written program would: no component, no
// defaults, validation or derivation.
func rawProgram(objs []*manifests.Objects) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		for i, o := range objs {
			name := fmt.Sprintf("s%d", i)
			ns, svc, ing, pdb, dep := &pcorev1.NamespacePatch{}, &pcorev1.Service{}, &pnetworkingv1.Ingress{}, &ppolicyv1.PodDisruptionBudget{}, &pappsv1.Deployment{}
			if err := register(ctx, "kubernetes:core/v1:NamespacePatch", name, o.NamespacePatch, nil, ns); err != nil {
				return err
			}
			if err := register(ctx, "kubernetes:core/v1:Service", name, o.Service, nil, svc, pulumi.DependsOn([]pulumi.Resource{ns})); err != nil {
				return err
			}
			if err := register(ctx, "kubernetes:networking.k8s.io/v1:Ingress", name, o.Ingress, nil, ing, pulumi.DependsOn([]pulumi.Resource{ns, svc})); err != nil {
				return err
			}
			if err := register(ctx, "kubernetes:policy/v1:PodDisruptionBudget", name, o.PDB, nil, pdb, pulumi.DependsOn([]pulumi.Resource{ns})); err != nil {
				return err
			}
			if err := register(ctx, "kubernetes:apps/v1:Deployment", name, o.Deployment, nil, dep, pulumi.DependsOn([]pulumi.Resource{ns, svc, ing, pdb})); err != nil {
				return err
			}
		}
		return nil
	}
}

// BenchmarkComponentVsRaw runs both programs in the same loop and reports
// the component's cost as a ratio to the raw registrations ("x-raw"), so the
// number is comparable across machines.
func BenchmarkComponentVsRaw(b *testing.B) {
	var objs []*manifests.Objects
	for i := range benchServices {
		r, err := resolve(fmt.Sprintf("s%d", i), benchArgs(i))
		if err != nil {
			b.Fatal(err)
		}
		objs = append(objs, service.Build(r))
	}
	raw := rawProgram(objs)
	var tComp, tRaw time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := preview.Run(componentProgram); err != nil {
			b.Fatal(err)
		}
		tComp += time.Since(start)
		start = time.Now()
		if _, err := preview.Run(raw); err != nil {
			b.Fatal(err)
		}
		tRaw += time.Since(start)
	}
	b.ReportMetric(float64(tComp)/float64(tRaw), "x-raw")
	b.ReportMetric(float64(tComp.Microseconds())/float64(b.N*benchServices), "µs/component")
}

// BenchmarkResolve measures the pure core alone: defaults, validation and
// timing derivation for one service.
func BenchmarkResolve(b *testing.B) {
	args := benchArgs(0)
	for b.Loop() {
		if _, err := resolve("web", args); err != nil {
			b.Fatal(err)
		}
	}
}
