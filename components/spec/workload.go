// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The fields of a real workload that zds passes to Kubernetes as they are
// (references to Secrets and ConfigMaps, volumes, scheduling), checked here
// as the API server would check them, so that a mistake is reported with
// its path before anything is applied.

// TmpMountPath is where zds mounts its own emptyDir, named by TmpVolumeName.
const (
	TmpMountPath  = "/tmp"
	TmpVolumeName = "tmp"
)

var (
	// fieldRefPaths are the pod fields an environment variable may take
	// (the API server's list for env, less the node's IPs for brevity).
	fieldRefPaths = sets.New("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
		"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs")
	fieldRefLabelRE = regexp.MustCompile(`^metadata\.(labels|annotations)\['([^']+)'\]$`)
	// resourceFieldRefs are the resources a container's variable may take.
	resourceFieldRefs = sets.New("limits.cpu", "limits.memory", "limits.ephemeral-storage",
		"requests.cpu", "requests.memory", "requests.ephemeral-storage")
)

// validateWorkload checks env references, envFrom, volumes and their
// mounts, and the pod's scheduling fields.
func (s ServiceSpec) validateWorkload(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, e := range s.Env {
		if e.ValueFrom != nil {
			errs = append(errs, envSource(root.Child("env").Index(i), e)...)
		}
	}
	for i, e := range s.EnvFrom {
		errs = append(errs, envFrom(root.Child("envFrom").Index(i), e)...)
	}
	errs = append(errs, s.validateVolumes(root)...)
	errs = append(errs, s.validateExtraContainers(root)...)
	pod := root.Child("pod")
	for i, r := range s.Pod.ImagePullSecrets {
		errs = append(errs, objectName(pod.Child("imagePullSecrets").Index(i).Child("name"), r.Name)...)
	}
	errs = append(errs, labelMap(pod.Child("nodeSelector"), s.Pod.NodeSelector)...)
	for i, t := range s.Pod.Tolerations {
		errs = append(errs, toleration(pod.Child("tolerations").Index(i), t)...)
	}
	if a := s.Pod.Affinity; a != nil {
		errs = append(errs, affinity(pod.Child("affinity"), a)...)
	}
	if s.Pod.PriorityClassName != "" {
		errs = append(errs, objectName(pod.Child("priorityClassName"), s.Pod.PriorityClassName)...)
	}
	return append(errs, s.validateServiceAccount(root)...)
}

// IRSARoleAnnotation gives a service account an IAM role (IAM roles for
// service accounts).
const IRSARoleAnnotation = "eks.amazonaws.com/role-arn"

var iamRoleRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)

func (s ServiceSpec) validateServiceAccount(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	sa := s.ServiceAccount
	p := root.Child("serviceAccount")
	if pi := sa.PodIdentity; pi != nil {
		if pi.ClusterName == "" {
			errs = append(errs, field.Required(p.Child("podIdentity", "clusterName"), "name the EKS cluster"))
		}
		if !iamRoleRE.MatchString(pi.RoleArn) {
			errs = append(errs, field.Invalid(p.Child("podIdentity", "roleArn"), pi.RoleArn, "must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/web"))
		}
	}
	if !sa.Create {
		if sa.Name != "" || len(sa.Annotations) > 0 {
			errs = append(errs, field.Invalid(p.Child("create"), false,
				"name and annotations are for a service account the component creates: set serviceAccount.create: true, or name an existing one with pod.serviceAccountName"))
		}
		if sa.PodIdentity != nil && s.Pod.ServiceAccountName == "" {
			errs = append(errs, field.Required(p.Child("create"),
				"EKS Pod Identity associates a role with a service account: set serviceAccount.create: true, or name an existing one with pod.serviceAccountName (never the namespace's default)"))
		}
		return errs
	}
	if s.Pod.ServiceAccountName != "" {
		errs = append(errs, field.Invalid(root.Child("pod", "serviceAccountName"), s.Pod.ServiceAccountName,
			"the pods run as the service account the component creates (serviceAccount.name): remove pod.serviceAccountName"))
	}
	errs = append(errs, objectName(p.Child("name"), sa.Name)...)
	errs = append(errs, apivalidation.ValidateAnnotations(sa.Annotations, p.Child("annotations"))...)
	if arn, ok := sa.Annotations[IRSARoleAnnotation]; ok && !iamRoleRE.MatchString(arn) {
		errs = append(errs, field.Invalid(p.Child("annotations").Key(IRSARoleAnnotation), arn, "must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/web"))
	}
	return errs
}

