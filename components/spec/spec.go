// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package spec is the one definition of a ZeroDowntimeService's arguments:
// the Go struct the Pulumi component takes, the `spec:` of a spec file, and
// the source of the JSON Schema. It applies defaults (defaults.go), checks
// them (validate.go) and hands the timing facts to package timing
// (resolve.go). It imports no Pulumi package.
package spec

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ServiceSpec describes one HTTP service behind an AWS load balancer.
// Everything not set here is derived (timings) or defaulted (see
// WithDefaults for the full list).
type ServiceSpec struct {
	// Name of the Kubernetes objects (Deployment, Service, Ingress,
	// PodDisruptionBudget) and of the app.kubernetes.io/name label. Must be a
	// DNS-1035 label. Defaults to the component's name. In a spec file it is
	// metadata.name.
	Name string `json:"-"`
	// Namespace the objects live in. It receives the label
	// elbv2.k8s.aws/pod-readiness-gate-inject=enabled before any other object
	// is created. Defaults to "default". In a spec file it is
	// metadata.namespace.
	Namespace string `json:"-"`
	// CreateNamespace makes the component create the namespace (carrying the
	// readiness-gate label) instead of labelling an existing one with a
	// server-side-apply patch. Defaults to false.
	CreateNamespace bool `json:"createNamespace,omitempty"`
	// Image is the container image, e.g. ghcr.io/acme/web:1.4.2. Required
	// (in Go, ZeroDowntimeServiceArgs.Image may supply it as a Pulumi input
	// instead).
	Image string `json:"image,omitempty"`
	// Version sets the app.kubernetes.io/version label on the pods only, so a
	// release changes nothing but the pod template. Unset: no version label.
	Version string `json:"version,omitempty" jsonschema:"maxLength=63"`
	// Command overrides the image's entrypoint.
	Command []string `json:"command,omitempty"`
	// Args overrides the image's command arguments.
	Args []string `json:"args,omitempty"`
	// Port is the container port that serves HTTP traffic. Defaults to 8080.
	Port int `json:"port,omitempty" jsonschema:"minimum=1,maximum=65535,default=8080"`
	// Replicas is the number of pods. At least 2, so one pod can be replaced
	// while another serves, unless acceptDowntime is set. Defaults to 3.
	Replicas *int `json:"replicas,omitempty" jsonschema:"minimum=1,maximum=2147483647,default=3"`
	// AcceptDowntime allows a single replica and a disruption budget that
	// lets every pod go at once: node drains then cause downtime. Defaults to
	// false.
	AcceptDowntime bool `json:"acceptDowntime,omitempty"`
	// Env sets environment variables on the container, in order.
	Env []EnvVar `json:"env,omitempty"`
	// EnvFrom sets environment variables from every key of ConfigMaps and
	// Secrets, as the Kubernetes container field envFrom. zds reads no
	// values: the output holds only the references.
	EnvFrom []corev1.EnvFromSource `json:"envFrom,omitempty"`
	// Volumes the pod mounts: configMap, secret, emptyDir or projected, as
	// in the Kubernetes API. The name "tmp" is zds's (/tmp on a read-only
	// root filesystem).
	Volumes []Volume `json:"volumes,omitempty"`
	// VolumeMounts mount the volumes into the app container, as the
	// Kubernetes container field volumeMounts. /tmp is zds's.
	VolumeMounts []corev1.VolumeMount `json:"volumeMounts,omitempty"`
	// InitContainers run one after another, each to completion, before the
	// app starts (e.g. a schema migration), with the app's security
	// context. Their maxSeconds count in the rollout deadlines.
	InitContainers []InitContainer `json:"initContainers,omitempty"`
	// Sidecars run beside the app for its whole life (a proxy, a log
	// shipper), as native sidecars by default: Kubernetes (≥ 1.29) starts
	// them before the app and stops them after it. Their shutdown counts in
	// the grace period.
	Sidecars []Sidecar `json:"sidecars,omitempty"`
	// Resources are the container's requests and limits.
	Resources Resources `json:"resources,omitempty"`
	// HealthCheck is the HTTP endpoint used by both the readiness probe and
	// the load balancer's target health check (rule 7: they must agree).
	HealthCheck HealthCheck `json:"healthCheck,omitempty"`
	// Liveness adds a liveness probe. Off by default: a liveness probe that
	// fails under load restarts healthy pods.
	Liveness Liveness `json:"liveness,omitempty"`
	// App holds the facts about the application that the timings derive from.
	App App `json:"app"`
	// LoadBalancer selects and configures the AWS load balancer in front.
	LoadBalancer LoadBalancer `json:"loadBalancer,omitempty"`
	// Timing pins derived timings. A pinned value is checked against every
	// rule, never changed; leave fields unset to have them derived.
	Timing Timing `json:"timing,omitempty"`
	// Capacity is what the cluster and the service can spare while pods
	// are replaced; the rollout's surge, the disruption budget and the
	// autoscaler's scale-down step derive from it.
	Capacity Capacity `json:"capacity,omitempty"`
	// Rollout tunes the rolling update.
	Rollout Rollout `json:"rollout,omitempty"`
	// Disruption configures the PodDisruptionBudget.
	Disruption Disruption `json:"disruption,omitempty"`
	// Autoscaling adds a HorizontalPodAutoscaler (autoscaling/v2); replicas
	// is then left to it.
	Autoscaling Autoscaling `json:"autoscaling,omitempty"`
	// Patches are strategic-merge patches (as kubectl patch takes them)
	// applied to the built objects, for a field zds does not model. Every
	// rule is checked again on the patched objects: a patch that breaks the
	// timing chain or the selection is refused, naming the rule.
	Patches []Patch `json:"patches,omitempty"`
	// ServiceAccount creates the pods' service account, e.g. to give them
	// an IAM role (IRSA, or EKS Pod Identity in the Pulumi component).
	ServiceAccount ServiceAccount `json:"serviceAccount,omitempty"`
	// Spread sets topology spread constraints across zones and nodes.
	Spread Spread `json:"spread,omitempty"`
	// Pod tunes the pod template.
	Pod Pod `json:"pod,omitempty"`
	// Labels are added to every object the component creates and to the pods.
	// They cannot override the app.kubernetes.io/name and
	// app.kubernetes.io/instance selector labels.
	Labels map[string]string `json:"labels,omitempty"`
}

