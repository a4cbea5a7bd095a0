// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec

import (
	"fmt"
	psaapi "k8s.io/pod-security-admission/api"
	"maps"
	"math"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ReservedNamespaces are never labelled for readiness-gate injection: the
// controller's own namespace must not be (aws-load-balancer-controller#1628).
var ReservedNamespaces = []string{"kube-system", "kube-public", "kube-node-lease"}

var (
	successCodesRE = regexp.MustCompile(`^[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*$`)
	groupNameRE    = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)
)

// Inputs says which values come from outside the spec (Pulumi inputs in
// Go), so Validate does not demand them in the spec.
type Inputs struct {
	// Image is supplied as a Pulumi input.
	Image bool
	// CertificateArn is supplied as a Pulumi input.
	CertificateArn bool
	// VpcId and ListenerArn are supplied as Pulumi inputs.
	VpcId, ListenerArn bool
}

// Validate returns every problem in a defaulted spec except the timing
// rules and what depends on the load-balancer kind (see service.Resolve),
// each with its field path and the smallest fix.
func (s ServiceSpec) Validate(in Inputs) field.ErrorList {
	root := field.NewPath("spec")
	errs := s.validateIdentity(root, in)
	errs = append(errs, s.validatePorts(root)...)
	errs = append(errs, s.validateCounts(root)...)
	errs = append(errs, s.Capacity.validate(root.Child("capacity"))...)
	errs = append(errs, s.validateAutoscaling(root)...)
	errs = append(errs, s.validateReplicas(root)...)
	errs = append(errs, s.validateEnv(root)...)
	errs = append(errs, s.validateWorkload(root)...)
	errs = quantities(errs, root.Child("resources"), s.Resources)
	errs = append(errs, s.validateProbes(root)...)
	errs = append(errs, s.validateLoadBalancer(root.Child("loadBalancer"))...)
	errs = append(errs, s.validateSpread(root)...)
	errs = append(errs, s.validatePod(root)...)
	return append(errs, s.validateLabels(root)...)
}

// validateIdentity checks the names, the image and the version label.
func (s ServiceSpec) validateIdentity(root *field.Path, in Inputs) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1035Label(s.Name) {
		errs = append(errs, field.Invalid(root.Child("name"), s.Name, msg))
	}
	for _, msg := range validation.IsDNS1123Label(s.Namespace) {
		errs = append(errs, field.Invalid(root.Child("namespace"), s.Namespace, msg))
	}
	for _, ns := range ReservedNamespaces {
		if s.Namespace == ns {
			errs = append(errs, field.Invalid(root.Child("namespace"), s.Namespace,
				"system namespaces must not get the readiness-gate label (the controller's own pods would wait on themselves, aws-load-balancer-controller#1628): use an application namespace"))
		}
	}

	if s.Image == "" && !in.Image {
		errs = append(errs, field.Required(root.Child("image"), "set the container image, e.g. ghcr.io/acme/web:1.4.2"))
	} else if strings.TrimSpace(s.Image) != s.Image || strings.ContainsAny(s.Image, " \t\n") {
		errs = append(errs, field.Invalid(root.Child("image"), s.Image, "must not contain white space"))
	}

	for _, msg := range validation.IsValidLabelValue(s.Version) {
		errs = append(errs, field.Invalid(root.Child("version"), s.Version, msg))
	}
	return errs
}

// validatePorts checks the serving and health-check ports.
func (s ServiceSpec) validatePorts(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = port(errs, root.Child("port"), s.Port)
	if s.HealthCheck.Port != nil {
		errs = port(errs, root.Child("healthCheck", "port"), *s.HealthCheck.Port)
	}
	return errs
}

