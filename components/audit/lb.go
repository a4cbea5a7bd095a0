// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/algorithm"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/annotations"

	"github.com/zerodowntime/zds/components/manifests"
)

// TargetGroup is a target group as the AWS Load Balancer Controller would
// build it from the objects: their annotations read with the controller's
// own parser (pkg/annotations), its defaults where they say nothing.
type TargetGroup struct {
	// Mode is alb, nlb or targetGroupBinding.
	Mode string
	// Via is the object that makes the controller build it: the Ingress,
	// the Service of type LoadBalancer, or the TargetGroupBinding.
	Via *Object
	// Service is the backend Service.
	Service *corev1.Service
	// keys are the annotations of the settings (none for a
	// TargetGroupBinding, whose settings live in AWS).
	keys keys

	TargetType string
	// DeregistrationDelay is -1 when the objects do not hold it (a
	// TargetGroupBinding's target group lives in AWS).
	DeregistrationDelay int
	HealthCheckProtocol string
	HealthCheckPath     string
	HealthCheckPort     string
	Interval, Healthy   int
	Unhealthy           int
	// IdleTimeout is the ALB's idle timeout (alb only).
	IdleTimeout       int
	ReusesConnections bool
	// Explicit lists the annotation suffixes the objects set (the rest
	// are the controller's defaults).
	Explicit map[string]bool
}

// The controller's defaults (pkg/ingress/model_builder.go and
// pkg/service/model_builder.go at the pinned version; the target type is
// its --default-target-type flag, instance unless the cluster changed it).
const (
	defaultTargetType          = "instance"
	defaultDeregistrationDelay = 300 // the ELB's
	defaultIdleTimeout         = 60  // the ALB's
)

const (
	ingressPrefix = annotations.AnnotationPrefixIngress
	servicePrefix = "service.beta.kubernetes.io"
)

// keys are one mode's annotations of a target group's settings: the
// prefix and each setting's suffix.
type keys struct {
	prefix                                   string
	targetType, hcProtocol, hcPath, hcPort   string
	interval, healthy, unhealthy, attributes string
}

var (
	albKeys = keys{
		prefix: ingressPrefix, targetType: annotations.IngressSuffixTargetType,
		hcProtocol: annotations.IngressSuffixHealthCheckProtocol, hcPath: annotations.IngressSuffixHealthCheckPath, hcPort: annotations.IngressSuffixHealthCheckPort,
		interval: annotations.IngressSuffixHealthCheckIntervalSeconds, healthy: annotations.IngressSuffixHealthyThresholdCount,
		unhealthy: annotations.IngressSuffixUnhealthyThresholdCount, attributes: annotations.IngressSuffixTargetGroupAttributes,
	}
	nlbKeys = keys{
		prefix: servicePrefix, targetType: annotations.SvcLBSuffixTargetType,
		hcProtocol: annotations.SvcLBSuffixHCProtocol, hcPath: annotations.SvcLBSuffixHCPath, hcPort: annotations.SvcLBSuffixHCPort,
		interval: annotations.SvcLBSuffixHCInterval, healthy: annotations.SvcLBSuffixHCHealthyThreshold,
		unhealthy: annotations.SvcLBSuffixHCUnhealthyThreshold, attributes: annotations.SvcLBSuffixTargetGroupAttributes,
	}
)

// read sets the settings the annotations give over tg's defaults, with
// the controller's parser, marking each as explicit.
func (k keys) read(tg *TargetGroup, ann map[string]string) error {
	p := annotations.NewSuffixAnnotationParser(k.prefix)
	for suffix, v := range map[string]*string{k.targetType: &tg.TargetType, k.hcProtocol: &tg.HealthCheckProtocol, k.hcPath: &tg.HealthCheckPath, k.hcPort: &tg.HealthCheckPort} {
		if p.ParseStringAnnotation(suffix, v, ann) {
			tg.Explicit[suffix] = true
		}
	}
	for suffix, v := range map[string]*int{k.interval: &tg.Interval, k.healthy: &tg.Healthy, k.unhealthy: &tg.Unhealthy} {
		var n int64
		ok, err := p.ParseInt64Annotation(suffix, &n, ann)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", k.prefix, suffix, err)
		}
		if ok {
			*v = int(n)
			tg.Explicit[suffix] = true
		}
	}
	var err error
	tg.DeregistrationDelay, err = attribute(p, k.attributes, "deregistration_delay.timeout_seconds", ann, tg.DeregistrationDelay, tg.Explicit)
	return err
}