// validateExtraContainers checks each init container and sidecar as the
// app: names (unique among every container), image, variables, mounts,
// resources; and the sidecars' own timings.
func (s ServiceSpec) validateExtraContainers(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	volumes := map[string]bool{TmpVolumeName: true}
	for _, v := range s.Volumes {
		volumes[v.Name] = true
	}
	seen := map[string]bool{}
	for i, c := range s.InitContainers {
		p := root.Child("initContainers").Index(i)
		errs = append(errs, extraContainer(p, c.Name, c.Image, c.Env, c.EnvFrom, c.VolumeMounts, c.Resources, volumes, seen)...)
		if v := c.MaxSeconds; v != nil && (*v < 1 || *v > 3600) {
			errs = append(errs, field.Invalid(p.Child("maxSeconds"), *v, "must be between 1 and 3600 seconds"))
		}
	}
	for i, c := range s.Sidecars {
		p := root.Child("sidecars").Index(i)
		errs = append(errs, extraContainer(p, c.Name, c.Image, c.Env, c.EnvFrom, c.VolumeMounts, c.Resources, volumes, seen)...)
		if v := c.ShutdownSeconds; v != nil && (*v < 0 || *v > 3600) {
			errs = append(errs, field.Invalid(p.Child("shutdownSeconds"), *v, "must be between 0 and 3600 seconds"))
		}
		if v := c.PreStopSleepSeconds; v != nil {
			if !c.Classic {
				errs = append(errs, field.Forbidden(p.Child("preStopSleepSeconds"), "a native sidecar needs no preStop: Kubernetes stops it after the app has exited; remove it, or set classic: true"))
			} else if *v < 1 || *v > 10800 {
				errs = append(errs, field.Invalid(p.Child("preStopSleepSeconds"), *v, "must be between 1 and 10800 seconds"))
			}
		}
	}
	return errs
}

// extraContainer checks a container beside the app: its name is its own,
// and its variables and mounts are as the app's must be.
func extraContainer(p *field.Path, name, image string, env []EnvVar, from []corev1.EnvFromSource, mounts []corev1.VolumeMount, res Resources, volumes, seen map[string]bool) field.ErrorList {
	var errs field.ErrorList
	switch {
	case name == "app":
		errs = append(errs, field.Invalid(p.Child("name"), name, `"app" is the app container's name: choose another`))
	case seen[name]:
		errs = append(errs, field.Duplicate(p.Child("name"), name))
	default:
		for _, msg := range validation.IsDNS1123Label(name) {
			errs = append(errs, field.Invalid(p.Child("name"), name, msg))
		}
	}
	seen[name] = true
	if image == "" {
		errs = append(errs, field.Required(p.Child("image"), "set the container image"))
	} else if strings.ContainsAny(image, " \t\n") {
		errs = append(errs, field.Invalid(p.Child("image"), image, "must not contain white space"))
	}
	errs = append(errs, envNames(p.Child("env"), env)...)
	for j, e := range env {
		if e.ValueFrom != nil {
			errs = append(errs, envSource(p.Child("env").Index(j), e)...)
		}
	}
	for j, e := range from {
		errs = append(errs, envFrom(p.Child("envFrom").Index(j), e)...)
	}
	errs = append(errs, volumeMounts(p.Child("volumeMounts"), mounts, volumes)...)
	return quantities(errs, p.Child("resources"), res)
}

// objectName checks the name of a Secret, ConfigMap or other object.
func objectName(p *field.Path, name string) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(p, "name the object")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Subdomain(name) {
		errs = append(errs, field.Invalid(p, name, msg))
	}
	return errs
}

