// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command target-group-binding binds a service to an ALB the platform team
// manages in Pulumi: the component creates the target group (pulumi-aws,
// IP targets, the derived deregistration delay, the readiness probe as
// health check), a listener rule on the existing HTTPS listener, and the
// TargetGroupBinding. The VPC and the listener come from config, as they
// would from another stack's outputs.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
)

func main() { preview.Main(program) }

// Config defaults; Pulumi.yaml declares the same.
const (
	defaultVpcID       = "vpc-0123456789abcdef0"
	defaultListenerArn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/platform/0123456789abcdef/0123456789abcdef"
)

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	vpc := cfg.Get("vpcId")
	if vpc == "" {
		vpc = defaultVpcID
	}
	listener := cfg.Get("listenerArn")
	if listener == "" {
		listener = defaultListenerArn
	}
	billing, err := zds.NewZeroDowntimeService(ctx, "billing", &zds.ZeroDowntimeServiceArgs{
		ServiceSpec: zds.ServiceSpec{
			Namespace:       "billing",
			CreateNamespace: true,
			Image:           "ghcr.io/acme/billing:3.3.0",
			Replicas:        pulumi.IntRef(3),
			App:             zds.App{MaxRequestSeconds: 20, ShutdownSeconds: pulumi.IntRef(10)},
			LoadBalancer: zds.LoadBalancer{
				Kind:                 "targetGroupBinding",
				Host:                 "billing.example.com",
				Paths:                []string{"/"},
				ListenerRulePriority: pulumi.IntRef(120),
				// The platform ALB's idle timeout, declared for rule 8.
				IdleTimeoutSeconds: pulumi.IntRef(60),
			},
		},
		VpcId:       pulumi.String(vpc),
		ListenerArn: pulumi.String(listener),
	})
	if err != nil {
		return err
	}
	ctx.Export("targetGroupArn", billing.TargetGroupArn)
	return nil
}