// EnvVar is one environment variable.
type EnvVar struct {
	// Name of the variable.
	Name string `json:"name"`
	// Value of the variable. Leave it unset with valueFrom.
	Value string `json:"value,omitempty"`
	// ValueFrom takes the value from a Secret or ConfigMap key
	// (secretKeyRef, configMapKeyRef), a field of the pod (fieldRef) or a
	// resource of the container (resourceFieldRef), as in the Kubernetes
	// API. zds reads no values: the output holds only the references.
	ValueFrom *corev1.EnvVarSource `json:"valueFrom,omitempty"`
}

// Sidecar is a container beside the app, part of the termination chain.
type Sidecar struct {
	// Name of the container, a DNS-1123 label; not "app" nor an init
	// container's.
	Name string `json:"name"`
	// Image of the container. Required.
	Image string `json:"image"`
	// Command overrides the image's entrypoint.
	Command []string `json:"command,omitempty"`
	// Args overrides the image's command arguments.
	Args []string `json:"args,omitempty"`
	// Env sets environment variables, as the app's env.
	Env []EnvVar `json:"env,omitempty"`
	// EnvFrom sets variables from ConfigMaps and Secrets, as the app's.
	EnvFrom []corev1.EnvFromSource `json:"envFrom,omitempty"`
	// VolumeMounts mount the pod's volumes, as the app's.
	VolumeMounts []corev1.VolumeMount `json:"volumeMounts,omitempty"`
	// Resources are the container's requests and limits; defaulted as the
	// app's.
	Resources Resources `json:"resources,omitempty"`
	// ShutdownSeconds is the most the sidecar takes from SIGTERM to exit.
	// The grace period covers it. Defaults to 5.
	ShutdownSeconds *int `json:"shutdownSeconds,omitempty" jsonschema:"minimum=0,maximum=3600,default=5"`
	// OnRequestPath says requests reach the app through this sidecar (a
	// proxy in front of it): it must serve until the app has drained. A
	// native sidecar does by construction; a classic one gets the preStop
	// sleep P + S. Defaults to false.
	OnRequestPath bool `json:"onRequestPath,omitempty"`
	// Classic runs the sidecar as a second regular container, for clusters
	// older than Kubernetes 1.29: it then gets SIGTERM when its own preStop
	// ends, whatever the app is doing. Defaults to false (native).
	Classic bool `json:"classic,omitempty"`
	// PreStopSleepSeconds pins a classic sidecar's preStop sleep; on the
	// request path it must be at least P + S. Derived: P + S on the request
	// path, none otherwise. Not for native sidecars.
	PreStopSleepSeconds *int `json:"preStopSleepSeconds,omitempty" jsonschema:"minimum=1,maximum=10800"`
}

