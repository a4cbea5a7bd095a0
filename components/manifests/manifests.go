// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package manifests turns a resolved spec into the Kubernetes objects of a
// ZeroDowntimeService, using the Kubernetes API's own Go types. It is pure:
// the Pulumi component registers these objects, and tests can check them
// without Pulumi.
package manifests

import (
	"fmt"
	psaapi "k8s.io/pod-security-admission/api"
	"maps"
	"strconv"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// Names and annotations of the objects every kind of load balancer shares.
const (
	// Facts the timings derive from, recorded on the Deployment so the
	// chain can be re-checked from the objects alone (package check).
	AnnMaxRequestSeconds  = "zds.dev/max-request-seconds"
	AnnShutdownSeconds    = "zds.dev/shutdown-seconds"
	AnnStartupSeconds     = "zds.dev/startup-seconds"
	AnnPropagationSeconds = "zds.dev/propagation-seconds"
	AnnIdleTimeoutSeconds = "zds.dev/idle-timeout-seconds"
	AnnKeepAliveSeconds   = "zds.dev/keep-alive-timeout-seconds"
	// AnnSidecarShutdown lists each sidecar's shutdown time, "name=S,...",
	// and AnnSidecarsOnPath the ones on the request path, "name,...".
	AnnSidecarShutdown = "zds.dev/sidecar-shutdown-seconds"
	AnnSidecarsOnPath  = "zds.dev/sidecars-on-request-path"

	// AnnCheckIgnore lists the zds check rules not to report for an object
	// ("exec-sleep,budget"): a decision the object's owner made. zds sets
	// exec-sleep on a Deployment whose spec chose pod.preStopHook: exec.
	AnnCheckIgnore = "zds.dev/check-ignore"

	// AnnSkipAwait is pulumi-kubernetes' switch to not wait for a resource.
	AnnSkipAwait = "pulumi.com/skipAwait"

	// ContainerName is the name of the app container.
	ContainerName = "app"
	// PortName names the container and Service port.
	PortName = "http"
	// ServicePort is the Service's port.
	ServicePort = 80
	// TmpVolume is the emptyDir that keeps /tmp writable on a read-only
	// root filesystem.
	TmpVolume = spec.TmpVolumeName
)

// Objects are the Kubernetes objects of one ZeroDowntimeService. Exactly one
// of Namespace (created) and NamespacePatch (label on an existing namespace)
// is set.
//
// Which of the others are set depends on loadBalancer.kind: alb has an
// Ingress; nlb a Service of type LoadBalancer and nothing else; and
// targetGroupBinding a TargetGroupBinding plus the AWS TargetGroup (and
// ListenerRule) that Pulumi creates with pulumi-aws.
type Objects struct {
	Namespace          *corev1.Namespace
	NamespacePatch     *corev1.Namespace
	Service            *corev1.Service
	Ingress            *networkingv1.Ingress
	TargetGroupBinding *TargetGroupBinding
	PDB                *policyv1.PodDisruptionBudget
	Deployment         *appsv1.Deployment
	HPA                *autoscalingv2.HorizontalPodAutoscaler

	TargetGroup  *TargetGroup
	ListenerRule *ListenerRule

	// ServiceAccount is set with serviceAccount.create; PodIdentity, the EKS
	// Pod Identity association the Pulumi layer creates with pulumi-aws,
	// with serviceAccount.podIdentity.
	ServiceAccount *corev1.ServiceAccount
	PodIdentity    *PodIdentityAssociation

	// GatePolicy and GatePolicyBinding (cluster-scoped) are set with
	// loadBalancer.requireReadinessGate: the API server refuses the
	// service's pods without the controller's readiness gate.
	GatePolicy        *admissionregistrationv1.ValidatingAdmissionPolicy
	GatePolicyBinding *admissionregistrationv1.ValidatingAdmissionPolicyBinding
}

// PodIdentityAssociation describes the aws.eks.PodIdentityAssociation the
// Pulumi layer creates: this IAM role for the pods' service account.
type PodIdentityAssociation struct {
	ClusterName    string `json:"clusterName"`
	Namespace      string `json:"namespace"`
	ServiceAccount string `json:"serviceAccount"`
	RoleArn        string `json:"roleArn"`
}

// SelectorLabels select exactly this service's pods.
func SelectorLabels(s spec.ServiceSpec) map[string]string {
	return map[string]string{spec.LabelName: s.Name, spec.LabelInstance: s.Name}
}

// CommonLabels go on every object: the user's labels, then the recommended
// app.kubernetes.io labels (which win).
func CommonLabels(s spec.ServiceSpec) map[string]string {
	l := maps.Clone(s.Labels)
	if l == nil {
		l = map[string]string{}
	}
	maps.Copy(l, SelectorLabels(s))
	l[spec.LabelComponent] = "web"
	l[spec.LabelManagedBy] = spec.ManagedBy
	return l
}

// PodLabels are the common labels plus the version, which only the pods
// carry: a release then changes the pod template alone, not the Service,
// Ingress or budget (an Ingress change makes the controller reconcile).
func PodLabels(s spec.ServiceSpec) map[string]string {
	l := CommonLabels(s)
	if s.Version != "" {
		l[spec.LabelVersion] = s.Version
	}
	return l
}

// Meta is the metadata of an object of the service: its namespace and the
// common labels.
func Meta(s spec.ServiceSpec, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: s.Namespace, Labels: CommonLabels(s)}
}