// validateReplicas checks that a drain or eviction always leaves a
// pod: at least 2 replicas (unless downtime is accepted) and a budget below
// them.
func (s ServiceSpec) validateReplicas(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	replicas := s.MinReplicas()
	replicasName, replicasPath := "replicas", root.Child("replicas")
	if s.Autoscaling.Enabled {
		replicasName, replicasPath = "autoscaling.minReplicas", root.Child("autoscaling", "minReplicas")
	}
	switch {
	case replicas < 1:
		errs = append(errs, field.Invalid(replicasPath, replicas, "must be at least 1"))
	case replicas < 2 && (!s.AcceptDowntime || s.Autoscaling.Enabled):
		errs = append(errs, field.Invalid(replicasPath, replicas,
			fmt.Sprintf("a single replica means downtime on every node drain and eviction: set %s to at least 2%s", replicasName, unlessAccepted(s))))
	}
	mu := *s.Disruption.MaxUnavailable
	switch {
	case mu < 1:
		errs = append(errs, field.Invalid(root.Child("disruption", "maxUnavailable"), mu,
			"must be at least 1: a budget that allows no disruption blocks every node drain"))
	case mu >= replicas && replicas >= 2 && (!s.AcceptDowntime || s.Autoscaling.Enabled):
		errs = append(errs, field.Invalid(root.Child("disruption", "maxUnavailable"), mu, fmt.Sprintf(
			"must be below %s (%d), or a drain may evict every pod at once: lower it to at most %d%s",
			replicasName, replicas, replicas-1, unlessAccepted(s))))
	}
	return errs
}

// validateEnv checks the environment variables' names.
func (s ServiceSpec) validateEnv(root *field.Path) field.ErrorList {
	return envNames(root.Child("env"), s.Env)
}

// envNames checks that every variable has a valid name of its own: each
// later copy of a name is reported once, at its own index, naming the
// first (a map, so thousands of copies cost linear time, not a report per
// pair).
func envNames(p *field.Path, env []EnvVar) field.ErrorList {
	var errs field.ErrorList
	first := make(map[string]int, len(env))
	envPath := p
	for i, e := range env {
		p := p.Index(i).Child("name")
		if e.Name == "" {
			errs = append(errs, field.Required(p, "every variable needs a name"))
			continue
		}
		for _, msg := range validation.IsEnvVarName(e.Name) {
			errs = append(errs, field.Invalid(p, e.Name, msg))
		}
		if j, dup := first[e.Name]; dup {
			err := field.Duplicate(p, e.Name)
			err.Detail = fmt.Sprintf("also %s: keep one", envPath.Index(j).Child("name"))
			errs = append(errs, err)
			continue
		}
		first[e.Name] = i
	}
	return errs
}

// validateProbes checks the readiness and liveness paths (the mode
// checks healthCheck.successCodes, whose range depends on the load
// balancer).
func (s ServiceSpec) validateProbes(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = httpPath(errs, HealthCheckPath.Child("path"), s.HealthCheck.Path)
	if s.Liveness.Enabled {
		errs = httpPath(errs, root.Child("liveness", "path"), s.Liveness.Path)
	}
	return errs
}

// validateSpread checks the topology spread modes.
func (s ServiceSpec) validateSpread(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, sp := range []struct {
		path  *field.Path
		value string
	}{{root.Child("spread", "zones"), s.Spread.Zones}, {root.Child("spread", "nodes"), s.Spread.Nodes}} {
		switch sp.value {
		case "DoNotSchedule", "ScheduleAnyway", "Off":
		default:
			errs = append(errs, field.NotSupported(sp.path, sp.value, []string{"DoNotSchedule", "ScheduleAnyway", "Off"}))
		}
	}
	return errs
}