// +k8s:deepcopy-gen=false

// Patch is a strategic-merge patch of one built object.
type Patch struct {
	// Kind of the object: Deployment, Service, Ingress,
	// PodDisruptionBudget, HorizontalPodAutoscaler, ServiceAccount or
	// TargetGroupBinding.
	Kind string `json:"kind" jsonschema:"enum=Deployment,enum=Service,enum=Ingress,enum=PodDisruptionBudget,enum=HorizontalPodAutoscaler,enum=ServiceAccount,enum=TargetGroupBinding"`
	// Patch is the strategic-merge patch, e.g.
	// {spec: {template: {spec: {containers: [{name: app, imagePullPolicy: Always}]}}}}.
	// It may not change metadata.name or metadata.namespace.
	Patch map[string]any `json:"patch"`
}

// PatchPath is where a problem read on an object of kind belongs among
// patches: the last patch of that kind (the one that had the last word),
// or spec.patches as a whole when no patch touched such an object (a
// probe patched in the Deployment and read back against the Ingress).
func PatchPath(patches []Patch, kind string) *field.Path {
	root := field.NewPath("spec", "patches")
	at := root
	for i, p := range patches {
		if p.Kind == kind {
			at = root.Index(i).Child("patch")
		}
	}
	return at
}

// InitContainer is a container that runs to completion before the app.
type InitContainer struct {
	// Name of the container, a DNS-1123 label; not "app".
	Name string `json:"name"`
	// Image of the container. Required.
	Image string `json:"image"`
	// Command overrides the image's entrypoint.
	Command []string `json:"command,omitempty"`
	// Args overrides the image's command arguments.
	Args []string `json:"args,omitempty"`
	// Env sets environment variables, as the app's env.
	Env []EnvVar `json:"env,omitempty"`
	// EnvFrom sets variables from ConfigMaps and Secrets, as the app's.
	EnvFrom []corev1.EnvFromSource `json:"envFrom,omitempty"`
	// VolumeMounts mount the pod's volumes, as the app's.
	VolumeMounts []corev1.VolumeMount `json:"volumeMounts,omitempty"`
	// Resources are the container's requests and limits; defaulted as the
	// app's.
	Resources Resources `json:"resources,omitempty"`
	// MaxSeconds is the longest the container runs. A new pod is ready only
	// after every init container has finished, so each wave of a rollout
	// (and progressDeadlineSeconds) grows by it. Defaults to 30.
	MaxSeconds *int `json:"maxSeconds,omitempty" jsonschema:"minimum=1,maximum=3600,default=30"`
}

