// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package service

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// NLB is loadBalancer.kind nlb: a Service of type LoadBalancer that the AWS
// Load Balancer Controller turns into an NLB with IP targets. There is no
// Ingress.
var NLB Mode = nlb{}

type nlb struct{}

// KindNLB is the loadBalancer.kind of a Service-managed NLB.
const KindNLB = "nlb"

// NLB annotations (AWS Load Balancer Controller, service annotations).
const (
	NLBPrefix                 = "service.beta.kubernetes.io/"
	AnnNLBType                = NLBPrefix + "aws-load-balancer-type"
	AnnNLBTargetType          = NLBPrefix + "aws-load-balancer-nlb-target-type"
	AnnNLBScheme              = NLBPrefix + "aws-load-balancer-scheme"
	AnnNLBTargetGroupAttrs    = NLBPrefix + "aws-load-balancer-target-group-attributes"
	AnnNLBHealthCheckProtocol = NLBPrefix + "aws-load-balancer-healthcheck-protocol"
	AnnNLBHealthCheckPath     = NLBPrefix + "aws-load-balancer-healthcheck-path"
	AnnNLBHealthCheckPort     = NLBPrefix + "aws-load-balancer-healthcheck-port"
	AnnNLBHealthCheckInterval = NLBPrefix + "aws-load-balancer-healthcheck-interval"
	AnnNLBHealthCheckTimeout  = NLBPrefix + "aws-load-balancer-healthcheck-timeout"
	AnnNLBHealthyThreshold    = NLBPrefix + "aws-load-balancer-healthcheck-healthy-threshold"
	AnnNLBUnhealthyThreshold  = NLBPrefix + "aws-load-balancer-healthcheck-unhealthy-threshold"
	AnnNLBHealthCheckSuccess  = NLBPrefix + "aws-load-balancer-healthcheck-success-codes"
	AnnNLBSSLCert             = NLBPrefix + "aws-load-balancer-ssl-cert"
	AnnNLBSSLPorts            = NLBPrefix + "aws-load-balancer-ssl-ports"
	HTTPSPortName             = "https"
	ServiceHTTPSPort          = 443

	// maxNLBSuccessCode is the highest code an NLB's HTTP health check can
	// match.
	maxNLBSuccessCode = "599"
)

// nlbProfile: deregistration takes about two minutes whatever the delay
// setting (aws-load-balancer-controller#2366, #3270), so new connections
// can arrive for that long: L = 120 s (kubernetes/kops#11256 reports a
// 100 s preStop holding). Registration takes 90–180 s (#1834, #1786): 120 s
// budgeted before health checks count. An NLB forwards each client
// connection to one target connection and reuses none, so rule 8 does not
// apply; its TCP idle timeout is 350 s.
var nlbProfile = timing.Profile{
	Kind:                       KindNLB,
	PropagationSeconds:         120,
	RegistrationLatencySeconds: 120,
	IdleTimeoutSeconds:         350,
	HealthCheck: timing.HealthCheck{
		IntervalSeconds:    10,
		TimeoutSeconds:     6,
		HealthyThreshold:   2,
		UnhealthyThreshold: 2,
	},
	ReusesConnections: false,
}

const nlbRoutesByPort = "an NLB routes by port, not by host or path"

// nlbForbidden are the loadBalancer fields an NLB does not use.
var nlbForbidden = []forbidden{
	{"host", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.Host != "" }, nlbRoutesByPort},
	{"paths", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return len(lb.Paths) > 0 }, nlbRoutesByPort},
	{"groupName", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.GroupName != "" }, "ALB groups only"},
	{"groupOrder", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.GroupOrder != nil }, "ALB groups only"},
	{"groupAttributesOwner", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.GroupAttributesOwner }, "ALB groups only"},
	{"sslRedirect", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.SSLRedirect != nil },
		"an NLB does not speak HTTP; serve HTTPS on 443 with certificateArn"},
	{"idleTimeoutSeconds", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.IdleTimeoutSeconds != nil },
		"an NLB reuses no connections, so rule 8 does not apply"},
	{"ingressClassName", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.IngressClassName != "" }, "there is no Ingress"},
	{"vpcId", func(lb spec.LoadBalancer, in spec.Inputs) bool { return lb.VpcId != "" || in.VpcId }, "the controller creates the target group"},
	{"listenerArn", func(lb spec.LoadBalancer, in spec.Inputs) bool { return lb.ListenerArn != "" || in.ListenerArn },
		"the controller manages the NLB's listeners"},
	{"listenerRulePriority", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.ListenerRulePriority != nil }, "NLB listeners have no rules"},
}

