# Copyright 2026 The zds authors
# SPDX-License-Identifier: Apache-2.0

"""The basic example's service from Python: `pulumi package add
github.com/zerodowntime/zds` generates the SDK, then `pulumi up`."""

import pulumi
import pulumi_zds as zds

config = pulumi.Config()
# An output, as an image you build and push would be.
image = pulumi.Output.concat(
    config.get("repository") or "ghcr.io/acme/web", ":", config.get("version") or "1.4.2"
)

web = zds.ZeroDowntimeService(
    "web",
    namespace="shop",
    create_namespace=True,
    image=image,
    port=8080,
    replicas=4,
    health_check=zds.HealthCheckArgs(path="/healthz"),  # readiness probe = ALB health check
    app=zds.AppArgs(
        max_request_seconds=15,  # R: your server's request timeout
        shutdown_seconds=10,  # S: drain time after SIGTERM
        startup_seconds=40,  # covered by the startup probe
    ),
    load_balancer=zds.LoadBalancerArgs(scheme="internet-facing", host="web.example.com"),
)

pulumi.export("url", web.load_balancer_hostname)
pulumi.export("preStopSleepSeconds", web.pre_stop_sleep_seconds)