func configMapKey(p *field.Path, key string) field.ErrorList {
	if key == "" {
		return field.ErrorList{field.Required(p, "name the key")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsConfigMapKey(key) {
		errs = append(errs, field.Invalid(p, key, msg))
	}
	return errs
}

func envSource(p *field.Path, e EnvVar) field.ErrorList {
	var errs field.ErrorList
	if e.Value != "" {
		errs = append(errs, field.Invalid(p.Child("value"), e.Value, "set value or valueFrom, not both: remove value"))
	}
	from := e.ValueFrom
	vp := p.Child("valueFrom")
	n := 0
	if r := from.SecretKeyRef; r != nil {
		n++
		errs = append(errs, objectName(vp.Child("secretKeyRef", "name"), r.Name)...)
		errs = append(errs, configMapKey(vp.Child("secretKeyRef", "key"), r.Key)...)
	}
	if r := from.ConfigMapKeyRef; r != nil {
		n++
		errs = append(errs, objectName(vp.Child("configMapKeyRef", "name"), r.Name)...)
		errs = append(errs, configMapKey(vp.Child("configMapKeyRef", "key"), r.Key)...)
	}
	if r := from.FieldRef; r != nil {
		n++
		if r.APIVersion != "" && r.APIVersion != "v1" {
			errs = append(errs, field.NotSupported(vp.Child("fieldRef", "apiVersion"), r.APIVersion, []string{"v1"}))
		}
		if m := fieldRefLabelRE.FindStringSubmatch(r.FieldPath); m != nil {
			for _, msg := range validation.IsQualifiedName(m[2]) {
				errs = append(errs, field.Invalid(vp.Child("fieldRef", "fieldPath"), r.FieldPath, msg))
			}
		} else if !fieldRefPaths.Has(r.FieldPath) {
			errs = append(errs, field.NotSupported(vp.Child("fieldRef", "fieldPath"), r.FieldPath,
				append(sets.List(fieldRefPaths), "metadata.labels['KEY']", "metadata.annotations['KEY']")))
		}
	}
	if r := from.ResourceFieldRef; r != nil {
		n++
		if r.ContainerName != "" && r.ContainerName != "app" {
			errs = append(errs, field.Invalid(vp.Child("resourceFieldRef", "containerName"), r.ContainerName, `the app container is "app": leave it unset`))
		}
		if !resourceFieldRefs.Has(r.Resource) {
			errs = append(errs, field.NotSupported(vp.Child("resourceFieldRef", "resource"), r.Resource, sets.List(resourceFieldRefs)))
		}
	}
	if from.FileKeyRef != nil {
		n++
		errs = append(errs, field.Forbidden(vp.Child("fileKeyRef"), "an alpha Kubernetes feature zds does not support: use secretKeyRef or configMapKeyRef"))
	}
	if n != 1 {
		errs = append(errs, field.Invalid(vp, fmt.Sprintf("%d sources", n), "set exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef"))
	}
	return errs
}

func envFrom(p *field.Path, e corev1.EnvFromSource) field.ErrorList {
	var errs field.ErrorList
	switch {
	case (e.ConfigMapRef == nil) == (e.SecretRef == nil):
		errs = append(errs, field.Invalid(p, "", "set exactly one of configMapRef and secretRef"))
	case e.ConfigMapRef != nil:
		errs = append(errs, objectName(p.Child("configMapRef", "name"), e.ConfigMapRef.Name)...)
	default:
		errs = append(errs, objectName(p.Child("secretRef", "name"), e.SecretRef.Name)...)
	}
	if e.Prefix != "" {
		for _, msg := range validation.IsEnvVarName(e.Prefix) {
			errs = append(errs, field.Invalid(p.Child("prefix"), e.Prefix, msg))
		}
	}
	return errs
}

// relativePath checks a file path inside a volume: relative, without "..".
func relativePath(p *field.Path, v string) field.ErrorList {
	switch {
	case v == "":
		return field.ErrorList{field.Required(p, "name the file")}
	case path.IsAbs(v):
		return field.ErrorList{field.Invalid(p, v, "must be relative to the volume: remove the leading /")}
	case strings.Contains("/"+v+"/", "/../"):
		return field.ErrorList{field.Invalid(p, v, `must not contain ".."`)}
	}
	return nil
}

func fileMode(p *field.Path, m *int32) field.ErrorList {
	if m != nil && (*m < 0 || *m > 0o777) {
		return field.ErrorList{field.Invalid(p, *m, "must be a file mode between 0 and 0777 (511)")}
	}
	return nil
}

func keyItems(p *field.Path, items []corev1.KeyToPath) field.ErrorList {
	var errs field.ErrorList
	for i, it := range items {
		errs = append(errs, configMapKey(p.Index(i).Child("key"), it.Key)...)
		errs = append(errs, relativePath(p.Index(i).Child("path"), it.Path)...)
		errs = append(errs, fileMode(p.Index(i).Child("mode"), it.Mode)...)
	}
	return errs
}

// validateVolumes checks each volume's one source and every mount, which
// must name a volume and a path of its own.
func (s ServiceSpec) validateVolumes(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	names := map[string]bool{}
	for i, v := range s.Volumes {
		p := root.Child("volumes").Index(i)
		switch {
		case v.Name == TmpVolumeName:
			errs = append(errs, field.Invalid(p.Child("name"), v.Name, `"tmp" is zds's own volume (/tmp on a read-only root filesystem): choose another name`))
		case names[v.Name]:
			errs = append(errs, field.Duplicate(p.Child("name"), v.Name))
		default:
			for _, msg := range validation.IsDNS1123Label(v.Name) {
				errs = append(errs, field.Invalid(p.Child("name"), v.Name, msg))
			}
		}
		names[v.Name] = true
		n := 0
		if c := v.ConfigMap; c != nil {
			n++
			errs = append(errs, objectName(p.Child("configMap", "name"), c.Name)...)
			errs = append(errs, keyItems(p.Child("configMap", "items"), c.Items)...)
			errs = append(errs, fileMode(p.Child("configMap", "defaultMode"), c.DefaultMode)...)
		}
		if c := v.Secret; c != nil {
			n++
			errs = append(errs, objectName(p.Child("secret", "secretName"), c.SecretName)...)
			errs = append(errs, keyItems(p.Child("secret", "items"), c.Items)...)
			errs = append(errs, fileMode(p.Child("secret", "defaultMode"), c.DefaultMode)...)
		}
		if e := v.EmptyDir; e != nil {
			n++
			if e.Medium != corev1.StorageMediumDefault && e.Medium != corev1.StorageMediumMemory {
				errs = append(errs, field.NotSupported(p.Child("emptyDir", "medium"), e.Medium, []string{"", string(corev1.StorageMediumMemory)}))
			}
			if e.SizeLimit != nil && e.SizeLimit.Sign() <= 0 {
				errs = append(errs, field.Invalid(p.Child("emptyDir", "sizeLimit"), e.SizeLimit.String(), "must be positive, e.g. 1Gi"))
			}
		}
		if pr := v.Projected; pr != nil {
			n++
			errs = append(errs, projected(p.Child("projected"), pr)...)
		}
		if n != 1 {
			errs = append(errs, field.Invalid(p, v.Name, fmt.Sprintf("has %d sources: set exactly one of configMap, secret, emptyDir, projected", n)))
		}
	}
	return append(errs, volumeMounts(root.Child("volumeMounts"), s.VolumeMounts, names)...)
}

// volumeMounts checks one container's mounts: each names a volume of the
// pod (not zds's tmp), at an absolute path of its own that is not /tmp,
// with a relative subPath and none of the features zds does not support.
func volumeMounts(p *field.Path, mounts []corev1.VolumeMount, volumes map[string]bool) field.ErrorList {
	var errs field.ErrorList
	mounted := map[string]bool{}
	for i, m := range mounts {
		p := p.Index(i)
		if !volumes[m.Name] || m.Name == TmpVolumeName {
			errs = append(errs, field.NotFound(p.Child("name"), m.Name))
			errs[len(errs)-1].Detail = "mount a volume listed in spec.volumes"
		}
		switch clean := path.Clean(m.MountPath); {
		case !path.IsAbs(m.MountPath):
			errs = append(errs, field.Invalid(p.Child("mountPath"), m.MountPath, "must be an absolute path"))
		case clean == TmpMountPath:
			errs = append(errs, field.Invalid(p.Child("mountPath"), m.MountPath, "/tmp is zds's own writable directory: mount elsewhere, or below /tmp"))
		case mounted[clean]:
			errs = append(errs, field.Duplicate(p.Child("mountPath"), m.MountPath))
		}
		mounted[path.Clean(m.MountPath)] = true
		if m.SubPath != "" {
			errs = append(errs, relativePath(p.Child("subPath"), m.SubPath)...)
		}
		if m.SubPathExpr != "" || m.MountPropagation != nil || m.RecursiveReadOnly != nil {
			errs = append(errs, field.Forbidden(p, "subPathExpr, mountPropagation and recursiveReadOnly are not supported: remove them"))
		}
	}
	return errs
}

func projected(p *field.Path, pr *corev1.ProjectedVolumeSource) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, fileMode(p.Child("defaultMode"), pr.DefaultMode)...)
	for i, src := range pr.Sources {
		sp := p.Child("sources").Index(i)
		n := 0
		if c := src.ConfigMap; c != nil {
			n++
			errs = append(errs, objectName(sp.Child("configMap", "name"), c.Name)...)
			errs = append(errs, keyItems(sp.Child("configMap", "items"), c.Items)...)
		}
		if c := src.Secret; c != nil {
			n++
			errs = append(errs, objectName(sp.Child("secret", "name"), c.Name)...)
			errs = append(errs, keyItems(sp.Child("secret", "items"), c.Items)...)
		}
		if d := src.DownwardAPI; d != nil {
			n++
			for j, it := range d.Items {
				errs = append(errs, relativePath(sp.Child("downwardAPI", "items").Index(j).Child("path"), it.Path)...)
			}
		}
		if t := src.ServiceAccountToken; t != nil {
			n++
			errs = append(errs, relativePath(sp.Child("serviceAccountToken", "path"), t.Path)...)
			if e := t.ExpirationSeconds; e != nil && (*e < 600 || *e > 1<<32) {
				errs = append(errs, field.Invalid(sp.Child("serviceAccountToken", "expirationSeconds"), *e, "must be between 600 (10 minutes) and 4294967296, as the API server requires"))
			}
		}
		if src.ClusterTrustBundle != nil || src.PodCertificate != nil {
			n++
			errs = append(errs, field.Forbidden(sp, "clusterTrustBundle and podCertificate are beta Kubernetes features zds does not support"))
		}
		if n != 1 {
			errs = append(errs, field.Invalid(sp, fmt.Sprintf("%d sources", n), "set exactly one of configMap, secret, downwardAPI, serviceAccountToken"))
		}
	}
	return errs
}

