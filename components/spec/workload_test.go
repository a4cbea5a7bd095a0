// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/zerodowntime/zds/components/spec"
)

// realApp is a spec with every workload field a real service uses: secret
// and config references, volumes, scheduling.
func realApp() spec.ServiceSpec {
	s := minimal()
	s.Env = []spec.EnvVar{
		{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}},
		{Name: "LOG_LEVEL", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}, Key: "log.level"}}},
		{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		{Name: "GOMEMLIMIT", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory"}}},
	}
	s.EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app-env"}}, Prefix: "APP_"}}
	limit := resource.MustParse("1Gi")
	s.Volumes = []spec.Volume{
		{Name: "config", ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "app-config"}, Items: []corev1.KeyToPath{{Key: "app.yaml", Path: "app.yaml"}}}},
		{Name: "tls", Secret: &corev1.SecretVolumeSource{SecretName: "web-tls"}},
		{Name: "cache", EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: &limit}},
		{Name: "token", Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Audience: "vault", Path: "token"}}}}},
	}
	s.VolumeMounts = []corev1.VolumeMount{
		{Name: "config", MountPath: "/etc/app", ReadOnly: true},
		{Name: "tls", MountPath: "/etc/tls", ReadOnly: true},
		{Name: "cache", MountPath: "/var/cache/app"},
		{Name: "token", MountPath: "/var/run/secrets/vault"},
	}
	s.Pod.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "registry"}}
	s.Pod.NodeSelector = map[string]string{"nodegroup": "web"}
	s.Pod.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "web", Effect: corev1.TaintEffectNoSchedule}}
	s.Pod.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"arm64"}}}}},
	}}}
	s.Pod.PriorityClassName = "web-critical"
	s.InitContainers = []spec.InitContainer{{
		Name: "migrate", Image: "ghcr.io/acme/web:1.4.2", Command: []string{"/web", "migrate"},
		Env: []spec.EnvVar{{Name: "DB_PASSWORD", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db"}, Key: "password"}}}},
		VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/app", ReadOnly: true}},
	}}
	return s
}

func TestWorkloadFieldsAreValidated(t *testing.T) {
	if errs := validate(realApp(), spec.Inputs{}, nil); len(errs) > 0 {
		t.Fatalf("the real app is refused: %v", errs)
	}
	tests := []struct {
		name  string
		after func(*spec.ServiceSpec)
		want  []wantErr
	}{
		{"value and valueFrom", func(s *spec.ServiceSpec) { s.Env[0].Value = "hunter2" },
			[]wantErr{{"spec.env[0].value", "not both"}}},
		{"two sources", func(s *spec.ServiceSpec) {
			s.Env[0].ValueFrom.ConfigMapKeyRef = &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}, Key: "k"}
		}, []wantErr{{"spec.env[0].valueFrom", "exactly one"}}},
		{"a secret without a key", func(s *spec.ServiceSpec) { s.Env[0].ValueFrom.SecretKeyRef.Key = "" },
			[]wantErr{{"spec.env[0].valueFrom.secretKeyRef.key", "name the key"}}},
		{"a bad ConfigMap name", func(s *spec.ServiceSpec) { s.Env[1].ValueFrom.ConfigMapKeyRef.Name = "App_Config" },
			[]wantErr{{"spec.env[1].valueFrom.configMapKeyRef.name", "lowercase"}}},
		{"an unknown pod field", func(s *spec.ServiceSpec) { s.Env[2].ValueFrom.FieldRef.FieldPath = "spec.nodeNam" },
			[]wantErr{{"spec.env[2].valueFrom.fieldRef.fieldPath", "supported values"}}},
		{"a label field", func(s *spec.ServiceSpec) {
			s.Env[2].ValueFrom.FieldRef.FieldPath = "metadata.labels['app.kubernetes.io/name']"
		}, nil},
		{"an unknown resource", func(s *spec.ServiceSpec) { s.Env[3].ValueFrom.ResourceFieldRef.Resource = "limits.gpu" },
			[]wantErr{{"spec.env[3].valueFrom.resourceFieldRef.resource", "supported values"}}},
		{"envFrom with both refs", func(s *spec.ServiceSpec) {
			s.EnvFrom[0].SecretRef = &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}
		}, []wantErr{{"spec.envFrom[0]", "exactly one"}}},
		{"a bad envFrom prefix", func(s *spec.ServiceSpec) { s.EnvFrom[0].Prefix = "1-" },
			[]wantErr{{"spec.envFrom[0].prefix", "environment variable name"}}},
		{"a volume named tmp", func(s *spec.ServiceSpec) { s.Volumes[2].Name = "tmp"; s.VolumeMounts[2].Name = "tmp" },
			[]wantErr{{"spec.volumes[2].name", "zds's own"}, {"spec.volumeMounts[2].name", "spec.volumes"}}},
		{"two volumes of one name", func(s *spec.ServiceSpec) { s.Volumes[1].Name = "config"; s.VolumeMounts[1].Name = "config" },
			[]wantErr{{"spec.volumes[1].name", "Duplicate"}}},
		{"a volume with two sources", func(s *spec.ServiceSpec) { s.Volumes[0].EmptyDir = &corev1.EmptyDirVolumeSource{} },
			[]wantErr{{"spec.volumes[0]", "exactly one"}}},
		{"a volume with no source", func(s *spec.ServiceSpec) { s.Volumes[0].ConfigMap = nil },
			[]wantErr{{"spec.volumes[0]", "exactly one"}}},
		{"an absolute item path", func(s *spec.ServiceSpec) { s.Volumes[0].ConfigMap.Items[0].Path = "/etc/app.yaml" },
			[]wantErr{{"spec.volumes[0].configMap.items[0].path", "relative"}}},
		{"an item path with ..", func(s *spec.ServiceSpec) { s.Volumes[0].ConfigMap.Items[0].Path = "a/../../b" },
			[]wantErr{{"spec.volumes[0].configMap.items[0].path", ".."}}},
		{"a file mode above 0777", func(s *spec.ServiceSpec) { m := int32(0o1777); s.Volumes[1].Secret.DefaultMode = &m },
			[]wantErr{{"spec.volumes[1].secret.defaultMode", "0777"}}},
		{"a short-lived token", func(s *spec.ServiceSpec) {
			e := int64(60)
			s.Volumes[3].Projected.Sources[0].ServiceAccountToken.ExpirationSeconds = &e
		}, []wantErr{{"spec.volumes[3].projected.sources[0].serviceAccountToken.expirationSeconds", "600"}}},
		{"a mount of no volume", func(s *spec.ServiceSpec) { s.VolumeMounts[0].Name = "conf" },
			[]wantErr{{"spec.volumeMounts[0].name", "spec.volumes"}}},
		{"a mount over /tmp", func(s *spec.ServiceSpec) { s.VolumeMounts[2].MountPath = "/tmp/" },
			[]wantErr{{"spec.volumeMounts[2].mountPath", "zds's own"}}},
		{"a relative mount path", func(s *spec.ServiceSpec) { s.VolumeMounts[2].MountPath = "var/cache" },
			[]wantErr{{"spec.volumeMounts[2].mountPath", "absolute"}}},
		{"two mounts at one path", func(s *spec.ServiceSpec) { s.VolumeMounts[1].MountPath = "/etc/app" },
			[]wantErr{{"spec.volumeMounts[1].mountPath", "Duplicate"}}},
		{"a bad pull secret", func(s *spec.ServiceSpec) { s.Pod.ImagePullSecrets[0].Name = "" },
			[]wantErr{{"spec.pod.imagePullSecrets[0].name", "name the object"}}},
		{"a bad node label", func(s *spec.ServiceSpec) { s.Pod.NodeSelector["node group"] = "web" },
			[]wantErr{{"spec.pod.nodeSelector[node group]", "name part"}}},
		{"Exists with a value", func(s *spec.ServiceSpec) { s.Pod.Tolerations[0].Operator = corev1.TolerationOpExists },
			[]wantErr{{"spec.pod.tolerations[0].value", "Exists"}}},
		{"an unknown effect", func(s *spec.ServiceSpec) { s.Pod.Tolerations[0].Effect = "NoEntry" },
			[]wantErr{{"spec.pod.tolerations[0].effect", "supported values"}}},
		{"tolerationSeconds without NoExecute", func(s *spec.ServiceSpec) { v := int64(30); s.Pod.Tolerations[0].TolerationSeconds = &v },
			[]wantErr{{"spec.pod.tolerations[0].tolerationSeconds", "NoExecute"}}},
		{"In without values", func(s *spec.ServiceSpec) {
			s.Pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Values = nil
		}, []wantErr{{"spec.pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values", "at least one value"}}},
		{"a pod anti-affinity without a topology key", func(s *spec.ServiceSpec) {
			s.Pod.Affinity.PodAntiAffinity = &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			}}}
		}, []wantErr{{"spec.pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey", "kubernetes.io/hostname"}}},
		{"a bad priority class", func(s *spec.ServiceSpec) { s.Pod.PriorityClassName = "Web Critical" },
			[]wantErr{{"spec.pod.priorityClassName", "lowercase"}}},
		{"an init container named app", func(s *spec.ServiceSpec) { s.InitContainers[0].Name = "app" },
			[]wantErr{{"spec.initContainers[0].name", "app container"}}},
		{"two init containers of one name", func(s *spec.ServiceSpec) { s.InitContainers = append(s.InitContainers, s.InitContainers[0]) },
			[]wantErr{{"spec.initContainers[1].name", "Duplicate"}}},
		{"an init container without an image", func(s *spec.ServiceSpec) { s.InitContainers[0].Image = "" },
			[]wantErr{{"spec.initContainers[0].image", "Required"}}},
		{"an init container mounting no volume", func(s *spec.ServiceSpec) { s.InitContainers[0].VolumeMounts[0].Name = "conf" },
			[]wantErr{{"spec.initContainers[0].volumeMounts[0].name", "spec.volumes"}}},
		{"an init container's bad secret reference", func(s *spec.ServiceSpec) {
			s.InitContainers[0].Env[0].ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{Key: "password"}}
		}, []wantErr{{"spec.initContainers[0].env[0].valueFrom.secretKeyRef.name", "name the object"}}},
		{"an init container mounting one path twice", func(s *spec.ServiceSpec) {
			s.InitContainers[0].VolumeMounts = append(s.InitContainers[0].VolumeMounts, corev1.VolumeMount{Name: "tls", MountPath: "/etc/app"})
		}, []wantErr{{"spec.initContainers[0].volumeMounts[1].mountPath", "Duplicate"}}},
		{"a sidecar mount with subPathExpr", func(s *spec.ServiceSpec) {
			s.Sidecars = []spec.Sidecar{{Name: "logs", Image: "fluent-bit:3", VolumeMounts: []corev1.VolumeMount{{Name: "config", MountPath: "/etc/logs", SubPathExpr: "$(POD_NAME)"}}}}
		}, []wantErr{{"spec.sidecars[0].volumeMounts[0]", "not supported"}}},
		{"an init container running 0 s", func(s *spec.ServiceSpec) { z := 0; s.InitContainers[0].MaxSeconds = &z },
			[]wantErr{{"spec.initContainers[0].maxSeconds", "between 1 and 3600"}}},
		{"a native and a classic sidecar", func(s *spec.ServiceSpec) {
			s.Sidecars = []spec.Sidecar{{Name: "proxy", Image: "envoy:1", OnRequestPath: true}, {Name: "logs", Image: "fluent-bit:3", Classic: true, PreStopSleepSeconds: intPtr(10)}}
		}, nil},
		{"a sidecar named like the init container", func(s *spec.ServiceSpec) {
			s.Sidecars = []spec.Sidecar{{Name: "migrate", Image: "envoy:1"}}
		}, []wantErr{{"spec.sidecars[0].name", "Duplicate"}}},
		{"a preStop on a native sidecar", func(s *spec.ServiceSpec) {
			s.Sidecars = []spec.Sidecar{{Name: "proxy", Image: "envoy:1", PreStopSleepSeconds: intPtr(30)}}
		}, []wantErr{{"spec.sidecars[0].preStopSleepSeconds", "native sidecar needs no preStop"}}},
		{"a sidecar shutting down for hours", func(s *spec.ServiceSpec) {
			s.Sidecars = []spec.Sidecar{{Name: "proxy", Image: "envoy:1", ShutdownSeconds: intPtr(7200)}}
		}, []wantErr{{"spec.sidecars[0].shutdownSeconds", "between 0 and 3600"}}},
		{"an IRSA service account", func(s *spec.ServiceSpec) {
			s.ServiceAccount = spec.ServiceAccount{Create: true, Annotations: map[string]string{spec.IRSARoleAnnotation: "arn:aws:iam::123456789012:role/web"}}
		}, nil},
		{"Pod Identity on the created account", func(s *spec.ServiceSpec) {
			s.ServiceAccount = spec.ServiceAccount{Create: true, PodIdentity: &spec.PodIdentity{ClusterName: "prod", RoleArn: "arn:aws:iam::123456789012:role/web"}}
		}, nil},
		{"Pod Identity on an existing account", func(s *spec.ServiceSpec) {
			s.Pod.ServiceAccountName = "web"
			s.ServiceAccount.PodIdentity = &spec.PodIdentity{ClusterName: "prod", RoleArn: "arn:aws:iam::123456789012:role/web"}
		}, nil},
		{"service account annotations without create", func(s *spec.ServiceSpec) {
			s.ServiceAccount.Annotations = map[string]string{spec.IRSARoleAnnotation: "arn:aws:iam::123456789012:role/web"}
		}, []wantErr{{"spec.serviceAccount.create", "create: true"}}},
		{"a created account and another one", func(s *spec.ServiceSpec) {
			s.ServiceAccount.Create, s.Pod.ServiceAccountName = true, "other"
		}, []wantErr{{"spec.pod.serviceAccountName", "remove pod.serviceAccountName"}}},
		{"a role annotation that is no role", func(s *spec.ServiceSpec) {
			s.ServiceAccount = spec.ServiceAccount{Create: true, Annotations: map[string]string{spec.IRSARoleAnnotation: "arn:aws:iam::123456789012:user/web"}}
		}, []wantErr{{"spec.serviceAccount.annotations[eks.amazonaws.com/role-arn]", "IAM role ARN"}}},
		{"Pod Identity for the default account", func(s *spec.ServiceSpec) {
			s.ServiceAccount.PodIdentity = &spec.PodIdentity{ClusterName: "prod", RoleArn: "arn:aws:iam::123456789012:role/web"}
		}, []wantErr{{"spec.serviceAccount.create", "never the namespace's default"}}},
		{"Pod Identity without a cluster", func(s *spec.ServiceSpec) {
			s.ServiceAccount = spec.ServiceAccount{Create: true, PodIdentity: &spec.PodIdentity{RoleArn: "arn:aws:iam::123456789012:role/web"}}
		}, []wantErr{{"spec.serviceAccount.podIdentity.clusterName", "cluster"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := realApp()
			tc.after(&s)
			matchErrors(t, validate(s, spec.Inputs{}, nil), tc.want)
		})
	}
}