// Volume is a pod volume of one of the kinds a web service needs, each
// shaped as in the Kubernetes API (all allowed by Pod Security
// "restricted"). Exactly one source is set.
type Volume struct {
	// Name of the volume, a DNS-1123 label, unique in the pod; volumeMounts
	// refer to it.
	Name string `json:"name"`
	// ConfigMap mounts a ConfigMap's keys as files.
	ConfigMap *corev1.ConfigMapVolumeSource `json:"configMap,omitempty"`
	// Secret mounts a Secret's keys as files.
	Secret *corev1.SecretVolumeSource `json:"secret,omitempty"`
	// EmptyDir is a scratch directory that lives as long as the pod.
	EmptyDir *corev1.EmptyDirVolumeSource `json:"emptyDir,omitempty"`
	// Projected combines ConfigMaps, Secrets, the downward API and service
	// account tokens in one directory.
	Projected *corev1.ProjectedVolumeSource `json:"projected,omitempty"`
}

// Resources are container requests and limits, as Kubernetes quantities.
type Resources struct {
	// Requests reserve capacity for the container. Defaults to cpu 100m,
	// memory 128Mi.
	Requests ResourceList `json:"requests,omitempty"`
	// Limits cap the container. Memory defaults to the memory request; CPU
	// is not limited by default (throttling lengthens requests, and with
	// them every derived timing).
	Limits ResourceList `json:"limits,omitempty"`
}

// ResourceList is a CPU and memory quantity pair.
type ResourceList struct {
	// CPU quantity, e.g. 250m.
	CPU string `json:"cpu,omitempty"`
	// Memory quantity, e.g. 256Mi.
	Memory string `json:"memory,omitempty"`
}

// HealthCheck is the readiness endpoint shared by the kubelet and the load
// balancer.
type HealthCheck struct {
	// Path of the readiness endpoint; must start with "/". Defaults to
	// "/healthz".
	Path string `json:"path,omitempty" jsonschema:"pattern=^/,default=/healthz"`
	// Port of the readiness endpoint. Defaults to port.
	Port *int `json:"port,omitempty" jsonschema:"minimum=1,maximum=65535"`
	// SuccessCodes are the HTTP codes the load balancer treats as healthy:
	// "200", "200,204" or "200-299". Defaults to "200".
	SuccessCodes string `json:"successCodes,omitempty" jsonschema:"pattern=^[0-9]{3}(-[0-9]{3})?(\\,[0-9]{3}(-[0-9]{3})?)*$,default=200"`
	// IntervalSeconds between load-balancer health checks (I). Defaults to
	// 10 (ALB default 15): registration then takes 20 s, not 30 s.
	IntervalSeconds *int `json:"intervalSeconds,omitempty" jsonschema:"minimum=5,maximum=300,default=10"`
	// TimeoutSeconds for one health check; below intervalSeconds. Defaults to 5.
	TimeoutSeconds *int `json:"timeoutSeconds,omitempty" jsonschema:"minimum=2,maximum=120,default=5"`
	// HealthyThreshold is the number of consecutive successes before a
	// target is healthy (H). Defaults to 2.
	HealthyThreshold *int `json:"healthyThreshold,omitempty" jsonschema:"minimum=2,maximum=10,default=2"`
	// UnhealthyThreshold is the number of consecutive failures before a
	// target is unhealthy (U); also the readiness probe's failureThreshold.
	// Defaults to 2.
	UnhealthyThreshold *int `json:"unhealthyThreshold,omitempty" jsonschema:"minimum=2,maximum=10,default=2"`
}

// Liveness configures the optional liveness probe. It never equals the
// readiness probe: its period and failure threshold are longer, so a slow
// pod is taken out of rotation long before it is restarted.
type Liveness struct {
	// Enabled adds the liveness probe. Defaults to false.
	Enabled bool `json:"enabled,omitempty"`
	// Path of the liveness endpoint; must start with "/". Defaults to
	// healthCheck.path.
	Path string `json:"path,omitempty" jsonschema:"pattern=^/"`
}