// Build returns the objects every load-balancer kind shares: the namespace
// (or its label), a ClusterIP Service, the budget, the Deployment and the
// autoscaler. The kind's mode (package service) adds what binds the
// Service to a target group.
func Build(r *spec.Resolved) *Objects {
	s := r.Spec
	o := &Objects{}
	ns := &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: s.Namespace, Labels: map[string]string{spec.ReadinessGateLabel: spec.ReadinessGateValue}},
	}
	if s.CreateNamespace {
		// The namespace zds creates admits the pods at their level and no
		// lower one; a namespace it only labels is the cluster's to
		// secure (another workload there may need less).
		ns.Labels[psaapi.EnforceLevelLabel] = s.Pod.SecurityLevel
		o.Namespace = ns
	} else {
		o.NamespacePatch = ns
	}
	o.Service = service(s)
	if sa := s.ServiceAccount; sa.Create {
		meta := Meta(s, sa.Name)
		meta.Annotations = sa.Annotations
		o.ServiceAccount = &corev1.ServiceAccount{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: meta,
			// The pods mount no API token either (pod.automountServiceAccountToken).
			AutomountServiceAccountToken: ptr(s.Pod.AutomountServiceAccountToken),
		}
	}
	if pi := s.ServiceAccount.PodIdentity; pi != nil {
		o.PodIdentity = &PodIdentityAssociation{ClusterName: pi.ClusterName, Namespace: s.Namespace, ServiceAccount: serviceAccountName(s), RoleArn: pi.RoleArn}
	}
	o.PDB = pdb(s)
	if s.LoadBalancer.RequireReadinessGate == nil || *s.LoadBalancer.RequireReadinessGate {
		o.GatePolicy, o.GatePolicyBinding = gatePolicy(s)
	}
	o.Deployment = deployment(r)
	if s.Autoscaling.Enabled {
		o.HPA = hpa(r)
	}
	return o
}

func service(s spec.ServiceSpec) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: Meta(s, s.Name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: SelectorLabels(s),
			Ports: []corev1.ServicePort{{
				Name:       PortName,
				Port:       ServicePort,
				TargetPort: intstr.FromString(PortName),
				Protocol:   corev1.ProtocolTCP,
			}},
		},
	}
}

func pdb(s spec.ServiceSpec) *policyv1.PodDisruptionBudget {
	mu := intstr.FromInt32(int32(*s.Disruption.MaxUnavailable))
	always := policyv1.AlwaysAllow
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: Meta(s, s.Name),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable:             &mu,
			Selector:                   &metav1.LabelSelector{MatchLabels: SelectorLabels(s)},
			UnhealthyPodEvictionPolicy: &always,
		},
	}
}

func ptr[T any](v T) *T { return &v }

func kubeletProbe(h corev1.ProbeHandler, p timing.Probe) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     h,
		PeriodSeconds:    p.PeriodSeconds,
		TimeoutSeconds:   p.TimeoutSeconds,
		FailureThreshold: p.FailureThreshold,
		SuccessThreshold: p.SuccessThreshold,
	}
}

// deployment is the rolling Deployment: maxUnavailable 0, the derived
// deadlines, and the pod with its grace period and hardened security.
func deployment(r *spec.Resolved) *appsv1.Deployment {
	s, t := r.Spec, r.Timing
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: deploymentMeta(r),
		Spec: appsv1.DeploymentSpec{
			Replicas:                replicas(s),
			Selector:                &metav1.LabelSelector{MatchLabels: SelectorLabels(s)},
			MinReadySeconds:         int32(t.MinReadySeconds),
			ProgressDeadlineSeconds: ptr(int32(t.ProgressDeadlineSeconds)),
			RevisionHistoryLimit:    ptr(int32(5)),
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: ptr(intstr.FromInt32(0)),
					MaxSurge:       ptr(intstr.FromInt32(int32(*s.Rollout.MaxSurge))),
				},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: PodLabels(s), Annotations: s.Pod.Annotations},
				Spec: corev1.PodSpec{
					TerminationGracePeriodSeconds: ptr(int64(t.TerminationGracePeriodSeconds)),
					ServiceAccountName:            serviceAccountName(s),
					AutomountServiceAccountToken:  ptr(s.Pod.AutomountServiceAccountToken),
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   ptr(true),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					InitContainers:            append(initContainers(s), sidecars(r, true)...),
					Containers:                append([]corev1.Container{container(r)}, sidecars(r, false)...),
					TopologySpreadConstraints: spread(s),
					Volumes:                   volumes(s),
					ImagePullSecrets:          s.Pod.ImagePullSecrets,
					NodeSelector:              s.Pod.NodeSelector,
					Tolerations:               s.Pod.Tolerations,
					Affinity:                  s.Pod.Affinity,
					PriorityClassName:         s.Pod.PriorityClassName,
				},
			},
		},
	}
}

