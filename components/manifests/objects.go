// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package manifests

import (
	"strconv"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/zerodowntime/zds/components/spec"
)

// HealthCheckPort is the LB's health-check port: "traffic-port" when it is
// the serving port (rule 7: the readiness probe's port either way).
func HealthCheckPort(s spec.ServiceSpec) string {
	if *s.HealthCheck.Port != s.Port {
		return strconv.Itoa(*s.HealthCheck.Port)
	}
	return "traffic-port"
}

// TargetGroupBinding is the AWS Load Balancer Controller's
// elbv2.k8s.aws/v1beta1 TargetGroupBinding: the fields zds sets.
type TargetGroupBinding struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              TargetGroupBindingSpec `json:"spec"`
}

// TargetGroupBindingSpec binds a Service port to a target group.
type TargetGroupBindingSpec struct {
	// TargetGroupARN is set by the Pulumi layer from the target group it
	// creates.
	TargetGroupARN string           `json:"targetGroupARN"`
	TargetType     string           `json:"targetType"`
	ServiceRef     ServiceReference `json:"serviceRef"`
}

// ServiceReference names a Service port.
type ServiceReference struct {
	Name string             `json:"name"`
	Port intstr.IntOrString `json:"port"`
}

// TargetGroup describes the ALB target group that Pulumi creates with
// pulumi-aws in targetGroupBinding mode.
type TargetGroup struct {
	Port                       int    `json:"port"`
	Protocol                   string `json:"protocol"`
	TargetType                 string `json:"targetType"`
	DeregistrationDelaySeconds int    `json:"deregistrationDelaySeconds"`
	HealthCheckPath            string `json:"healthCheckPath"`
	HealthCheckPort            string `json:"healthCheckPort"`
	HealthCheckIntervalSeconds int    `json:"healthCheckIntervalSeconds"`
	HealthCheckTimeoutSeconds  int    `json:"healthCheckTimeoutSeconds"`
	HealthyThreshold           int    `json:"healthyThreshold"`
	UnhealthyThreshold         int    `json:"unhealthyThreshold"`
	Matcher                    string `json:"matcher"`
}

// ListenerRule forwards host and paths to the target group.
type ListenerRule struct {
	Priority     int      `json:"priority"`
	Host         string   `json:"host,omitempty"`
	PathPatterns []string `json:"pathPatterns"`
}

// hpa is the autoscaler. Scale-down removes at most maxUnavailable pods per
// grace period, so no more pods are leaving at once than a drain allows.
func hpa(r *spec.Resolved) *autoscalingv2.HorizontalPodAutoscaler {
	s, t := r.Spec, r.Timing
	a := s.Autoscaling
	var metrics []autoscalingv2.MetricSpec
	add := func(name corev1.ResourceName, pct *int) {
		if pct == nil {
			return
		}
		metrics = append(metrics, autoscalingv2.MetricSpec{
			Type: autoscalingv2.ResourceMetricSourceType,
			Resource: &autoscalingv2.ResourceMetricSource{
				Name:   name,
				Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(int32(*pct))},
			},
		})
	}
	add(corev1.ResourceCPU, a.CPUUtilizationPercent)
	add(corev1.ResourceMemory, a.MemoryUtilizationPercent)
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: Meta(s, s.Name),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: s.Name},
			MinReplicas:    ptr(int32(*a.MinReplicas)),
			MaxReplicas:    int32(a.MaxReplicas),
			Metrics:        metrics,
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{
				ScaleDown: &autoscalingv2.HPAScalingRules{
					StabilizationWindowSeconds: ptr(int32(*a.ScaleDownStabilizationSeconds)),
					Policies: []autoscalingv2.HPAScalingPolicy{{
						Type:          autoscalingv2.PodsScalingPolicy,
						Value:         int32(*s.Disruption.MaxUnavailable),
						PeriodSeconds: int32(min(t.TerminationGracePeriodSeconds, 1800)),
					}},
				},
			},
		},
	}
}

// spread keeps a zone or node loss from taking every replica. Spreading is
// computed per ReplicaSet (pod-template-hash), so a rollout spreads its new
// pods too; cordoned and tainted nodes do not count as zones.
func spread(s spec.ServiceSpec) []corev1.TopologySpreadConstraint {
	var out []corev1.TopologySpreadConstraint
	add := func(key, mode string) {
		if mode == "Off" {
			return
		}
		out = append(out, corev1.TopologySpreadConstraint{
			MaxSkew:           1,
			TopologyKey:       key,
			WhenUnsatisfiable: corev1.UnsatisfiableConstraintAction(mode),
			LabelSelector:     &metav1.LabelSelector{MatchLabels: SelectorLabels(s)},
			MatchLabelKeys:    []string{"pod-template-hash"},
			NodeTaintsPolicy:  ptr(corev1.NodeInclusionPolicyHonor),
		})
	}
	add("topology.kubernetes.io/zone", s.Spread.Zones)
	add("kubernetes.io/hostname", s.Spread.Nodes)
	return out
}
