// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command nlb serves a gRPC-style API through an NLB (a Service of type
// LoadBalancer for the AWS Load Balancer Controller, IP targets, TLS ended
// at the NLB). NLB deregistration takes about two minutes whatever the
// delay setting, so the derived preStop and grace period are long.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
)

func main() { preview.Main(program) }

func program(ctx *pulumi.Context) error {
	api, err := zds.NewZeroDowntimeService(ctx, "ledger", &zds.ZeroDowntimeServiceArgs{ServiceSpec: zds.ServiceSpec{
		Namespace:       "ledger",
		CreateNamespace: true,
		Image:           "ghcr.io/acme/ledger:7.0.1",
		Port:            8443,
		Replicas:        pulumi.IntRef(4),
		HealthCheck:     zds.HealthCheck{Path: "/healthz"},
		App:             zds.App{MaxRequestSeconds: 30, ShutdownSeconds: pulumi.IntRef(15)},
		LoadBalancer: zds.LoadBalancer{
			Kind:           "nlb",
			Scheme:         "internet-facing",
			CertificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/22222222-2222-2222-2222-222222222222",
		},
	}})
	if err != nil {
		return err
	}
	ctx.Export("hostname", api.LoadBalancerHostname)
	ctx.Export("preStopSleepSeconds", api.PreStopSleepSeconds)
	return nil
}