// labelMap checks label keys and values (a node selector).
func labelMap(p *field.Path, m map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(m)) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(p.Key(k), k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(m[k]) {
			errs = append(errs, field.Invalid(p.Key(k), m[k], msg))
		}
	}
	return errs
}

func toleration(p *field.Path, t corev1.Toleration) field.ErrorList {
	var errs field.ErrorList
	if t.Key != "" {
		for _, msg := range validation.IsQualifiedName(t.Key) {
			errs = append(errs, field.Invalid(p.Child("key"), t.Key, msg))
		}
	}
	switch t.Operator {
	case corev1.TolerationOpEqual, "":
		if t.Key == "" {
			errs = append(errs, field.Invalid(p.Child("operator"), t.Operator, "without a key, the operator must be Exists (tolerate every taint)"))
		}
		for _, msg := range validation.IsValidLabelValue(t.Value) {
			errs = append(errs, field.Invalid(p.Child("value"), t.Value, msg))
		}
	case corev1.TolerationOpExists:
		if t.Value != "" {
			errs = append(errs, field.Invalid(p.Child("value"), t.Value, "must be empty with operator Exists"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("operator"), t.Operator, []string{"Equal", "Exists"}))
	}
	switch t.Effect {
	case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
	default:
		errs = append(errs, field.NotSupported(p.Child("effect"), t.Effect, []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}))
	}
	if t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute {
		errs = append(errs, field.Invalid(p.Child("tolerationSeconds"), *t.TolerationSeconds, "only means something with effect NoExecute"))
	}
	return errs
}

