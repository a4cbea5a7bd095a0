// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package manifests_test

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

func resolved(s spec.ServiceSpec) *spec.Resolved {
	r, err := service.Resolve("web", s, spec.Inputs{})
	if err != nil {
		panic(err)
	}
	return r
}

func web() spec.ServiceSpec {
	return spec.ServiceSpec{
		Namespace: "shop", CreateNamespace: true, Image: "ghcr.io/acme/web:1.4.2",
		App: spec.App{MaxRequestSeconds: 15, ShutdownSeconds: ptr(10)},
	}
}

func ptr[T any](v T) *T { return &v }

func after(it manifests.Item) string {
	if len(it.After) == 0 {
		return "nothing"
	}
	return strings.Join(it.After, ", ")
}

// The objects of a service and what each waits for: the order that makes
// the readiness gate work, which both the Pulumi component and zds render
// follow.
func ExampleObjects_Items() {
	for _, it := range service.Build(resolved(web())).Items() {
		fmt.Printf("%-32s after %s\n", it.Kind, after(it))
	}
	// Output:
	// Namespace                        after nothing
	// Service                          after Namespace
	// Ingress                          after Namespace, Service
	// PodDisruptionBudget              after Namespace
	// ValidatingAdmissionPolicy        after nothing
	// ValidatingAdmissionPolicyBinding after ValidatingAdmissionPolicy
	// Deployment                       after Namespace, Service, Ingress, PodDisruptionBudget, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding
}

// With an NLB there is no Ingress: the Service of type LoadBalancer is what
// binds the pods to the load balancer, and an existing namespace only gets
// the readiness-gate label.
func ExampleObjects_Items_nlb() {
	s := web()
	s.CreateNamespace = false
	s.LoadBalancer.Kind = service.KindNLB
	for _, it := range service.Build(resolved(s)).Items() {
		fmt.Printf("%-32s after %s\n", it.Kind, after(it))
	}
	// Output:
	// NamespacePatch                   after nothing
	// Service                          after NamespacePatch
	// PodDisruptionBudget              after NamespacePatch
	// ValidatingAdmissionPolicy        after nothing
	// ValidatingAdmissionPolicyBinding after ValidatingAdmissionPolicy
	// Deployment                       after NamespacePatch, Service, PodDisruptionBudget, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding
}

// The Ingress carries the timing chain's load-balancer half: IP targets and
// the derived deregistration delay D = L + R + 5 = 25 + 15 + 5, with the
// health check on the readiness probe's path.
func ExampleBuild_ingress() {
	o := service.Build(resolved(web()))
	b, _ := yaml.Marshal(o.Ingress.Annotations)
	fmt.Print(string(b))
	// Output:
	// alb.ingress.kubernetes.io/healthcheck-interval-seconds: "10"
	// alb.ingress.kubernetes.io/healthcheck-path: /healthz
	// alb.ingress.kubernetes.io/healthcheck-port: traffic-port
	// alb.ingress.kubernetes.io/healthcheck-protocol: HTTP
	// alb.ingress.kubernetes.io/healthcheck-timeout-seconds: "5"
	// alb.ingress.kubernetes.io/healthy-threshold-count: "2"
	// alb.ingress.kubernetes.io/listen-ports: '[{"HTTP":80}]'
	// alb.ingress.kubernetes.io/scheme: internal
	// alb.ingress.kubernetes.io/success-codes: "200"
	// alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=45
	// alb.ingress.kubernetes.io/target-type: ip
	// alb.ingress.kubernetes.io/unhealthy-threshold-count: "2"
}

// The Deployment carries the container half: the preStop sleep P, the
// grace period G, and a rollout that never removes capacity first.
func ExampleBuild_deployment() {
	d := service.Build(resolved(web())).Deployment
	c := d.Spec.Template.Spec.Containers[0]
	fmt.Println("preStop sleep:", c.Lifecycle.PreStop.Sleep.Seconds)
	fmt.Println("grace:", *d.Spec.Template.Spec.TerminationGracePeriodSeconds)
	fmt.Println("rollout: maxSurge", d.Spec.Strategy.RollingUpdate.MaxSurge, "maxUnavailable", d.Spec.Strategy.RollingUpdate.MaxUnavailable)
	fmt.Println("minReadySeconds:", d.Spec.MinReadySeconds)
	fmt.Println("readiness:", c.ReadinessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Port.String())
	// Output:
	// preStop sleep: 36
	// grace: 51
	// rollout: maxSurge 1 maxUnavailable 0
	// minReadySeconds: 0
	// readiness: /healthz http
}