// deploymentMeta records the facts the timings derive from on the
// Deployment, so package check can re-check the chain from the objects.
func deploymentMeta(r *spec.Resolved) metav1.ObjectMeta {
	s := r.Spec
	m := Meta(s, s.Name)
	m.Annotations = map[string]string{
		AnnMaxRequestSeconds:  strconv.Itoa(s.App.MaxRequestSeconds),
		AnnShutdownSeconds:    strconv.Itoa(*s.App.ShutdownSeconds),
		AnnStartupSeconds:     strconv.Itoa(*s.App.StartupSeconds),
		AnnPropagationSeconds: strconv.Itoa(*s.LoadBalancer.PropagationSeconds),
		AnnIdleTimeoutSeconds: strconv.Itoa(r.TimingInputs().IdleTimeoutSeconds),
	}
	if k := s.App.KeepAliveTimeoutSeconds; k != nil {
		m.Annotations[AnnKeepAliveSeconds] = strconv.Itoa(*k)
	}
	if s.Pod.PreStopHook == "exec" {
		// The spec chose the exec hook (a cluster before 1.30, an image
		// with /bin/sleep): zds check's warning about it is answered.
		m.Annotations[AnnCheckIgnore] = "exec-sleep"
	}
	if len(s.Sidecars) > 0 {
		var shutdown, onPath []string
		for _, sc := range s.Sidecars {
			shutdown = append(shutdown, fmt.Sprintf("%s=%d", sc.Name, *sc.ShutdownSeconds))
			if sc.OnRequestPath {
				onPath = append(onPath, sc.Name)
			}
		}
		m.Annotations[AnnSidecarShutdown] = strings.Join(shutdown, ",")
		if len(onPath) > 0 {
			m.Annotations[AnnSidecarsOnPath] = strings.Join(onPath, ",")
		}
	}
	return m
}

// container is the app container: its probes (rule 7: the LB health
// check's path and port), preStop sleep, resources and security context.
func container(r *spec.Resolved) corev1.Container {
	s, t := r.Spec, r.Timing
	hcPort := intstr.FromString(PortName)
	if *s.HealthCheck.Port != s.Port {
		hcPort = intstr.FromInt32(int32(*s.HealthCheck.Port))
	}
	httpGet := func(path string) corev1.ProbeHandler {
		return corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: hcPort, Scheme: corev1.URISchemeHTTP}}
	}
	readiness := kubeletProbe(httpGet(s.HealthCheck.Path), t.Readiness)
	startup := kubeletProbe(httpGet(s.HealthCheck.Path), t.Startup)
	var liveness *corev1.Probe
	if s.Liveness.Enabled {
		liveness = kubeletProbe(httpGet(s.Liveness.Path), t.Liveness)
	}
	preStop := sleepHook(s, t.PreStopSleepSeconds)
	c := corev1.Container{
		Name:    ContainerName,
		Image:   s.Image,
		Command: s.Command,
		Args:    s.Args,
		Ports: []corev1.ContainerPort{{
			Name: PortName, ContainerPort: int32(s.Port), Protocol: corev1.ProtocolTCP,
		}},
		Env:             envVars(s.Env),
		Resources:       resources(s.Resources),
		ReadinessProbe:  readiness,
		StartupProbe:    startup,
		LivenessProbe:   liveness,
		Lifecycle:       &corev1.Lifecycle{PreStop: preStop},
		SecurityContext: securityContext(s),
		EnvFrom:         s.EnvFrom,
		VolumeMounts:    withTmp(s.VolumeMounts),
	}
	if *s.HealthCheck.Port != s.Port {
		c.Ports = append(c.Ports, corev1.ContainerPort{
			Name: "health", ContainerPort: int32(*s.HealthCheck.Port), Protocol: corev1.ProtocolTCP,
		})
	}
	return c
}