func (nlb) Kind() string            { return KindNLB }
func (nlb) Profile() timing.Profile { return nlbProfile }

// Default sets scheme "internal" and the profile's propagation and health
// check.
func (nlb) Default(s *spec.ServiceSpec, _ bool) {
	setString(&s.LoadBalancer.Scheme, DefaultScheme)
	defaultFromProfile(s, nlbProfile)
}

func (nlb) Validate(s spec.ServiceSpec, in spec.Inputs, p *field.Path) field.ErrorList {
	errs := forbid(nil, p, KindNLB, nlbForbidden, s.LoadBalancer, in)
	errs = scheme(errs, p, s.LoadBalancer.Scheme)
	return spec.SuccessCodes(errs, spec.HealthCheckPath.Child("successCodes"), s.HealthCheck.SuccessCodes, maxNLBSuccessCode)
}

// Build makes the Service itself the binding: type LoadBalancer, with the
// target group's settings as annotations.
func (nlb) Build(r *spec.Resolved, o *manifests.Objects) {
	o.Service = nlbService(r, o.Service)
}

func nlbService(r *spec.Resolved, svc *corev1.Service) *corev1.Service {
	s, t := r.Spec, r.Timing
	svc.Spec.Type = corev1.ServiceTypeLoadBalancer
	svc.Spec.AllocateLoadBalancerNodePorts = ptr(false) // IP targets need no node ports
	svc.Annotations = map[string]string{
		AnnNLBType:       "external",
		AnnNLBTargetType: "ip",
		AnnNLBScheme:     s.LoadBalancer.Scheme,
		// Connection termination closes long-lived connections when draining
		// ends, so none outlives the deregistration delay.
		AnnNLBTargetGroupAttrs:    fmt.Sprintf("deregistration_delay.timeout_seconds=%d,deregistration_delay.connection_termination.enabled=true", t.DeregistrationDelaySeconds),
		AnnNLBHealthCheckProtocol: "http",
		AnnNLBHealthCheckPath:     s.HealthCheck.Path,
		AnnNLBHealthCheckPort:     manifests.HealthCheckPort(s),
		AnnNLBHealthCheckInterval: strconv.Itoa(t.HealthCheck.IntervalSeconds),
		AnnNLBHealthCheckTimeout:  strconv.Itoa(t.HealthCheck.TimeoutSeconds),
		AnnNLBHealthyThreshold:    strconv.Itoa(t.HealthCheck.HealthyThreshold),
		AnnNLBUnhealthyThreshold:  strconv.Itoa(t.HealthCheck.UnhealthyThreshold),
		AnnNLBHealthCheckSuccess:  s.HealthCheck.SuccessCodes,
	}
	if s.LoadBalancer.SkipAwait {
		svc.Annotations[manifests.AnnSkipAwait] = "true"
	}
	if HasCertificate(r) {
		// The Pulumi layer replaces this with the input when one is given.
		svc.Annotations[AnnNLBSSLCert] = s.LoadBalancer.CertificateArn
		svc.Annotations[AnnNLBSSLPorts] = strconv.Itoa(ServiceHTTPSPort)
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
			Name: HTTPSPortName, Port: ServiceHTTPSPort, TargetPort: intstr.FromString(manifests.PortName), Protocol: corev1.ProtocolTCP,
		})
	}
	return svc
}

// Read takes the settings from the annotations of a Service of type
// LoadBalancer.
func (nlb) Read(o *manifests.Objects) (check.Settings, bool) {
	if o.Service == nil || o.Service.Spec.Type != corev1.ServiceTypeLoadBalancer {
		return check.Settings{}, false
	}
	a := o.Service.Annotations
	class := "type " + a[AnnNLBType]
	if c := o.Service.Spec.LoadBalancerClass; c != nil {
		class = "class " + *c
	}
	return check.Settings{
		Object:             "Service/" + o.Service.Name,
		Class:              class,
		TargetType:         a[AnnNLBTargetType],
		Attributes:         a[AnnNLBTargetGroupAttrs],
		HealthCheckPath:    a[AnnNLBHealthCheckPath],
		HealthCheckPort:    a[AnnNLBHealthCheckPort],
		IntervalSeconds:    a[AnnNLBHealthCheckInterval],
		UnhealthyThreshold: a[AnnNLBUnhealthyThreshold],
		ReusesConnections:  false,
	}, true
}

func ptr[T any](v T) *T { return &v }
