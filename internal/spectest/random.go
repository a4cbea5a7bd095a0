// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package spectest generates random service specs for property tests: one
// generator shared by every package whose property holds "for any valid
// spec". Most generated specs are valid; callers resolve each one and skip
// the invalid ones, counting how many they tried.
package spectest

import (
	"bytes"
	"fmt"
	"math/rand/v2"

	corev1 "k8s.io/api/core/v1"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

// Base is a valid ALB service with every fact given.
func Base() spec.ServiceSpec {
	return spec.ServiceSpec{
		Namespace: "shop",
		Image:     "ghcr.io/acme/web:1.4.2",
		App:       spec.App{MaxRequestSeconds: 15, ShutdownSeconds: ptr(10), KeepAliveTimeoutSeconds: ptr(75)},
		Liveness:  spec.Liveness{Enabled: true},
	}
}

// Random is a random spec of one of kinds (every load-balancer kind when
// none is given): random request, shutdown and propagation times, pins near
// and far from the rules' edges, health checks, exec or native preStop,
// autoscaling or a fixed replica count.
func Random(rng *rand.Rand, kinds ...string) spec.ServiceSpec {
	if len(kinds) == 0 {
		kinds = []string{service.KindALB, service.KindNLB, service.KindTargetGroupBinding}
	}
	s := Base()
	kind := kinds[rng.IntN(len(kinds))]
	s.LoadBalancer.Kind = kind
	switch kind {
	case service.KindNLB:
		s.LoadBalancer.Scheme = "internet-facing"
	case service.KindTargetGroupBinding:
		s.LoadBalancer.VpcId = "vpc-1"
		if rng.IntN(2) == 0 {
			s.LoadBalancer.ListenerArn = "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/x/1/2"
			s.LoadBalancer.ListenerRulePriority = ptr(1 + rng.IntN(50000))
		}
	}
	if kind != service.KindNLB && rng.IntN(2) == 0 {
		s.LoadBalancer.IdleTimeoutSeconds = ptr(1 + rng.IntN(300))
	}
	s.App.MaxRequestSeconds = 1 + rng.IntN(900)
	s.App.ShutdownSeconds = ptr(rng.IntN(900))
	s.App.KeepAliveTimeoutSeconds = nil
	if rng.IntN(3) == 0 {
		s.App.KeepAliveTimeoutSeconds = ptr(1 + rng.IntN(400))
	}
	if rng.IntN(2) == 0 {
		s.App.StartupSeconds = ptr(rng.IntN(600))
	}
	if rng.IntN(2) == 0 {
		s.LoadBalancer.PropagationSeconds = ptr(5 + rng.IntN(300))
	}
	if rng.IntN(2) == 0 {
		s.HealthCheck.Port = ptr(9000 + rng.IntN(100))
	}
	if rng.IntN(2) == 0 {
		s.HealthCheck.IntervalSeconds = ptr(5 + rng.IntN(60))
		s.HealthCheck.HealthyThreshold = ptr(2 + rng.IntN(9))
		s.HealthCheck.UnhealthyThreshold = ptr(2 + rng.IntN(9))
	}
	if rng.IntN(2) == 0 {
		s.Rollout.MaxSurge = ptr(1 + rng.IntN(5))
	}
	if rng.IntN(3) == 0 {
		s.Timing.PreStopSleepSeconds = ptr(1 + rng.IntN(1000))
	}
	if rng.IntN(3) == 0 {
		s.Timing.DeregistrationDelaySeconds = ptr(rng.IntN(1000))
	}
	if rng.IntN(3) == 0 {
		s.Timing.TerminationGracePeriodSeconds = ptr(1 + rng.IntN(2000))
	}
	if rng.IntN(4) == 0 {
		s.Pod.PreStopHook = "exec"
	}
	for range rng.IntN(3) {
		// A proxy or a log shipper, native or classic.
		s.Sidecars = append(s.Sidecars, spec.Sidecar{
			Name: fmt.Sprintf("sidecar%d", len(s.Sidecars)), Image: "ghcr.io/acme/proxy:1",
			ShutdownSeconds: ptr(rng.IntN(30)), OnRequestPath: rng.IntN(2) == 0, Classic: rng.IntN(2) == 0,
		})
	}
	if rng.IntN(4) == 0 {
		// A field zds does not model, through the escape hatch.
		s.Patches = []spec.Patch{{Kind: "Deployment", Patch: map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"containers": []any{map[string]any{"name": "app", "imagePullPolicy": "Always"}}}}}}}}
	}
	if rng.IntN(3) == 0 {
		// A real workload's references, volumes and scheduling.
		ref := corev1.LocalObjectReference{Name: "app-config"}
		s.Env = append(s.Env, spec.EnvVar{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}})
		s.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: ref}}}
		s.Volumes = []spec.Volume{{Name: "config", ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: ref}}}
		s.VolumeMounts = []corev1.VolumeMount{{Name: "config", MountPath: "/etc/app", ReadOnly: true}}
		s.Pod.NodeSelector = map[string]string{"nodegroup": "web"}
		s.Pod.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}}
		if rng.IntN(2) == 0 {
			s.InitContainers = []spec.InitContainer{{Name: "migrate", Image: s.Image, MaxSeconds: ptr(1 + rng.IntN(600)),
				VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/app", ReadOnly: true}}}}
		}
	}
	if rng.IntN(2) == 0 {
		s.Autoscaling = spec.Autoscaling{Enabled: true, MinReplicas: ptr(1 + rng.IntN(6)), MaxReplicas: 1 + rng.IntN(30)}
		if rng.IntN(2) == 0 {
			s.Autoscaling.CPUUtilizationPercent = ptr(1 + rng.IntN(100))
		}
		if rng.IntN(2) == 0 {
			s.Autoscaling.MemoryUtilizationPercent = ptr(1 + rng.IntN(100))
		}
		s.Disruption.MaxUnavailable = ptr(1 + rng.IntN(3))
	} else {
		s.Replicas = ptr(2 + rng.IntN(20))
	}
	if rng.IntN(4) == 0 {
		// Without the admission policy: minReadySeconds = registration.
		s.LoadBalancer.RequireReadinessGate = ptr(false)
	}
	return s
}

// Named gives a random spec its own name and one of a few namespaces, some
// created by the service and some only labelled, so that several specs
// together exercise shared namespaces.
func Named(rng *rand.Rand, i int, s spec.ServiceSpec) (string, spec.ServiceSpec) {
	s.Namespace = fmt.Sprintf("ns%d", rng.IntN(4))
	s.CreateNamespace = false
	return fmt.Sprintf("svc%d", i), s
}

// SpecFile is a spec file of n services of one shape over 50 namespaces,
// the first service of each creating it: what benchmarks render (5 objects
// a service).
func SpecFile(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		if i > 0 {
			b.WriteString("---\n")
		}
		fmt.Fprintf(&b, `apiVersion: zds.dev/v1alpha1
kind: ZeroDowntimeService
metadata:
  name: svc%d
  namespace: ns%d
spec:
  createNamespace: %t
  image: ghcr.io/acme/web:1.4.2
  replicas: 3
  app:
    maxRequestSeconds: 15
    shutdownSeconds: 10
    startupSeconds: 40
  healthCheck:
    path: /healthz
`, i, i%50, i < 50)
	}
	return b.Bytes()
}

func ptr[T any](v T) *T { return &v }
