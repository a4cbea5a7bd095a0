// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package service

import (
	"fmt"
	"strconv"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/algorithm"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/annotations"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// ALB is loadBalancer.kind alb: an Ingress for the AWS Load Balancer
// Controller, which creates the ALB, its listeners and an IP target group.
var ALB Mode = alb{}

type alb struct{}

// KindALB is the loadBalancer.kind of an Ingress-managed ALB.
const KindALB = "alb"

// ALB annotations (AWS Load Balancer Controller, ingress annotations).
const (
	AnnotationPrefix          = "alb.ingress.kubernetes.io/"
	AnnTargetType             = AnnotationPrefix + "target-type"
	AnnScheme                 = AnnotationPrefix + "scheme"
	AnnTargetGroupAttributes  = AnnotationPrefix + "target-group-attributes"
	AnnLoadBalancerAttributes = AnnotationPrefix + "load-balancer-attributes"
	AnnHealthCheckPath        = AnnotationPrefix + "healthcheck-path"
	AnnHealthCheckPort        = AnnotationPrefix + "healthcheck-port"
	AnnHealthCheckProtocol    = AnnotationPrefix + "healthcheck-protocol"
	AnnHealthCheckInterval    = AnnotationPrefix + "healthcheck-interval-seconds"
	AnnHealthCheckTimeout     = AnnotationPrefix + "healthcheck-timeout-seconds"
	AnnHealthyThreshold       = AnnotationPrefix + "healthy-threshold-count"
	AnnUnhealthyThreshold     = AnnotationPrefix + "unhealthy-threshold-count"
	AnnSuccessCodes           = AnnotationPrefix + "success-codes"
	AnnListenPorts            = AnnotationPrefix + "listen-ports"
	AnnCertificateArn         = AnnotationPrefix + "certificate-arn"
	AnnSSLRedirect            = AnnotationPrefix + "ssl-redirect"
	AnnGroupName              = AnnotationPrefix + "group.name"
	AnnGroupOrder             = AnnotationPrefix + "group.order"

	// DefaultIngressClassName is the AWS Load Balancer Controller's class.
	DefaultIngressClassName = "alb"
	// maxALBSuccessCode is the highest code an ALB target group's health
	// check can match.
	maxALBSuccessCode = "499"
)

// albProfile: users measured new traffic stopping ~17 s after draining
// began (aws-load-balancer-controller#2366) and preStop values of 25–60 s
// working (#1064, #2106, quay/quay#6871). 25 s covers the measurement with
// margin. Health checks: interval 10 s (ALB default 15 s) so registration
// takes 20 s, not 30 s; timeout 5 s and thresholds 2/2 are the ALB
// defaults.
var albProfile = timing.Profile{
	Kind:                       KindALB,
	PropagationSeconds:         25,
	RegistrationLatencySeconds: 10,
	IdleTimeoutSeconds:         60,
	HealthCheck: timing.HealthCheck{
		IntervalSeconds:    10,
		TimeoutSeconds:     5,
		HealthyThreshold:   2,
		UnhealthyThreshold: 2,
	},
	ReusesConnections: true,
}

// albForbidden are the loadBalancer fields an Ingress does not use.
var albForbidden = []forbidden{
	{"vpcId", func(lb spec.LoadBalancer, in spec.Inputs) bool { return lb.VpcId != "" || in.VpcId },
		"the Ingress's target group is created by the controller"},
	{"listenerArn", func(lb spec.LoadBalancer, in spec.Inputs) bool { return lb.ListenerArn != "" || in.ListenerArn },
		"the controller manages the ALB's listeners; use kind targetGroupBinding to add a rule to your own listener"},
	{"listenerRulePriority", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.ListenerRulePriority != nil },
		"use groupOrder to order an Ingress's rules"},
}

func (alb) Kind() string            { return KindALB }
func (alb) Profile() timing.Profile { return albProfile }

// Default sets scheme "internal", ingressClassName "alb", paths ["/"],
// sslRedirect true when a certificate is set, and the profile's propagation
// and health check.
func (alb) Default(s *spec.ServiceSpec, hasCertificate bool) {
	lb := &s.LoadBalancer
	setString(&lb.Scheme, DefaultScheme)
	setString(&lb.IngressClassName, DefaultIngressClassName)
	if hasCertificate && lb.SSLRedirect == nil {
		t := true
		lb.SSLRedirect = &t
	}
	defaultPaths(lb)
	defaultFromProfile(s, albProfile)
}

func (alb) Validate(s spec.ServiceSpec, in spec.Inputs, p *field.Path) field.ErrorList {
	lb := s.LoadBalancer
	errs := forbid(nil, p, KindALB, albForbidden, lb, in)
	if lb.GroupAttributesOwner && lb.GroupName == "" {
		errs = append(errs, field.Invalid(p.Child("groupAttributesOwner"), true, "only means something in a group: set loadBalancer.groupName, or remove it"))
	}
	errs = scheme(errs, p, lb.Scheme)
	hasCert := lb.CertificateArn != "" || in.CertificateArn
	if lb.SSLRedirect != nil && *lb.SSLRedirect && !hasCert {
		errs = append(errs, field.Invalid(p.Child("sslRedirect"), true,
			"redirecting to HTTPS needs an HTTPS listener: set loadBalancer.certificateArn, or sslRedirect: false"))
	}
	if lb.GroupOrder != nil {
		if lb.GroupName == "" {
			errs = append(errs, field.Invalid(p.Child("groupOrder"), *lb.GroupOrder, "only means something in a group: set loadBalancer.groupName, or remove groupOrder"))
		}
		if *lb.GroupOrder < -1000 || *lb.GroupOrder > 1000 {
			errs = append(errs, field.Invalid(p.Child("groupOrder"), *lb.GroupOrder, "must be between -1000 and 1000"))
		}
	}
	for _, msg := range validation.IsDNS1123Subdomain(lb.IngressClassName) {
		errs = append(errs, field.Invalid(p.Child("ingressClassName"), lb.IngressClassName, msg))
	}
	return spec.SuccessCodes(errs, spec.HealthCheckPath.Child("successCodes"), s.HealthCheck.SuccessCodes, maxALBSuccessCode)
}