// App holds facts only the application's owner knows. Every timing derives
// from them.
type App struct {
	// MaxRequestSeconds is the longest request the app serves: its server
	// or request timeout (R). Required.
	MaxRequestSeconds int `json:"maxRequestSeconds" jsonschema:"minimum=1,maximum=3600"`
	// ShutdownSeconds is the time the app needs after SIGTERM to finish
	// in-flight work and exit (S). Defaults to maxRequestSeconds.
	ShutdownSeconds *int `json:"shutdownSeconds,omitempty" jsonschema:"minimum=0,maximum=3600"`
	// StartupSeconds is the worst-case time from container start to the
	// first successful readiness check; the startup probe covers it.
	// Defaults to 30.
	StartupSeconds *int `json:"startupSeconds,omitempty" jsonschema:"minimum=0,maximum=3600,default=30"`
	// KeepAliveTimeoutSeconds is the app's HTTP keep-alive (idle connection)
	// timeout, if known. It must exceed loadBalancer.idleTimeoutSeconds
	// (rule 8). Unset: not checked.
	KeepAliveTimeoutSeconds *int `json:"keepAliveTimeoutSeconds,omitempty" jsonschema:"minimum=1,maximum=7600"`
}

// LoadBalancer configures the AWS Load Balancer Controller objects.
type LoadBalancer struct {
	// Kind of load balancer, all with IP targets and the readiness gate:
	// "alb", an Ingress for the AWS Load Balancer Controller; "nlb", a
	// Service of type LoadBalancer (no Ingress); "targetGroupBinding", an
	// ALB target group created in Pulumi (pulumi-aws) and bound to the
	// Service, optionally with a listener rule on an existing listener.
	// Defaults to "alb".
	Kind string `json:"kind,omitempty" jsonschema:"default=alb"`
	// Scheme is "internal" or "internet-facing" (alb, nlb). Defaults to
	// "internal", as the controller does.
	Scheme string `json:"scheme,omitempty" jsonschema:"enum=internal,enum=internet-facing,default=internal"`
	// Host routes only this host name to the service. Unset: every host.
	Host string `json:"host,omitempty"`
	// Paths routed to the service (prefix match). Defaults to ["/"].
	Paths []string `json:"paths,omitempty"`
	// CertificateArn of an ACM certificate: adds an HTTPS:443 listener. In
	// Go, ZeroDowntimeServiceArgs.CertificateArn may supply it as a Pulumi
	// input instead.
	CertificateArn string `json:"certificateArn,omitempty" jsonschema:"pattern=^arn:"`
	// SSLRedirect redirects HTTP to HTTPS. Needs a certificate. Defaults to
	// true when a certificate is set.
	SSLRedirect *bool `json:"sslRedirect,omitempty"`
	// GroupName puts the Ingress in an ALB group so several services share
	// one ALB (alb.ingress.kubernetes.io/group.name).
	GroupName string `json:"groupName,omitempty" jsonschema:"maxLength=63"`
	// GroupOrder orders this Ingress's rules within the group, -1000 to 1000.
	// Defaults to the controller's 0.
	GroupOrder *int `json:"groupOrder,omitempty" jsonschema:"minimum=-1000,maximum=1000"`
	// PropagationSeconds is the budget from pod deletion until the load
	// balancer sends no new requests to it (L); the preStop sleep covers it.
	// Defaults to 25 for ALB (new traffic measured stopping ~17 s after
	// draining began, aws-load-balancer-controller#2366).
	PropagationSeconds *int `json:"propagationSeconds,omitempty" jsonschema:"minimum=5,maximum=3600"`
	// IdleTimeoutSeconds is the ALB's idle timeout, checked against
	// app.keepAliveTimeoutSeconds (rule 8). With kind alb it is applied with
	// the idle_timeout.timeout_seconds load-balancer attribute (in a group,
	// only by the groupAttributesOwner); with targetGroupBinding it declares
	// the idle timeout of the ALB you manage. Unset: the ALB default of 60 is
	// assumed and nothing is applied. Not for nlb (an NLB reuses no
	// connections, so rule 8 does not apply).
	IdleTimeoutSeconds *int `json:"idleTimeoutSeconds,omitempty" jsonschema:"minimum=1,maximum=4000"`
	// GroupAttributesOwner makes this service apply the load-balancer-wide
	// attributes of its ALB group (idleTimeoutSeconds). Members of a group
	// share one ALB: exactly one of them should own its attributes, or two
	// services could fight over them. Needs groupName. Defaults to false.
	GroupAttributesOwner bool `json:"groupAttributesOwner,omitempty"`
	// VpcId of the target group (targetGroupBinding; required there).
	VpcId string `json:"vpcId,omitempty" jsonschema:"pattern=^vpc-"`
	// ListenerArn of an existing ALB listener (targetGroupBinding): a
	// listener rule then forwards host and paths to the target group.
	ListenerArn string `json:"listenerArn,omitempty" jsonschema:"pattern=^arn:"`
	// ListenerRulePriority of that rule, 1 to 50000; required with
	// listenerArn. Lower numbers are evaluated first.
	ListenerRulePriority *int `json:"listenerRulePriority,omitempty" jsonschema:"minimum=1,maximum=50000"`
	// IngressClassName of the AWS Load Balancer Controller. Defaults to "alb".
	IngressClassName string `json:"ingressClassName,omitempty" jsonschema:"default=alb"`
	// SkipAwait makes Pulumi not wait for the Ingress (alb) or Service (nlb)
	// to get its load balancer address (pulumi.com/skipAwait). Use it only when the
	// controller is not running yet; the readiness gate is then not
	// guaranteed for the first pods. Defaults to false.
	SkipAwait bool `json:"skipAwait,omitempty"`
	// RequireReadinessGate adds a ValidatingAdmissionPolicy and its
	// binding (both cluster-scoped, named zds-gate-<namespace>-<name>)
	// with which the API server refuses to create this service's pods
	// without the controller's readiness gate. The controller's webhook
	// fails open, so without the policy a pod created while the controller
	// is down takes traffic before its target is registered; with it the
	// pod waits until the webhook is back, and zds needs no
	// minReadySeconds: every rollout wave takes one registration time, not
	// two. Needs permission to create admission policies (Kubernetes ≥
	// 1.30). Set false to do without; zds then sets minReadySeconds to the
	// registration time. Defaults to true.
	RequireReadinessGate *bool `json:"requireReadinessGate,omitempty"`
}