// validatePod checks the pod template's settings.
func (s ServiceSpec) validatePod(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch s.Pod.PreStopHook {
	case "sleep", "exec":
	default:
		errs = append(errs, field.NotSupported(root.Child("pod", "preStopHook"), s.Pod.PreStopHook, []string{"sleep", "exec"}))
	}
	if _, err := psaapi.ParseLevel(s.Pod.SecurityLevel); err != nil {
		errs = append(errs, field.NotSupported(root.Child("pod", "securityLevel"), s.Pod.SecurityLevel,
			[]string{string(psaapi.LevelRestricted), string(psaapi.LevelBaseline), string(psaapi.LevelPrivileged)}))
	}
	if *s.Pod.RunAsUser < 1 {
		errs = append(errs, field.Invalid(root.Child("pod", "runAsUser"), *s.Pod.RunAsUser,
			"must be a non-root UID (1 or more): the Pod Security restricted profile forbids root"))
	}
	if sa := s.Pod.ServiceAccountName; sa != "" {
		// The API server validates a pod's serviceAccountName as a
		// DNS-1123 subdomain (ValidatePodSpec).
		for _, msg := range validation.IsDNS1123Subdomain(sa) {
			errs = append(errs, field.Invalid(root.Child("pod", "serviceAccountName"), sa, msg))
		}
	}
	errs = append(errs, apivalidation.ValidateAnnotations(s.Pod.Annotations, root.Child("pod", "annotations"))...)
	return errs
}

// validateLabels checks the user's labels, in key order.
func (s ServiceSpec) validateLabels(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(s.Labels)) { // one order for the errors
		p := root.Child("labels").Key(k)
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(p, k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(s.Labels[k]) {
			errs = append(errs, field.Invalid(p, s.Labels[k], msg))
		}
		if k == LabelName || k == LabelInstance {
			errs = append(errs, field.Forbidden(p, "selector labels are set by the component: remove this label"))
		}
	}
	return errs
}

// HealthCheckPath is the path of spec.healthCheck.
var HealthCheckPath = field.NewPath("spec", "healthCheck")

// SuccessCodes checks a target group's matcher as the ELB API does: HTTP
// codes from 200 to maxCode (499 for an ALB, 599 for an NLB), single or as
// ascending ranges, separated by commas.
func SuccessCodes(errs field.ErrorList, p *field.Path, v, maxCode string) field.ErrorList {
	how := `codes or ascending ranges from 200 to ` + maxCode + ` separated by commas, e.g. "200", "200,204" or "200-299"`
	if !successCodesRE.MatchString(v) {
		return append(errs, field.Invalid(p, v, "must be "+how))
	}
	for _, part := range strings.Split(v, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		switch {
		case lo < "200" || hi > maxCode:
			errs = append(errs, field.Invalid(p, v, fmt.Sprintf("%s is outside 200–%s, the codes this load balancer's health check can match: use %s", part, maxCode, how)))
		case lo > hi:
			errs = append(errs, field.Invalid(p, v, fmt.Sprintf("range %s is descending: write %s-%s", part, hi, lo)))
		}
	}
	return errs
}

// unlessAccepted names the way out of the replica rules: acceptDowntime,
// which an autoscaled service does not have (its minimum must be 2).
// MaxCount bounds every count (replicas, surge, budget, autoscaler range)
// and the UID: the Kubernetes fields they reach are int32, and a larger
// value would wrap when converted (replicas 4294967297 would become 1).
const MaxCount = math.MaxInt32

// validateCounts refuses counts that do not fit the int32 Kubernetes field
// they reach. (Their lower bounds and relations are checked with their
// rules.)
func (s ServiceSpec) validateCounts(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, c := range []struct {
		path *field.Path
		v    *int64
	}{
		{root.Child("replicas"), int64p(s.Replicas)},
		{root.Child("rollout", "maxSurge"), int64p(s.Rollout.MaxSurge)},
		{root.Child("disruption", "maxUnavailable"), int64p(s.Disruption.MaxUnavailable)},
		{root.Child("autoscaling", "minReplicas"), int64p(s.Autoscaling.MinReplicas)},
		{root.Child("autoscaling", "maxReplicas"), int64p(&s.Autoscaling.MaxReplicas)},
		{root.Child("pod", "runAsUser"), s.Pod.RunAsUser},
	} {
		if c.v != nil && *c.v > MaxCount {
			errs = append(errs, field.Invalid(c.path, *c.v, fmt.Sprintf(
				"must be at most %d: the Kubernetes field is a 32-bit integer", MaxCount)))
		}
	}
	return errs
}