func affinity(p *field.Path, a *corev1.Affinity) field.ErrorList {
	var errs field.ErrorList
	if na := a.NodeAffinity; na != nil {
		np := p.Child("nodeAffinity")
		if r := na.RequiredDuringSchedulingIgnoredDuringExecution; r != nil {
			rp := np.Child("requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
			if len(r.NodeSelectorTerms) == 0 {
				errs = append(errs, field.Required(rp, "give at least one term"))
			}
			for i, term := range r.NodeSelectorTerms {
				errs = append(errs, nodeSelectorTerm(rp.Index(i), term)...)
			}
		}
		for i, pref := range na.PreferredDuringSchedulingIgnoredDuringExecution {
			pp := np.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i)
			errs = append(errs, weight(pp.Child("weight"), pref.Weight)...)
			errs = append(errs, nodeSelectorTerm(pp.Child("preference"), pref.Preference)...)
		}
	}
	if pa := a.PodAffinity; pa != nil {
		errs = append(errs, podTerms(p.Child("podAffinity"), pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution)...)
	}
	if pa := a.PodAntiAffinity; pa != nil {
		errs = append(errs, podTerms(p.Child("podAntiAffinity"), pa.RequiredDuringSchedulingIgnoredDuringExecution, pa.PreferredDuringSchedulingIgnoredDuringExecution)...)
	}
	return errs
}