// Build adds the Ingress: IP targets, the derived deregistration delay, the
// readiness probe's health check, and the listeners.
func (alb) Build(r *spec.Resolved, o *manifests.Objects) {
	o.Ingress = ingress(r)
}

func ingress(r *spec.Resolved) *networkingv1.Ingress {
	s, t := r.Spec, r.Timing
	lb := s.LoadBalancer
	ann := map[string]string{
		AnnTargetType:            "ip",
		AnnScheme:                lb.Scheme,
		AnnTargetGroupAttributes: fmt.Sprintf("deregistration_delay.timeout_seconds=%d", t.DeregistrationDelaySeconds),
		AnnHealthCheckPath:       s.HealthCheck.Path,
		AnnHealthCheckPort:       manifests.HealthCheckPort(s),
		AnnHealthCheckProtocol:   "HTTP",
		AnnHealthCheckInterval:   strconv.Itoa(t.HealthCheck.IntervalSeconds),
		AnnHealthCheckTimeout:    strconv.Itoa(t.HealthCheck.TimeoutSeconds),
		AnnHealthyThreshold:      strconv.Itoa(t.HealthCheck.HealthyThreshold),
		AnnUnhealthyThreshold:    strconv.Itoa(t.HealthCheck.UnhealthyThreshold),
		AnnSuccessCodes:          s.HealthCheck.SuccessCodes,
		AnnListenPorts:           `[{"HTTP":80}]`,
	}
	if HasCertificate(r) {
		ann[AnnListenPorts] = `[{"HTTP":80},{"HTTPS":443}]`
		// The Pulumi layer replaces this with the input when one is given.
		ann[AnnCertificateArn] = lb.CertificateArn
		if lb.SSLRedirect != nil && *lb.SSLRedirect {
			ann[AnnSSLRedirect] = "443"
		}
	}
	if lb.GroupName != "" {
		ann[AnnGroupName] = lb.GroupName
		if lb.GroupOrder != nil {
			ann[AnnGroupOrder] = strconv.Itoa(*lb.GroupOrder)
		}
	}
	// Load-balancer-wide attributes: in a group only its owner applies them,
	// so two services never fight over one ALB's settings.
	if lb.IdleTimeoutSeconds != nil && (lb.GroupName == "" || lb.GroupAttributesOwner) {
		ann[AnnLoadBalancerAttributes] = fmt.Sprintf("idle_timeout.timeout_seconds=%d", *lb.IdleTimeoutSeconds)
	}
	if lb.SkipAwait {
		ann[manifests.AnnSkipAwait] = "true"
	}
	prefix := networkingv1.PathTypePrefix
	var paths []networkingv1.HTTPIngressPath
	for _, p := range lb.Paths {
		paths = append(paths, networkingv1.HTTPIngressPath{
			Path:     p,
			PathType: &prefix,
			Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
				Name: s.Name,
				Port: networkingv1.ServiceBackendPort{Name: manifests.PortName},
			}},
		})
	}
	m := manifests.Meta(s, s.Name)
	m.Annotations = ann
	class := lb.IngressClassName
	return &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: m,
		Spec: networkingv1.IngressSpec{
			IngressClassName: &class,
			Rules: []networkingv1.IngressRule{{
				Host:             lb.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}},
			}},
		},
	}
}

// Read takes the settings from the Ingress's annotations.
func (alb) Read(o *manifests.Objects) (check.Settings, bool) {
	if o.Ingress == nil {
		return check.Settings{}, false
	}
	// The controller reads a target group's settings from the backend
	// Service's annotations first, then the Ingress's (its
	// enhanced_backend_builder merges them so).
	a := o.Ingress.Annotations
	if o.Service != nil {
		a = algorithm.MergeStringMap(o.Service.Annotations, a)
	}
	class := "class " + o.Ingress.Annotations[annotations.IngressClass]
	if c := o.Ingress.Spec.IngressClassName; c != nil {
		class = "class " + *c
	}
	return check.Settings{
		Object:             "Ingress/" + o.Ingress.Name,
		Class:              class,
		TargetType:         a[AnnTargetType],
		Attributes:         a[AnnTargetGroupAttributes],
		HealthCheckPath:    a[AnnHealthCheckPath],
		HealthCheckPort:    a[AnnHealthCheckPort],
		IntervalSeconds:    a[AnnHealthCheckInterval],
		UnhealthyThreshold: a[AnnUnhealthyThreshold],
		ReusesConnections:  true,
	}, true
}