// validate checks the headroom's form; the counts derived from it are
// checked with the fields they set.
func (c Capacity) validate(p *field.Path) field.ErrorList {
	h := c.Headroom
	if h == "" {
		return nil
	}
	if !headroomPattern.MatchString(h) {
		return field.ErrorList{field.Invalid(p.Child("headroom"), h, `must be a count of pods ("3") or a percentage of replicas from 1% to 100% ("25%")`)}
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil && n > MaxCount {
		return field.ErrorList{field.Invalid(p.Child("headroom"), h, fmt.Sprintf("must be at most %d pods: the Kubernetes fields it sets are 32-bit integers", MaxCount))}
	}
	return nil
}

func int64p(v *int) *int64 {
	if v == nil {
		return nil
	}
	n := int64(*v)
	return &n
}

func unlessAccepted(s ServiceSpec) string {
	if s.Autoscaling.Enabled {
		return ""
	}
	return ", or set acceptDowntime: true"
}

func (s ServiceSpec) validateAutoscaling(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	a := s.Autoscaling
	p := root.Child("autoscaling")
	if !a.Enabled {
		if a.MinReplicas != nil || a.MaxReplicas != 0 || a.CPUUtilizationPercent != nil || a.MemoryUtilizationPercent != nil || a.ScaleDownStabilizationSeconds != nil {
			errs = append(errs, field.Invalid(p.Child("enabled"), false, "autoscaling settings are given but autoscaling is off: set autoscaling.enabled: true, or remove them"))
		}
		return errs
	}
	if s.Replicas != nil {
		errs = append(errs, field.Forbidden(root.Child("replicas"), "the autoscaler owns the replica count: remove replicas and set autoscaling.minReplicas and maxReplicas"))
	}
	if a.MaxReplicas < s.MinReplicas() {
		errs = append(errs, field.Invalid(p.Child("maxReplicas"), a.MaxReplicas, fmt.Sprintf("must be at least autoscaling.minReplicas (%d)", s.MinReplicas())))
	}
	if a.CPUUtilizationPercent == nil && a.MemoryUtilizationPercent == nil {
		errs = append(errs, field.Required(p.Child("cpuUtilizationPercent"), "an autoscaler needs a target: set cpuUtilizationPercent and/or memoryUtilizationPercent"))
	}
	for _, t := range []struct {
		name string
		v    *int
	}{{"cpuUtilizationPercent", a.CPUUtilizationPercent}, {"memoryUtilizationPercent", a.MemoryUtilizationPercent}} {
		if t.v != nil && (*t.v < 1 || *t.v > 1000) {
			errs = append(errs, field.Invalid(p.Child(t.name), *t.v, "must be between 1 and 1000 percent of the request"))
		}
	}
	if v := a.ScaleDownStabilizationSeconds; v != nil && (*v < 0 || *v > 3600) {
		errs = append(errs, field.Invalid(p.Child("scaleDownStabilizationSeconds"), *v, "must be between 0 and 3600 (the autoscaling/v2 range)"))
	}
	return errs
}

// NotFor is the error for a setting that the load-balancer kind does not
// use.
func NotFor(p *field.Path, kind, why string) *field.Error {
	return field.Forbidden(p, fmt.Sprintf("not used with loadBalancer.kind %s (%s): remove it", kind, why))
}

// validateLoadBalancer checks the formats of the loadBalancer fields; which
// of them a kind uses and needs is its mode's to check (package service).
func (s ServiceSpec) validateLoadBalancer(p *field.Path) field.ErrorList {
	var errs field.ErrorList
	lb := s.LoadBalancer
	if lb.VpcId != "" && !strings.HasPrefix(lb.VpcId, "vpc-") {
		errs = append(errs, field.Invalid(p.Child("vpcId"), lb.VpcId, "must be a VPC ID, e.g. vpc-0123456789abcdef0"))
	}
	if lb.ListenerArn != "" && !strings.HasPrefix(lb.ListenerArn, "arn:") {
		errs = append(errs, field.Invalid(p.Child("listenerArn"), lb.ListenerArn, "must be an ELB listener ARN (arn:aws:elasticloadbalancing:…:listener/app/…)"))
	}
	if lb.Host != "" {
		host := strings.TrimPrefix(lb.Host, "*.")
		for _, msg := range validation.IsDNS1123Subdomain(host) {
			errs = append(errs, field.Invalid(p.Child("host"), lb.Host, msg))
		}
		switch {
		case net.ParseIP(lb.Host) != nil:
			// As the API server's Ingress validation says it.
			errs = append(errs, field.Invalid(p.Child("host"), lb.Host, "must be a DNS name, not an IP address"))
		case len(lb.Host) > 128:
			// An ALB host-header condition value is at most 128 characters.
			errs = append(errs, field.TooLong(p.Child("host"), lb.Host, 128))
		}
	}
	for i, path := range lb.Paths {
		errs = httpPath(errs, p.Child("paths").Index(i), path)
	}
	if lb.CertificateArn != "" && !strings.HasPrefix(lb.CertificateArn, "arn:") {
		errs = append(errs, field.Invalid(p.Child("certificateArn"), lb.CertificateArn,
			"must be an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)"))
	}
	if lb.GroupName != "" {
		if len(lb.GroupName) > 63 || !groupNameRE.MatchString(lb.GroupName) {
			errs = append(errs, field.Invalid(p.Child("groupName"), lb.GroupName,
				"must be at most 63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"))
		}
	}
	return errs
}

func port(errs field.ErrorList, p *field.Path, v int) field.ErrorList {
	if v < 1 || v > 65535 {
		errs = append(errs, field.Invalid(p, v, "must be a port between 1 and 65535"))
	}
	return errs
}

func httpPath(errs field.ErrorList, p *field.Path, v string) field.ErrorList {
	switch {
	case !strings.HasPrefix(v, "/"):
		errs = append(errs, field.Invalid(p, v, fmt.Sprintf("must start with \"/\": use %q", "/"+v)))
	case strings.ContainsAny(v, " \t\n?#"):
		errs = append(errs, field.Invalid(p, v, "must be a plain path without spaces, query or fragment"))
	}
	return errs
}

func quantities(errs field.ErrorList, p *field.Path, r Resources) field.ErrorList {
	parse := func(p *field.Path, v string) (resource.Quantity, bool) {
		if v == "" {
			return resource.Quantity{}, false
		}
		q, err := resource.ParseQuantity(v)
		if err != nil {
			errs = append(errs, field.Invalid(p, v, "must be a Kubernetes quantity, e.g. 250m or 256Mi"))
			return q, false
		}
		if q.Sign() < 0 {
			// As the API server's resource validation says it.
			errs = append(errs, field.Invalid(p, v, "must be greater than or equal to 0"))
			return q, false
		}
		return q, true
	}
	reqCPU, okRC := parse(p.Child("requests", "cpu"), r.Requests.CPU)
	reqMem, okRM := parse(p.Child("requests", "memory"), r.Requests.Memory)
	limCPU, okLC := parse(p.Child("limits", "cpu"), r.Limits.CPU)
	limMem, okLM := parse(p.Child("limits", "memory"), r.Limits.Memory)
	if okRC && okLC && limCPU.Cmp(reqCPU) < 0 {
		errs = append(errs, field.Invalid(p.Child("limits", "cpu"), r.Limits.CPU, fmt.Sprintf("must be at least the request (%s)", r.Requests.CPU)))
	}
	if okRM && okLM && limMem.Cmp(reqMem) < 0 {
		errs = append(errs, field.Invalid(p.Child("limits", "memory"), r.Limits.Memory, fmt.Sprintf("must be at least the request (%s)", r.Requests.Memory)))
	}
	return errs
}
