// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package check

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/zerodowntime/zds/components/manifests"
)

// Decode groups manifests (as produced by preview or read from a cluster)
// into one Objects per Deployment, matched by namespace and name; the
// namespace object goes with every service in it.
func Decode(objs []map[string]any) ([]*manifests.Objects, error) {
	var out []*manifests.Objects
	byKey := map[string]*manifests.Objects{}
	namespaces := map[string]*corev1.Namespace{}
	var rest []map[string]any
	for _, m := range objs {
		kind, _ := m["kind"].(string)
		switch kind {
		case "Namespace":
			var ns corev1.Namespace
			if err := convert(m, &ns); err != nil {
				return nil, err
			}
			namespaces[ns.Name] = &ns
		case "Deployment":
			var d appsv1.Deployment
			if err := convert(m, &d); err != nil {
				return nil, err
			}
			o := &manifests.Objects{Deployment: &d}
			byKey[d.Namespace+"/"+d.Name] = o
			out = append(out, o)
		default:
			rest = append(rest, m)
		}
	}
	for _, m := range rest {
		meta, _ := m["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		o := byKey[ns+"/"+name]
		if o == nil {
			continue
		}
		var err error
		switch m["kind"] {
		case "Service":
			o.Service = &corev1.Service{}
			err = convert(m, o.Service)
		case "Ingress":
			o.Ingress = &networkingv1.Ingress{}
			err = convert(m, o.Ingress)
		case "PodDisruptionBudget":
			o.PDB = &policyv1.PodDisruptionBudget{}
			err = convert(m, o.PDB)
		case "TargetGroupBinding":
			o.TargetGroupBinding = &manifests.TargetGroupBinding{}
			err = convert(m, o.TargetGroupBinding)
		case "HorizontalPodAutoscaler":
			o.HPA = &autoscalingv2.HorizontalPodAutoscaler{}
			err = convert(m, o.HPA)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, o := range out {
		o.NamespacePatch = namespaces[o.Deployment.Namespace]
	}
	return out, nil
}

func convert(m map[string]any, into any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("decoding %v: %w", m["kind"], err)
	}
	return nil
}

// TargetGroupFromInputs reads the settings of a pulumi-aws
// aws.lb.TargetGroup from its registered inputs (numbers as float64).
func TargetGroupFromInputs(in map[string]any) *manifests.TargetGroup {
	num := func(v any) int { f, _ := v.(float64); return int(f) }
	str := func(v any) string { s, _ := v.(string); return s }
	hc, _ := in["healthCheck"].(map[string]any)
	return &manifests.TargetGroup{
		Port:                       num(in["port"]),
		Protocol:                   str(in["protocol"]),
		TargetType:                 str(in["targetType"]),
		DeregistrationDelaySeconds: num(in["deregistrationDelay"]),
		HealthCheckPath:            str(hc["path"]),
		HealthCheckPort:            str(hc["port"]),
		HealthCheckIntervalSeconds: num(hc["interval"]),
		HealthCheckTimeoutSeconds:  num(hc["timeout"]),
		HealthyThreshold:           num(hc["healthyThreshold"]),
		UnhealthyThreshold:         num(hc["unhealthyThreshold"]),
		Matcher:                    str(hc["matcher"]),
	}
}
