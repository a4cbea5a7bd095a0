package spec

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/timing"
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
}

// Validate returns every problem in a defaulted spec except the timing
// rules (see Resolve), each with its field path and the smallest fix.
func (s ServiceSpec) Validate(in Inputs) field.ErrorList {
	var errs field.ErrorList
	root := field.NewPath("spec")

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
	errs = port(errs, root.Child("port"), s.Port)
	if s.HealthCheck.Port != nil {
		errs = port(errs, root.Child("healthCheck", "port"), *s.HealthCheck.Port)
	}

	replicas := *s.Replicas
	switch {
	case replicas < 1:
		errs = append(errs, field.Invalid(root.Child("replicas"), replicas, "must be at least 1"))
	case replicas < 2 && !s.AcceptDowntime:
		errs = append(errs, field.Invalid(root.Child("replicas"), replicas,
			"a single replica means downtime on every node drain and eviction: set replicas to at least 2, or set acceptDowntime: true"))
	}
	mu := *s.Disruption.MaxUnavailable
	switch {
	case mu < 1:
		errs = append(errs, field.Invalid(root.Child("disruption", "maxUnavailable"), mu,
			"must be at least 1: a budget that allows no disruption blocks every node drain"))
	case mu >= replicas && replicas >= 2 && !s.AcceptDowntime:
		errs = append(errs, field.Invalid(root.Child("disruption", "maxUnavailable"), mu, fmt.Sprintf(
			"must be below replicas (%d), or a drain may evict every pod at once: lower it to at most %d, or set acceptDowntime: true",
			replicas, replicas-1)))
	}

	for i, e := range s.Env {
		p := root.Child("env").Index(i).Child("name")
		if e.Name == "" {
			errs = append(errs, field.Required(p, "every variable needs a name"))
			continue
		}
		for _, msg := range validation.IsEnvVarName(e.Name) {
			errs = append(errs, field.Invalid(p, e.Name, msg))
		}
		for j := range i {
			if s.Env[j].Name == e.Name {
				errs = append(errs, field.Duplicate(p, e.Name))
			}
		}
	}

	errs = quantities(errs, root.Child("resources"), s.Resources)

	hc := root.Child("healthCheck")
	errs = httpPath(errs, hc.Child("path"), s.HealthCheck.Path)
	if !successCodesRE.MatchString(s.HealthCheck.SuccessCodes) {
		errs = append(errs, field.Invalid(hc.Child("successCodes"), s.HealthCheck.SuccessCodes,
			`must be codes or ranges separated by commas, e.g. "200", "200,204" or "200-299"`))
	}
	if s.Liveness.Enabled {
		errs = httpPath(errs, root.Child("liveness", "path"), s.Liveness.Path)
	}

	errs = append(errs, s.validateLoadBalancer(root.Child("loadBalancer"), in)...)

	switch s.Pod.PreStopHook {
	case "sleep", "exec":
	default:
		errs = append(errs, field.NotSupported(root.Child("pod", "preStopHook"), s.Pod.PreStopHook, []string{"sleep", "exec"}))
	}
	if *s.Pod.RunAsUser < 1 {
		errs = append(errs, field.Invalid(root.Child("pod", "runAsUser"), *s.Pod.RunAsUser,
			"must be a non-root UID (1 or more): the Pod Security restricted profile forbids root"))
	}
	for k := range s.Labels {
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

func (s ServiceSpec) validateLoadBalancer(p *field.Path, in Inputs) field.ErrorList {
	var errs field.ErrorList
	lb := s.LoadBalancer
	if _, ok := timing.Profiles[lb.Kind]; !ok {
		errs = append(errs, field.NotSupported(p.Child("kind"), lb.Kind, kinds()))
	}
	switch lb.Scheme {
	case "internal", "internet-facing":
	default:
		errs = append(errs, field.NotSupported(p.Child("scheme"), lb.Scheme, []string{"internal", "internet-facing"}))
	}
	if lb.Host != "" {
		host := strings.TrimPrefix(lb.Host, "*.")
		for _, msg := range validation.IsDNS1123Subdomain(host) {
			errs = append(errs, field.Invalid(p.Child("host"), lb.Host, msg))
		}
	}
	for i, path := range lb.Paths {
		errs = httpPath(errs, p.Child("paths").Index(i), path)
	}
	if lb.CertificateArn != "" && !strings.HasPrefix(lb.CertificateArn, "arn:") {
		errs = append(errs, field.Invalid(p.Child("certificateArn"), lb.CertificateArn,
			"must be an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID)"))
	}
	hasCert := lb.CertificateArn != "" || in.CertificateArn
	if lb.SSLRedirect != nil && *lb.SSLRedirect && !hasCert {
		errs = append(errs, field.Invalid(p.Child("sslRedirect"), true,
			"redirecting to HTTPS needs an HTTPS listener: set loadBalancer.certificateArn, or sslRedirect: false"))
	}
	if lb.GroupName != "" {
		if len(lb.GroupName) > 63 || !groupNameRE.MatchString(lb.GroupName) {
			errs = append(errs, field.Invalid(p.Child("groupName"), lb.GroupName,
				"must be at most 63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"))
		}
	}
	if lb.GroupOrder != nil {
		if lb.GroupName == "" {
			errs = append(errs, field.Invalid(p.Child("groupOrder"), *lb.GroupOrder, "only means something in a group: set loadBalancer.groupName, or remove groupOrder"))
		}
		if *lb.GroupOrder < -1000 || *lb.GroupOrder > 1000 {
			errs = append(errs, field.Invalid(p.Child("groupOrder"), *lb.GroupOrder, "must be between -1000 and 1000"))
		}
	}
	for _, msg := range validation.IsDNS1123Subdomain(lb.IngressClassName) {
		errs = append(errs, field.Invalid(p.Child("ingressClassName"), lb.IngressClassName, msg))
	}
	return errs
}

func kinds() []string {
	out := make([]string, 0, len(timing.Profiles))
	for k := range timing.Profiles {
		out = append(out, k)
	}
	return out
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