// Timing pins derived values. Each pin is checked, never silently changed.
type Timing struct {
	// DeregistrationDelaySeconds pins the target group's
	// deregistration_delay.timeout_seconds (D). Must be ≥ app.maxRequestSeconds
	// and ≤ 3600. Derived: maxRequestSeconds + 5.
	DeregistrationDelaySeconds *int `json:"deregistrationDelaySeconds,omitempty" jsonschema:"minimum=0,maximum=3600"`
	// PreStopSleepSeconds pins the preStop sleep (P). Must be ≥
	// loadBalancer.propagationSeconds and, with app.shutdownSeconds, exceed
	// the deregistration delay. Derived: max(L, D − S + 1).
	PreStopSleepSeconds *int `json:"preStopSleepSeconds,omitempty" jsonschema:"minimum=1,maximum=3600"`
	// TerminationGracePeriodSeconds pins the pod's grace period (G). Must
	// exceed preStopSleepSeconds + app.shutdownSeconds. Derived: P + S + 5.
	TerminationGracePeriodSeconds *int `json:"terminationGracePeriodSeconds,omitempty" jsonschema:"minimum=1,maximum=10800"`
}

// Capacity is the one fact a rollout's, a drain's and a scale-down's pace
// derive from (docs/timing.md#how-long-events-take): each takes about
// replicas / headroom steps, so more headroom is a faster event.
type Capacity struct {
	// Headroom is how many pods may be in transition at once, as a count
	// ("3") or a percentage of replicas ("25%", rounded up, at least 1):
	// the extra pods the cluster can hold during a rollout
	// (rollout.maxSurge), and the pods the service can have away during a
	// node drain (disruption.maxUnavailable, kept below replicas) or
	// remove per grace period when the autoscaler scales down. Defaults to
	// "25%", Kubernetes' own maxSurge.
	Headroom string `json:"headroom,omitempty" jsonschema:"pattern=^([1-9][0-9]{0\\,9}|([1-9][0-9]?|100)%)$,default=25%"`
}