// initContainers run before the app, in order, each with the app's
// hardened security context and /tmp.
func initContainers(s spec.ServiceSpec) []corev1.Container {
	var out []corev1.Container
	for _, c := range s.InitContainers {
		out = append(out, besideApp(s, c.Name, c.Image, c.Command, c.Args, c.Env, c.EnvFrom, c.VolumeMounts, c.Resources))
	}
	return out
}

// besideApp is a container next to the app (init or sidecar): as given,
// with the app's security context and zds's /tmp.
func besideApp(s spec.ServiceSpec, name, image string, command, args []string, env []spec.EnvVar, envFrom []corev1.EnvFromSource, mounts []corev1.VolumeMount, res spec.Resources) corev1.Container {
	return corev1.Container{
		Name:            name,
		Image:           image,
		Command:         command,
		Args:            args,
		Env:             envVars(env),
		EnvFrom:         envFrom,
		Resources:       resources(res),
		SecurityContext: securityContext(s),
		VolumeMounts:    withTmp(mounts),
	}
}

// withTmp is zds's /tmp mount, then mounts.
func withTmp(mounts []corev1.VolumeMount) []corev1.VolumeMount {
	return append([]corev1.VolumeMount{{Name: TmpVolume, MountPath: spec.TmpMountPath}}, mounts...)
}

// sidecars are the native sidecars (init containers with restartPolicy
// Always, after the other init containers) or the classic ones (regular
// containers after the app, with the derived preStop sleep).
func sidecars(r *spec.Resolved, native bool) []corev1.Container {
	s := r.Spec
	var out []corev1.Container
	for i, sc := range s.Sidecars {
		if sc.Classic == native {
			continue
		}
		c := besideApp(s, sc.Name, sc.Image, sc.Command, sc.Args, sc.Env, sc.EnvFrom, sc.VolumeMounts, sc.Resources)
		if native {
			c.RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
		} else if p := r.Timing.Sidecars[i].PreStopSleepSeconds; p > 0 {
			c.Lifecycle = &corev1.Lifecycle{PreStop: sleepHook(s, p)}
		}
		out = append(out, c)
	}
	return out
}

// sleepHook sleeps for seconds: the native sleep action, or `sleep` from
// the image (pod.preStopHook: exec).
func sleepHook(s spec.ServiceSpec, seconds int) *corev1.LifecycleHandler {
	if s.Pod.PreStopHook == "exec" {
		return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"sleep", strconv.Itoa(seconds)}}}
	}
	return &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: int64(seconds)}}
}

// securityContext is every container's: no privilege escalation, no
// capabilities, non-root, the root filesystem read-only unless asked (Pod
// Security "restricted").
func securityContext(s spec.ServiceSpec) *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		ReadOnlyRootFilesystem:   s.Pod.ReadOnlyRootFilesystem,
		RunAsNonRoot:             ptr(true),
		RunAsUser:                s.Pod.RunAsUser,
		RunAsGroup:               s.Pod.RunAsUser,
	}
}

func envVars(in []spec.EnvVar) []corev1.EnvVar {
	var env []corev1.EnvVar
	for _, e := range in {
		env = append(env, corev1.EnvVar{Name: e.Name, Value: e.Value, ValueFrom: e.ValueFrom})
	}
	return env
}

func resources(r spec.Resources) corev1.ResourceRequirements {
	res := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	add := func(l corev1.ResourceList, name corev1.ResourceName, v string) {
		if v != "" {
			l[name] = resource.MustParse(v)
		}
	}
	add(res.Requests, corev1.ResourceCPU, r.Requests.CPU)
	add(res.Requests, corev1.ResourceMemory, r.Requests.Memory)
	add(res.Limits, corev1.ResourceCPU, r.Limits.CPU)
	add(res.Limits, corev1.ResourceMemory, r.Limits.Memory)
	return res
}

// serviceAccountName is the account the pods run as: the one the
// component creates, or pod.serviceAccountName ("" for the namespace's
// default).
func serviceAccountName(s spec.ServiceSpec) string {
	if s.ServiceAccount.Create {
		return s.ServiceAccount.Name
	}
	return s.Pod.ServiceAccountName
}

// volumes are zds's /tmp (writable on a read-only root filesystem) and the
// user's, in order.
func volumes(s spec.ServiceSpec) []corev1.Volume {
	out := []corev1.Volume{{
		Name:         TmpVolume,
		VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
	}}
	for _, v := range s.Volumes {
		out = append(out, corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{
			ConfigMap: v.ConfigMap, Secret: v.Secret, EmptyDir: v.EmptyDir, Projected: v.Projected,
		}})
	}
	return out
}

// replicas is unset when an autoscaler owns the count.
func replicas(s spec.ServiceSpec) *int32 {
	if s.Autoscaling.Enabled {
		return nil
	}
	return ptr(int32(*s.Replicas))
}
