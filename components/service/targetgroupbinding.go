// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package service

import (
	"fmt"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// TargetGroupBinding is loadBalancer.kind targetGroupBinding: an ALB target
// group that Pulumi creates with pulumi-aws (and, with a listener ARN, a
// listener rule on an existing ALB), bound to the Service by the AWS Load
// Balancer Controller's TargetGroupBinding.
var TargetGroupBinding Mode = targetGroupBinding{}

type targetGroupBinding struct{}

// KindTargetGroupBinding is the loadBalancer.kind of a target group managed
// in Pulumi.
const KindTargetGroupBinding = "targetGroupBinding"

// TargetGroupBindingAPIGroup is the AWS Load Balancer Controller's API group.
const TargetGroupBindingAPIGroup = "elbv2.k8s.aws"

// tgbProfile: the target group belongs to an ALB, so the ALB's numbers
// apply.
var tgbProfile = func() timing.Profile {
	p := albProfile
	p.Kind = KindTargetGroupBinding
	return p
}()

const tgbManagedOutside = "the ALB and its listeners are managed outside this service"

// tgbForbidden are the loadBalancer fields a target group of one's own does
// not use.
var tgbForbidden = []forbidden{
	{"scheme", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.Scheme != "" }, tgbManagedOutside},
	{"certificateArn", func(lb spec.LoadBalancer, in spec.Inputs) bool { return lb.CertificateArn != "" || in.CertificateArn }, tgbManagedOutside},
	{"sslRedirect", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.SSLRedirect != nil }, tgbManagedOutside},
	{"groupName", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.GroupName != "" }, "ALB groups belong to Ingresses"},
	{"groupOrder", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.GroupOrder != nil }, "use listenerRulePriority"},
	{"groupAttributesOwner", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.GroupAttributesOwner }, tgbManagedOutside},
	{"ingressClassName", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.IngressClassName != "" }, "there is no Ingress"},
	{"skipAwait", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.SkipAwait }, "there is no Ingress to await"},
}

// tgbForbiddenWithoutListener are the fields that need listenerArn.
var tgbForbiddenWithoutListener = []forbidden{
	{"listenerRulePriority", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.ListenerRulePriority != nil }, "there is no rule to order"},
	{"host", func(lb spec.LoadBalancer, _ spec.Inputs) bool { return lb.Host != "" }, "host is a listener-rule condition: set listenerArn"},
}

func (targetGroupBinding) Kind() string            { return KindTargetGroupBinding }
func (targetGroupBinding) Profile() timing.Profile { return tgbProfile }

// Default sets paths ["/"] and the profile's propagation and health check.
func (targetGroupBinding) Default(s *spec.ServiceSpec, _ bool) {
	defaultPaths(&s.LoadBalancer)
	defaultFromProfile(s, tgbProfile)
}

func (targetGroupBinding) Validate(s spec.ServiceSpec, in spec.Inputs, p *field.Path) field.ErrorList {
	lb := s.LoadBalancer
	errs := forbid(nil, p, KindTargetGroupBinding, tgbForbidden, lb, in)
	if lb.VpcId == "" && !in.VpcId {
		errs = append(errs, field.Required(p.Child("vpcId"), "the target group needs the VPC of the cluster's pods, e.g. vpc-0123456789abcdef0"))
	}
	hasListener := lb.ListenerArn != "" || in.ListenerArn
	if !hasListener {
		errs = forbid(errs, p, KindTargetGroupBinding+" without listenerArn", tgbForbiddenWithoutListener, lb, in)
	} else {
		if lb.ListenerRulePriority == nil {
			errs = append(errs, field.Required(p.Child("listenerRulePriority"), "a listener rule needs a priority (1–50000) unique on its listener"))
		}
		// ALB rules take at most 3 values per condition and 5 per rule.
		patterns := ListenerPathPatterns(lb.Paths)
		hosts := 0
		if lb.Host != "" {
			hosts = 1
		}
		if len(patterns) > 3 || len(patterns)+hosts > 5 {
			e := field.TooMany(p.Child("paths"), len(lb.Paths), 1)
			e.Detail = fmt.Sprintf("become the path patterns %q, but an ALB listener rule takes at most 3 per condition (5 values per rule): route one prefix per service, or match a common prefix", patterns)
			errs = append(errs, e)
		}
	}
	if lb.ListenerRulePriority != nil && (*lb.ListenerRulePriority < 1 || *lb.ListenerRulePriority > 50000) {
		errs = append(errs, field.Invalid(p.Child("listenerRulePriority"), *lb.ListenerRulePriority, "must be between 1 and 50000"))
	}
	return spec.SuccessCodes(errs, spec.HealthCheckPath.Child("successCodes"), s.HealthCheck.SuccessCodes, maxALBSuccessCode)
}