// Rollout tunes the Deployment's rolling update. maxUnavailable is always 0
// (rule 6): capacity never drops during a rollout.
type Rollout struct {
	// MaxSurge is how many extra pods a rollout may create at once; at least
	// 1. Defaults to capacity.headroom of replicas (autoscaling.maxReplicas).
	MaxSurge *int `json:"maxSurge,omitempty" jsonschema:"minimum=1,maximum=2147483647"`
}

// Disruption configures the PodDisruptionBudget (policy/v1).
type Disruption struct {
	// MaxUnavailable is how many pods voluntary disruptions (drains,
	// evictions) may take at once; at least 1 and below replicas. Defaults
	// to capacity.headroom of replicas (autoscaling.minReplicas), below
	// replicas.
	MaxUnavailable *int `json:"maxUnavailable,omitempty" jsonschema:"minimum=1,maximum=2147483647"`
}

// Pod tunes the pod template.
type Pod struct {
	// PreStopHook is "sleep" (the native lifecycle.preStop.sleep action,
	// Kubernetes ≥ 1.30, works on distroless images) or "exec" (runs
	// `sleep` from the image, for older clusters; needs /bin/sleep).
	// Defaults to "sleep".
	PreStopHook string `json:"preStopHook,omitempty" jsonschema:"enum=sleep,enum=exec,default=sleep"`
	// SecurityLevel is the Pod Security Standard the pods meet:
	// "restricted" (zds's pods always do, unless a patch asks for more),
	// "baseline" or "privileged". A patch that makes the pods need a lower
	// level than this is refused with the level they need. A namespace zds
	// creates enforces it (label pod-security.kubernetes.io/enforce); a
	// namespace zds only labels must enforce it or a lower level, or the
	// API server refuses the pods. Defaults to "restricted".
	SecurityLevel string `json:"securityLevel,omitempty" jsonschema:"enum=restricted,enum=baseline,enum=privileged,default=restricted"`
	// ServiceAccountName the pods run as. Defaults to the namespace's default
	// service account.
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// AutomountServiceAccountToken mounts an API token into the pods.
	// Defaults to false.
	AutomountServiceAccountToken bool `json:"automountServiceAccountToken,omitempty"`
	// RunAsUser is the non-root UID the container runs as. Defaults to 65532.
	RunAsUser *int64 `json:"runAsUser,omitempty" jsonschema:"minimum=1,maximum=2147483647"`
	// ReadOnlyRootFilesystem mounts the image read-only; /tmp stays writable
	// (an emptyDir). Defaults to true.
	ReadOnlyRootFilesystem *bool `json:"readOnlyRootFilesystem,omitempty"`
	// Annotations are added to the pod template.
	Annotations map[string]string `json:"annotations,omitempty"`
	// ImagePullSecrets name the Secrets holding registry credentials.
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`
	// NodeSelector runs the pods only on nodes with these labels (e.g. a
	// node group).
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// Tolerations let the pods run on tainted nodes, as in the Kubernetes
	// API.
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// Affinity constrains scheduling by node labels and other pods, as in
	// the Kubernetes API. Spreading across zones and nodes is spread's.
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// PriorityClassName of the pods.
	PriorityClassName string `json:"priorityClassName,omitempty"`
}

// ServiceAccount is the pods' own service account and how it gets an IAM
// role.
type ServiceAccount struct {
	// Create makes the component create the service account, before the
	// Deployment, and run the pods as it. Defaults to false: the pods run
	// as pod.serviceAccountName, or the namespace's default.
	Create bool `json:"create,omitempty"`
	// Name of the service account; a DNS-1123 subdomain. Defaults to the
	// service's name.
	Name string `json:"name,omitempty"`
	// Annotations on the service account, e.g.
	// eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/web for IAM
	// roles for service accounts (IRSA).
	Annotations map[string]string `json:"annotations,omitempty"`
	// PodIdentity associates an IAM role with the service account through
	// EKS Pod Identity (an aws.eks.PodIdentityAssociation), created by the
	// Pulumi component before the Deployment. zds render refuses it: it is
	// an AWS resource.
	PodIdentity *PodIdentity `json:"podIdentity,omitempty"`
}

// PodIdentity names the EKS cluster and the IAM role of an EKS Pod
// Identity association.
type PodIdentity struct {
	// ClusterName of the EKS cluster.
	ClusterName string `json:"clusterName"`
	// RoleArn of the IAM role, arn:aws:iam::ACCOUNT:role/NAME.
	RoleArn string `json:"roleArn" jsonschema:"pattern=^arn:"`
}

// Autoscaling configures a HorizontalPodAutoscaler. Scale-down takes the same
// path as a rollout's (preStop, drain, grace period), at most
// disruption.maxUnavailable pods per termination grace period.
type Autoscaling struct {
	// Enabled adds the autoscaler; the Deployment then sets no replicas
	// (do not set replicas too). Defaults to false.
	Enabled bool `json:"enabled,omitempty"`
	// MinReplicas is at least 2 and above disruption.maxUnavailable.
	// Defaults to 2.
	MinReplicas *int `json:"minReplicas,omitempty" jsonschema:"minimum=1,maximum=2147483647,default=2"`
	// MaxReplicas is the upper bound; rollout deadlines are sized for it.
	// Required when enabled.
	MaxReplicas int `json:"maxReplicas,omitempty" jsonschema:"minimum=1,maximum=2147483647"`
	// CPUUtilizationPercent is the target average CPU use, in percent of the
	// CPU request.
	CPUUtilizationPercent *int `json:"cpuUtilizationPercent,omitempty" jsonschema:"minimum=1,maximum=1000"`
	// MemoryUtilizationPercent is the target average memory use, in percent
	// of the memory request.
	MemoryUtilizationPercent *int `json:"memoryUtilizationPercent,omitempty" jsonschema:"minimum=1,maximum=1000"`
	// ScaleDownStabilizationSeconds is how long the autoscaler waits before
	// scaling down. Defaults to 300.
	ScaleDownStabilizationSeconds *int `json:"scaleDownStabilizationSeconds,omitempty" jsonschema:"minimum=0,maximum=3600,default=300"`
}

// Spread keeps a zone or node loss from taking every replica.
type Spread struct {
	// Zones is "DoNotSchedule" (replicas spread across
	// topology.kubernetes.io/zone, skew at most 1; tainted and cordoned
	// nodes do not count), "ScheduleAnyway" (a preference) or "Off".
	// Defaults to "DoNotSchedule".
	Zones string `json:"zones,omitempty" jsonschema:"enum=DoNotSchedule,enum=ScheduleAnyway,enum=Off,default=DoNotSchedule"`
	// Nodes is "ScheduleAnyway" (spread across kubernetes.io/hostname as a
	// preference), "DoNotSchedule" or "Off". Defaults to "ScheduleAnyway".
	Nodes string `json:"nodes,omitempty" jsonschema:"enum=DoNotSchedule,enum=ScheduleAnyway,enum=Off,default=ScheduleAnyway"`
}
