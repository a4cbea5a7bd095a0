// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package albemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	elbv2api "sigs.k8s.io/aws-load-balancer-controller/apis/elbv2/v1beta1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

const controllerModule = "sigs.k8s.io/aws-load-balancer-controller"

// InstallCRD installs the TargetGroupBinding CRD that the controller's
// module ships (config/crd/bases) and waits until it is served.
func InstallCRD(ctx context.Context, cfg *rest.Config) error {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", controllerModule).Output()
	if err != nil {
		return fmt.Errorf("locating %s: %w", controllerModule, err)
	}
	raw, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "config", "crd", "bases", "elbv2.k8s.aws_targetgroupbindings.yaml"))
	if err != nil {
		return err
	}
	var crd unstructured.Unstructured
	if err := yaml.Unmarshal(raw, &crd.Object); err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	crds := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	if _, err := crds.Create(ctx, &crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("installing the TargetGroupBinding CRD: %w", err)
	}
	tgbs := dyn.Resource(elbv2api.GroupVersion.WithResource("targetgroupbindings"))
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := tgbs.List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil, nil
	})
}

// Bind does what the controller does for an Ingress with IP targets: a
// TargetGroupBinding for its backend Service, whose name the readiness gate
// condition carries. It returns the Target to manage.
func Bind(ctx context.Context, cfg *rest.Config, ing *networkingv1.Ingress) (Target, Settings, error) {
	s, err := SettingsFromIngress(ing)
	if err != nil {
		return Target{}, Settings{}, err
	}
	if len(ing.Spec.Rules) == 0 || ing.Spec.Rules[0].HTTP == nil || len(ing.Spec.Rules[0].HTTP.Paths) == 0 {
		return Target{}, Settings{}, fmt.Errorf("ingress %s/%s has no backend", ing.Namespace, ing.Name)
	}
	backend := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
	if backend == nil {
		return Target{}, Settings{}, fmt.Errorf("ingress %s/%s: backend is not a Service", ing.Namespace, ing.Name)
	}
	port := intstr.FromInt32(backend.Port.Number)
	if backend.Port.Name != "" {
		port = intstr.FromString(backend.Port.Name)
	}
	scheme, err := Scheme()
	if err != nil {
		return Target{}, Settings{}, err
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return Target{}, Settings{}, err
	}
	name := bindingName(ing.Namespace, backend.Name)
	tt := elbv2api.TargetType(s.TargetType)
	tgb := &elbv2api.TargetGroupBinding{
		ObjectMeta: metav1.ObjectMeta{Namespace: ing.Namespace, Name: name},
		Spec: elbv2api.TargetGroupBindingSpec{
			TargetGroupARN: "arn:aws:elasticloadbalancing:local:000000000000:targetgroup/" + name + "/0",
			TargetType:     &tt,
			ServiceRef:     elbv2api.ServiceReference{Name: backend.Name, Port: port},
		},
	}
	if err := c.Create(ctx, tgb); err != nil && !apierrors.IsAlreadyExists(err) {
		return Target{}, Settings{}, fmt.Errorf("creating the TargetGroupBinding: %w", err)
	}
	return Target{
		Namespace: ing.Namespace, Service: backend.Name, PortName: "http", Binding: name,
		DeregistrationDelay: s.DeregistrationDelay,
	}, s, nil
}

// bindingName follows the controller's k8s-<namespace>-<service>-<hash>
// shape, shortened to fit a condition type.
func bindingName(ns, svc string) string {
	cut := func(s string, n int) string {
		if len(s) > n {
			return s[:n]
		}
		return s
	}
	return fmt.Sprintf("k8s-%s-%s-0000000000", cut(ns, 8), cut(svc, 8))
}