func weight(p *field.Path, w int32) field.ErrorList {
	if w < 1 || w > 100 {
		return field.ErrorList{field.Invalid(p, w, "must be between 1 and 100")}
	}
	return nil
}

func nodeSelectorTerm(p *field.Path, term corev1.NodeSelectorTerm) field.ErrorList {
	var errs field.ErrorList
	if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
		errs = append(errs, field.Required(p.Child("matchExpressions"), "a term needs at least one expression"))
	}
	for i, r := range term.MatchExpressions {
		rp := p.Child("matchExpressions").Index(i)
		for _, msg := range validation.IsQualifiedName(r.Key) {
			errs = append(errs, field.Invalid(rp.Child("key"), r.Key, msg))
		}
		switch r.Operator {
		case corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn:
			if len(r.Values) == 0 {
				errs = append(errs, field.Required(rp.Child("values"), "In and NotIn need at least one value"))
			}
		case corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist:
			if len(r.Values) > 0 {
				errs = append(errs, field.Forbidden(rp.Child("values"), "Exists and DoesNotExist take no values"))
			}
		case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
			if len(r.Values) != 1 {
				errs = append(errs, field.Invalid(rp.Child("values"), r.Values, "Gt and Lt take exactly one integer value"))
			} else if _, err := strconv.ParseInt(r.Values[0], 10, 64); err != nil {
				errs = append(errs, field.Invalid(rp.Child("values").Index(0), r.Values[0], "must be an integer"))
			}
		default:
			errs = append(errs, field.NotSupported(rp.Child("operator"), r.Operator, []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}))
		}
	}
	return errs
}

func podTerms(p *field.Path, required []corev1.PodAffinityTerm, preferred []corev1.WeightedPodAffinityTerm) field.ErrorList {
	var errs field.ErrorList
	term := func(tp *field.Path, t corev1.PodAffinityTerm) {
		if t.TopologyKey == "" {
			errs = append(errs, field.Required(tp.Child("topologyKey"), "e.g. kubernetes.io/hostname or topology.kubernetes.io/zone"))
		} else {
			for _, msg := range validation.IsQualifiedName(t.TopologyKey) {
				errs = append(errs, field.Invalid(tp.Child("topologyKey"), t.TopologyKey, msg))
			}
		}
		opts := metav1validation.LabelSelectorValidationOptions{}
		errs = append(errs, metav1validation.ValidateLabelSelector(t.LabelSelector, opts, tp.Child("labelSelector"))...)
		errs = append(errs, metav1validation.ValidateLabelSelector(t.NamespaceSelector, opts, tp.Child("namespaceSelector"))...)
	}
	for i, t := range required {
		term(p.Child("requiredDuringSchedulingIgnoredDuringExecution").Index(i), t)
	}
	for i, t := range preferred {
		wp := p.Child("preferredDuringSchedulingIgnoredDuringExecution").Index(i)
		errs = append(errs, weight(wp.Child("weight"), t.Weight)...)
		term(wp.Child("podAffinityTerm"), t.PodAffinityTerm)
	}
	return errs
}