// Build adds the TargetGroupBinding, and the target group and listener rule
// for the Pulumi layer to create with pulumi-aws.
func (targetGroupBinding) Build(r *spec.Resolved, o *manifests.Objects) {
	s, t := r.Spec, r.Timing
	o.TargetGroupBinding = &manifests.TargetGroupBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: TargetGroupBindingAPIGroup + "/v1beta1", Kind: "TargetGroupBinding"},
		ObjectMeta: manifests.Meta(s, s.Name),
		Spec: manifests.TargetGroupBindingSpec{
			TargetType: "ip",
			ServiceRef: manifests.ServiceReference{Name: s.Name, Port: intstr.FromInt32(manifests.ServicePort)},
		},
	}
	o.TargetGroup = &manifests.TargetGroup{
		Port:                       s.Port,
		Protocol:                   "HTTP",
		TargetType:                 "ip",
		DeregistrationDelaySeconds: t.DeregistrationDelaySeconds,
		HealthCheckPath:            s.HealthCheck.Path,
		HealthCheckPort:            manifests.HealthCheckPort(s),
		HealthCheckIntervalSeconds: t.HealthCheck.IntervalSeconds,
		HealthCheckTimeoutSeconds:  t.HealthCheck.TimeoutSeconds,
		HealthyThreshold:           t.HealthCheck.HealthyThreshold,
		UnhealthyThreshold:         t.HealthCheck.UnhealthyThreshold,
		Matcher:                    s.HealthCheck.SuccessCodes,
	}
	// A rule only with a listener. Prefix paths become ALB path patterns:
	// "/api" matches "/api" and "/api/*".
	if lb := s.LoadBalancer; lb.ListenerArn != "" || r.Inputs.ListenerArn {
		o.ListenerRule = &manifests.ListenerRule{Priority: *lb.ListenerRulePriority, Host: lb.Host, PathPatterns: ListenerPathPatterns(lb.Paths)}
	}
}

// Read takes the settings from the AWS target group, checking that the
// binding's target type agrees with it.
func (targetGroupBinding) Read(o *manifests.Objects) (check.Settings, bool) {
	if o.TargetGroupBinding == nil || o.TargetGroup == nil {
		return check.Settings{}, false
	}
	tg := o.TargetGroup
	targetType := tg.TargetType
	if o.TargetGroupBinding.Spec.TargetType != targetType {
		targetType = o.TargetGroupBinding.Spec.TargetType + " (binding) / " + tg.TargetType + " (target group)"
	}
	return check.Settings{
		Object:             "TargetGroup/" + o.TargetGroupBinding.Name,
		TargetType:         targetType,
		Attributes:         fmt.Sprintf("deregistration_delay.timeout_seconds=%d", tg.DeregistrationDelaySeconds),
		HealthCheckPath:    tg.HealthCheckPath,
		HealthCheckPort:    tg.HealthCheckPort,
		IntervalSeconds:    strconv.Itoa(tg.HealthCheckIntervalSeconds),
		UnhealthyThreshold: strconv.Itoa(tg.UnhealthyThreshold),
		ReusesConnections:  true,
	}, true
}

// ListenerPathPatterns turns prefix paths into ALB path patterns: "/"
// matches everything ("/*"); "/api" matches "/api" and "/api/*".
func ListenerPathPatterns(paths []string) []string {
	var patterns []string
	for _, p := range paths {
		if p == "/" {
			patterns = append(patterns, "/*")
			continue
		}
		p = strings.TrimSuffix(p, "/")
		patterns = append(patterns, p, p+"/*")
	}
	return patterns
}
