// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package podsecurity_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/zerodowntime/zds/components/podsecurity"
)

func ExampleEvaluate() {
	yes, no := true, false
	tpl := &corev1.PodTemplateSpec{Spec: corev1.PodSpec{
		SecurityContext: &corev1.PodSecurityContext{RunAsNonRoot: &yes, SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		Containers: []corev1.Container{{Name: "app", Image: "web", SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: &no, Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}},
	}}
	v, _ := podsecurity.Evaluate("restricted", tpl)
	fmt.Println(v)

	tpl.Spec.HostNetwork = true
	v, _ = podsecurity.Evaluate("restricted", tpl)
	fmt.Println(v)

	tpl.Spec.Volumes = []corev1.Volume{{Name: "docker", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/run/docker.sock"}}}}
	v, _ = podsecurity.Evaluate("baseline", tpl)
	fmt.Println(v)
	// Output:
	// allowed
	// forbidden: host namespaces (hostNetwork=true); the pods need privileged
	// forbidden: host namespaces (hostNetwork=true), hostPath volumes (volume "docker"); the pods need privileged
}
