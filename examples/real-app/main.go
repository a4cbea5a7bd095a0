// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command real-app is a production service as teams run it: its database
// password from a Secret, its configuration file from a ConfigMap, an IAM
// role through IRSA, a schema migration before it starts, a log shipper
// as a native sidecar, a node group and its taint, and a field zds does
// not model set through a patch; every rule of the timing chain still
// holds, the sidecar's shutdown included.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	corev1 "k8s.io/api/core/v1"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/zds"
)

func main() { preview.Main(program) }

func program(ctx *pulumi.Context) error {
	config := corev1.LocalObjectReference{Name: "orders-config"}
	dbPassword := &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: "orders-db"}, Key: "password"}}
	orders, err := zds.NewZeroDowntimeService(ctx, "orders", &zds.ZeroDowntimeServiceArgs{ServiceSpec: zds.ServiceSpec{
		Namespace:       "orders",
		CreateNamespace: true,
		Image:           "ghcr.io/acme/orders:3.1.0",
		Replicas:        pulumi.IntRef(4),
		HealthCheck:     zds.HealthCheck{Path: "/ready"},
		App: zds.App{
			MaxRequestSeconds:       20,
			ShutdownSeconds:         pulumi.IntRef(15),
			StartupSeconds:          pulumi.IntRef(40),
			KeepAliveTimeoutSeconds: pulumi.IntRef(75),
		},
		Env: []zds.EnvVar{
			{Name: "DB_PASSWORD", ValueFrom: dbPassword},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		},
		EnvFrom:      []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: config}, Prefix: "ORDERS_"}},
		Volumes:      []zds.Volume{{Name: "config", ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: config}}},
		VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/orders", ReadOnly: true}},
		InitContainers: []zds.InitContainer{{
			Name: "migrate", Image: "ghcr.io/acme/orders:3.1.0", Args: []string{"migrate"},
			Env:        []zds.EnvVar{{Name: "DB_PASSWORD", ValueFrom: dbPassword}},
			MaxSeconds: pulumi.IntRef(120),
		}},
		// A log shipper as a native sidecar: it starts before the app and
		// stops after it, and the grace period covers its shutdown.
		Sidecars: []zds.Sidecar{{
			Name: "logs", Image: "cr.fluentbit.io/fluent/fluent-bit:3.2",
			ShutdownSeconds: pulumi.IntRef(5),
			VolumeMounts:    []corev1.VolumeMount{{Name: "config", MountPath: "/fluent-bit/etc/orders", ReadOnly: true}},
		}},
		ServiceAccount: zds.ServiceAccount{
			Create:      true,
			Annotations: map[string]string{"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/orders"},
		},
		Pod: zds.Pod{
			NodeSelector: map[string]string{"kubernetes.io/os": "linux"},
			Tolerations:  []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "orders", Effect: corev1.TaintEffectNoSchedule}},
		},
		Patches: []zds.Patch{{Kind: "Deployment", Patch: map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "app", "imagePullPolicy": "Always"}},
		}}}}}},
		LoadBalancer: zds.LoadBalancer{Scheme: "internet-facing", Host: "orders.example.com"},
	}})
	if err != nil {
		return err
	}
	ctx.Export("hostname", orders.LoadBalancerHostname)
	return nil
}