// albTargetGroup is the target group of one Ingress and backend Service:
// the controller reads the Service's annotations first, then the
// Ingress's (algorithm.MergeStringMap).
//
// The load balancer's attributes (its idle timeout) are the group's: the
// Ingresses sharing its group.name (group, with ing itself first).
func albTargetGroup(ing Typed[networkingv1.Ingress], svc *corev1.Service, group []*networkingv1.Ingress) (TargetGroup, error) {
	tg := TargetGroup{
		Mode: "alb", Via: ing.O, Service: svc, keys: albKeys,
		TargetType: defaultTargetType, DeregistrationDelay: defaultDeregistrationDelay,
		HealthCheckProtocol: "HTTP", HealthCheckPath: "/", HealthCheckPort: "traffic-port",
		Interval: 15, Healthy: 2, Unhealthy: 2, IdleTimeout: defaultIdleTimeout, ReusesConnections: true,
		Explicit: map[string]bool{},
	}
	if err := albKeys.read(&tg, algorithm.MergeStringMap(svc.Annotations, ing.V.Annotations)); err != nil {
		return tg, err
	}
	// The idle timeout is the load balancer's, on the Ingress or any of
	// its group's.
	p := annotations.NewSuffixAnnotationParser(ingressPrefix)
	for _, member := range append([]*networkingv1.Ingress{ing.V}, group...) {
		var err error
		if tg.IdleTimeout, err = attribute(p, annotations.IngressSuffixLoadBalancerAttributes, "idle_timeout.timeout_seconds", member.Annotations, tg.IdleTimeout, tg.Explicit); err != nil {
			return tg, err
		}
		if tg.Explicit[annotations.IngressSuffixLoadBalancerAttributes+"#idle_timeout.timeout_seconds"] {
			break
		}
	}
	return tg, nil
}

// nlbTargetGroup is the target group of a Service of type LoadBalancer.
func nlbTargetGroup(svc Typed[corev1.Service]) (TargetGroup, error) {
	tg := TargetGroup{
		Mode: "nlb", Via: svc.O, Service: svc.V, keys: nlbKeys,
		TargetType: defaultTargetType, DeregistrationDelay: defaultDeregistrationDelay,
		HealthCheckProtocol: "TCP", HealthCheckPath: "/", HealthCheckPort: "traffic-port",
		Interval: 10, Healthy: 3, Unhealthy: 3,
		Explicit: map[string]bool{},
	}
	return tg, nlbKeys.read(&tg, svc.V.Annotations)
}

// tgbTargetGroup is what a TargetGroupBinding tells of its target group:
// the target type; the rest lives in AWS (unless zds's facts say it).
func tgbTargetGroup(tgb Typed[manifests.TargetGroupBinding], svc *corev1.Service) TargetGroup {
	tg := TargetGroup{
		Mode: "targetGroupBinding", Via: tgb.O, Service: svc,
		TargetType: defaultTargetType, DeregistrationDelay: -1,
		HealthCheckProtocol: "HTTP", HealthCheckPath: "", HealthCheckPort: "",
		Interval: 15, Healthy: 2, Unhealthy: 2, ReusesConnections: true,
		Explicit: map[string]bool{},
	}
	if t := tgb.V.Spec.TargetType; t != "" {
		tg.TargetType = t
		tg.Explicit["targetType"] = true
	}
	return tg
}

// attribute reads one key of a key=value,... annotation (a target group's
// or a load balancer's attributes) as whole seconds.
func attribute(p annotations.Parser, suffix, key string, ann map[string]string, def int, explicit map[string]bool) (int, error) {
	var attrs map[string]string
	if _, err := p.ParseStringMapAnnotation(suffix, &attrs, ann); err != nil {
		return def, fmt.Errorf("%s: %w", suffix, err)
	}
	v, ok := attrs[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def, fmt.Errorf("%s: %s=%q is not a number of seconds", suffix, key, v)
	}
	explicit[suffix+"#"+key] = true
	return n, nil
}
