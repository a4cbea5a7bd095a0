// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// The basic example's service from TypeScript: `pulumi package add
// github.com/zerodowntime/zds` generates the SDK, then `pulumi up`.
import * as pulumi from "@pulumi/pulumi";
import * as zds from "@zerodowntime/zds";

const config = new pulumi.Config();
// An output, as an image you build and push would be.
const image = pulumi.interpolate`${config.get("repository") ?? "ghcr.io/acme/web"}:${config.get("version") ?? "1.4.2"}`;

const web = new zds.ZeroDowntimeService("web", {
    namespace: "shop",
    createNamespace: true,
    image,
    port: 8080,
    replicas: 4,
    healthCheck: { path: "/healthz" }, // readiness probe = ALB health check
    app: {
        maxRequestSeconds: 15, // R: your server's request timeout
        shutdownSeconds: 10,   // S: drain time after SIGTERM
        startupSeconds: 40,    // covered by the startup probe
    },
    loadBalancer: { scheme: "internet-facing", host: "web.example.com" },
    // certificateArn: cert.arn, // an aws.acm.Certificate's ARN adds HTTPS:443
});

export const url = web.loadBalancerHostname;
export const preStopSleepSeconds = web.preStopSleepSeconds;
export const deregistrationDelaySeconds = web.deregistrationDelaySeconds;
