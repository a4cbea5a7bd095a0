// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package zds is the Pulumi component ZeroDowntimeService: a thin layer
// that resolves its arguments with the pure core (packages spec, timing and
// manifests) and registers the resulting objects as its children, in the
// order that makes the AWS Load Balancer Controller's readiness gate work.
package zds

import (
	"fmt"
	"reflect"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	padmissionv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/admissionregistration/v1"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	pappsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	pautoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	pcorev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	pnetworkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	ppolicyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/zerodowntime/zds/components/audit"
	"github.com/zerodowntime/zds/components/manifests"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/timing"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "zds:index:ZeroDowntimeService"

// Aliases of the spec types, so Go programs need one import.
type (
	ServiceSpec   = spec.ServiceSpec
	App           = spec.App
	LoadBalancer  = spec.LoadBalancer
	HealthCheck   = spec.HealthCheck
	Liveness      = spec.Liveness
	Timing        = spec.Timing
	Rollout       = spec.Rollout
	Disruption    = spec.Disruption
	Pod           = spec.Pod
	Autoscaling   = spec.Autoscaling
	Spread        = spec.Spread
	Resources     = spec.Resources
	ResourceList  = spec.ResourceList
	EnvVar        = spec.EnvVar
	Volume        = spec.Volume
	InitContainer = spec.InitContainer
	Sidecar       = spec.Sidecar

	Patch          = spec.Patch
	ServiceAccount = spec.ServiceAccount
	PodIdentity    = spec.PodIdentity
)

// ZeroDowntimeServiceArgs are the component's arguments. Every plain setting
// lives in the embedded ServiceSpec, whose timing facts are checked before
// anything is registered. Image and CertificateArn may instead come from
// other resources' outputs.
type ZeroDowntimeServiceArgs struct {
	ServiceSpec
	// Image is the app's container image, used instead of the spec's
	// image; it may be another resource's output, e.g. an ECR image URI.
	Image pulumi.StringInput
	// CertificateArn is the TLS certificate's ARN, used instead of
	// loadBalancer.certificateArn; it may be another resource's output,
	// e.g. an ACM certificate's ARN.
	CertificateArn pulumi.StringInput
	// VpcId is the VPC of the target group (targetGroupBinding), used
	// instead of loadBalancer.vpcId; it may be another resource's output.
	VpcId pulumi.StringInput
	// ListenerArn is the ALB listener the rule is added to
	// (targetGroupBinding), used instead of loadBalancer.listenerArn; it may
	// be another resource's output.
	ListenerArn pulumi.StringInput
}

// ZeroDowntimeService is the component. Its plain fields are known at
// construction (for Go callers composing it); its outputs are also
// registered as stack-visible component outputs.
type ZeroDowntimeService struct {
	pulumi.ResourceState

	// Spec is the spec with every default applied.
	Spec spec.ServiceSpec
	// Timing holds every derived value with its explanation.
	Timing timing.Result
	// Objects are the Kubernetes objects as built by the pure core (with
	// Image and CertificateArn inputs not yet substituted).
	Objects *manifests.Objects

	// Children. Exactly one of Namespace and NamespacePatch is set.
	Namespace           *pcorev1.Namespace
	NamespacePatch      *pcorev1.NamespacePatch
	Service             *pcorev1.Service
	PodDisruptionBudget *ppolicyv1.PodDisruptionBudget
	Deployment          *pappsv1.Deployment
	// Ingress is set with loadBalancer.kind alb.
	Ingress *pnetworkingv1.Ingress
	// TargetGroup, TargetGroupBinding and (with a listenerArn) ListenerRule
	// are set with loadBalancer.kind targetGroupBinding.
	TargetGroup        *lb.TargetGroup
	TargetGroupBinding *apiextensions.CustomResource
	ListenerRule       *lb.ListenerRule
	// HorizontalPodAutoscaler is set with autoscaling.enabled.
	HorizontalPodAutoscaler *pautoscalingv2.HorizontalPodAutoscaler
	// ServiceAccount is set with serviceAccount.create, and
	// PodIdentityAssociation with serviceAccount.podIdentity.
	ServiceAccount         *pcorev1.ServiceAccount
	PodIdentityAssociation *eks.PodIdentityAssociation

	// DeregistrationDelaySeconds is the derived (or pinned) deregistration
	// delay D of the target group, in seconds.
	DeregistrationDelaySeconds pulumi.IntOutput `pulumi:"deregistrationDelaySeconds"`
	// PreStopSleepSeconds is the derived preStop sleep P: how long a
	// terminating pod keeps serving while the load balancer stops sending
	// it requests.
	PreStopSleepSeconds pulumi.IntOutput `pulumi:"preStopSleepSeconds"`
	// TerminationGracePeriodSeconds is the derived grace period G, longer
	// than the preStop sleep plus the app's shutdown.
	TerminationGracePeriodSeconds pulumi.IntOutput `pulumi:"terminationGracePeriodSeconds"`
	// MinReadySeconds is the Deployment's minReadySeconds: how long a new
	// pod must be ready before the rollout goes on, covering its
	// registration with the load balancer.
	MinReadySeconds pulumi.IntOutput `pulumi:"minReadySeconds"`
	// ProgressDeadlineSeconds is the Deployment's progressDeadlineSeconds,
	// derived from the rollout's waves.
	ProgressDeadlineSeconds pulumi.IntOutput `pulumi:"progressDeadlineSeconds"`
	// AwaitTimeoutSeconds is how long Pulumi waits for the Deployment to
	// become ready (its create and update timeout).
	AwaitTimeoutSeconds pulumi.IntOutput `pulumi:"awaitTimeoutSeconds"`
	// DeploymentName is the Deployment's name.
	DeploymentName pulumi.StringOutput `pulumi:"deploymentName"`
	// ServiceName is the Service's name.
	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	// IngressName is the Ingress's name (alb); "" in the other modes.
	IngressName pulumi.StringOutput `pulumi:"ingressName"`
	// PodDisruptionBudgetName is the PodDisruptionBudget's name.
	PodDisruptionBudgetName pulumi.StringOutput `pulumi:"podDisruptionBudgetName"`
	// NamespaceName is the namespace the objects live in.
	NamespaceName pulumi.StringOutput `pulumi:"namespace"`
	// LoadBalancerHostname is the load balancer's DNS name from the Ingress
	// (alb) or Service (nlb) status; "" for targetGroupBinding, whose ALB is
	// managed elsewhere.
	LoadBalancerHostname pulumi.StringOutput `pulumi:"loadBalancerHostname"`
	// TargetGroupArn is the target group's ARN (targetGroupBinding); "" in
	// the other modes.
	TargetGroupArn pulumi.StringOutput `pulumi:"targetGroupArn"`
}

// Validate checks args exactly as NewZeroDowntimeService does, without
// registering anything: components that wrap this one call it before
// registering themselves, so bad input leaves nothing half-applied. It
// returns an *spec.InvalidError listing every problem.
func Validate(name string, args *ZeroDowntimeServiceArgs) error {
	_, err := resolve(name, args)
	return err
}

func resolve(name string, args *ZeroDowntimeServiceArgs) (*spec.Resolved, error) {
	if args == nil {
		args = &ZeroDowntimeServiceArgs{}
	}
	r, err := service.Resolve(name, args.ServiceSpec, spec.Inputs{
		Image:          args.Image != nil,
		CertificateArn: args.CertificateArn != nil,
		VpcId:          args.VpcId != nil,
		ListenerArn:    args.ListenerArn != nil,
	})
	if err != nil || len(r.Spec.Patches) == 0 {
		return r, err
	}
	// Patched children pass every rule zds check knows, as zds render's
	// output does (audit.Refusals says why).
	var objs []map[string]any
	for _, it := range service.Build(r).Items() {
		m, err := manifests.ToMap(it.Object)
		if err != nil {
			return nil, err
		}
		objs = append(objs, m)
	}
	var errs field.ErrorList
	for _, f := range audit.Refusals(name, objs) {
		errs = append(errs, audit.PatchError(r.Spec.Patches, f))
	}
	if len(errs) > 0 {
		return nil, &spec.InvalidError{Errors: errs}
	}
	return r, nil
}

// NewZeroDowntimeService validates args, derives the timings and registers
// the component with its children. Invalid arguments return an
// *spec.InvalidError listing every problem, and nothing is registered.
// Options given here (providers, transforms, protect, ...) reach every child
// through the parent relationship.
func NewZeroDowntimeService(ctx *pulumi.Context, name string, args *ZeroDowntimeServiceArgs, opts ...pulumi.ResourceOption) (*ZeroDowntimeService, error) {
	if args == nil {
		args = &ZeroDowntimeServiceArgs{}
	}
	r, err := resolve(name, args)
	if err != nil {
		return nil, err
	}
	objs := service.Build(r)

	c := &ZeroDowntimeService{Spec: r.Spec, Timing: r.Timing, Objects: objs}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	if err := c.registerChildren(ctx, name, args, objs); err != nil {
		return nil, err
	}
	t := r.Timing
	c.DeregistrationDelaySeconds = pulumi.Int(t.DeregistrationDelaySeconds).ToIntOutput()
	c.PreStopSleepSeconds = pulumi.Int(t.PreStopSleepSeconds).ToIntOutput()
	c.TerminationGracePeriodSeconds = pulumi.Int(t.TerminationGracePeriodSeconds).ToIntOutput()
	c.MinReadySeconds = pulumi.Int(t.MinReadySeconds).ToIntOutput()
	c.ProgressDeadlineSeconds = pulumi.Int(t.ProgressDeadlineSeconds).ToIntOutput()
	c.AwaitTimeoutSeconds = pulumi.Int(t.AwaitTimeoutSeconds).ToIntOutput()
	c.DeploymentName = c.Deployment.Metadata.Name().Elem()
	c.ServiceName = c.Service.Metadata.Name().Elem()
	c.IngressName = pulumi.String("").ToStringOutput()
	c.LoadBalancerHostname = pulumi.String("").ToStringOutput()
	c.TargetGroupArn = pulumi.String("").ToStringOutput()
	switch {
	case c.Ingress != nil:
		c.IngressName = c.Ingress.Metadata.Name().Elem()
		c.LoadBalancerHostname = c.Ingress.Status.ApplyT(lbHostname).(pulumi.StringOutput)
	case c.TargetGroup != nil:
		c.TargetGroupArn = c.TargetGroup.Arn
	default: // nlb
		c.LoadBalancerHostname = c.Service.Status.ApplyT(serviceHostname).(pulumi.StringOutput)
	}
	c.PodDisruptionBudgetName = c.PodDisruptionBudget.Metadata.Name().Elem()
	c.NamespaceName = pulumi.String(r.Spec.Namespace).ToStringOutput()

	if err := ctx.RegisterResourceOutputs(c, c.outputs()); err != nil {
		return nil, fmt.Errorf("registering outputs of %s: %w", name, err)
	}
	return c, nil
}

// outputs are the component's outputs: its fields with a pulumi tag, so
// the Go fields, the registered outputs and the component provider's
// state are one list.
func (c *ZeroDowntimeService) outputs() pulumi.Map {
	m := pulumi.Map{}
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		if tag := v.Type().Field(i).Tag.Get("pulumi"); tag != "" {
			m[tag] = v.Field(i).Interface().(pulumi.Input)
		}
	}
	return m
}

// registerChildren registers the objects in the order manifests.Items
// defines (the namespace label, the Service, what binds it to a target
// group, the budget, then the Deployment), each depending on the children
// its item waits for.
func (c *ZeroDowntimeService) registerChildren(ctx *pulumi.Context, name string, args *ZeroDowntimeServiceArgs, objs *manifests.Objects) error {
	registered := map[string]pulumi.Resource{}
	for _, it := range objs.Items() {
		opts := []pulumi.ResourceOption{pulumi.Parent(c)}
		if len(it.After) > 0 {
			deps := make([]pulumi.Resource, len(it.After))
			for i, k := range it.After {
				deps[i] = registered[k]
			}
			opts = append(opts, pulumi.DependsOn(deps))
		}
		res, err := c.registerItem(ctx, name, args, objs, it, opts)
		if err != nil {
			return fmt.Errorf("registering %s: %w", it.Kind, err)
		}
		registered[it.Kind] = res
	}
	return nil
}

// registerItem registers one object as the pulumi-kubernetes resource of
// its kind, with the Pulumi inputs and options that kind takes.
func (c *ZeroDowntimeService) registerItem(ctx *pulumi.Context, name string, args *ZeroDowntimeServiceArgs, objs *manifests.Objects, it manifests.Item, opts []pulumi.ResourceOption) (pulumi.CustomResource, error) {
	var (
		token  string
		res    pulumi.CustomResource
		inputs []inputAt
	)
	switch it.Kind {
	case manifests.KindNamespace:
		c.Namespace = &pcorev1.Namespace{}
		token, res = "kubernetes:core/v1:Namespace", c.Namespace
	case manifests.KindNamespacePatch:
		c.NamespacePatch = &pcorev1.NamespacePatch{}
		token, res = "kubernetes:core/v1:NamespacePatch", c.NamespacePatch
	case manifests.KindService:
		c.Service = &pcorev1.Service{}
		token, res = "kubernetes:core/v1:Service", c.Service
		if args.CertificateArn != nil && objs.Service.Spec.Type == "LoadBalancer" {
			inputs = []inputAt{{nlbCertificatePath, args.CertificateArn}}
		}
	case manifests.KindIngress:
		c.Ingress = &pnetworkingv1.Ingress{}
		token, res = "kubernetes:networking.k8s.io/v1:Ingress", c.Ingress
		if args.CertificateArn != nil {
			inputs = []inputAt{{certificatePath, args.CertificateArn}}
		}
	case manifests.KindTargetGroupBinding:
		if err := c.registerTargetGroup(ctx, name, args, objs, pulumi.Parent(c)); err != nil {
			return nil, err
		}
		c.TargetGroupBinding = &apiextensions.CustomResource{}
		token, res = "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding", c.TargetGroupBinding
		inputs = []inputAt{{targetGroupARNPath, c.TargetGroup.Arn}}
	case manifests.KindGatePolicy:
		token, res = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", &padmissionv1.ValidatingAdmissionPolicy{}
	case manifests.KindGatePolicyBinding:
		token, res = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", &padmissionv1.ValidatingAdmissionPolicyBinding{}
	case manifests.KindPodDisruptionBudget:
		c.PodDisruptionBudget = &ppolicyv1.PodDisruptionBudget{}
		token, res = "kubernetes:policy/v1:PodDisruptionBudget", c.PodDisruptionBudget
	case manifests.KindDeployment:
		if pi := objs.PodIdentity; pi != nil {
			// EKS injects the role's credentials into pods created after
			// the association exists: the Deployment waits for it.
			var piOpts []pulumi.ResourceOption
			if c.ServiceAccount != nil {
				piOpts = append(piOpts, pulumi.DependsOn([]pulumi.Resource{c.ServiceAccount}))
			}
			var err error
			c.PodIdentityAssociation, err = eks.NewPodIdentityAssociation(ctx, name, &eks.PodIdentityAssociationArgs{
				ClusterName:    pulumi.String(pi.ClusterName),
				Namespace:      pulumi.String(pi.Namespace),
				ServiceAccount: pulumi.String(pi.ServiceAccount),
				RoleArn:        pulumi.String(pi.RoleArn),
				Tags:           pulumi.StringMap{"zds.dev/service": pulumi.String(pi.Namespace + "/" + c.Spec.Name), "zds.dev/component": pulumi.String(name)},
			}, append(piOpts, pulumi.Parent(c))...)
			if err != nil {
				return nil, fmt.Errorf("registering the EKS Pod Identity association: %w", err)
			}
			opts = append(opts, pulumi.DependsOn([]pulumi.Resource{c.PodIdentityAssociation}))
		}
		c.Deployment = &pappsv1.Deployment{}
		token, res = "kubernetes:apps/v1:Deployment", c.Deployment
		if args.Image != nil {
			inputs = []inputAt{{imagePath, args.Image}}
		}
		timeout := fmt.Sprintf("%ds", c.Timing.AwaitTimeoutSeconds)
		opts = append(opts, pulumi.Timeouts(&pulumi.CustomTimeouts{Create: timeout, Update: timeout}))
		if objs.HPA != nil {
			// The autoscaler owns the replica count.
			opts = append(opts, pulumi.IgnoreChanges([]string{"spec.replicas"}))
		}
	case manifests.KindServiceAccount:
		c.ServiceAccount = &pcorev1.ServiceAccount{}
		token, res = "kubernetes:core/v1:ServiceAccount", c.ServiceAccount
	case manifests.KindHorizontalPodAutoscaler:
		c.HorizontalPodAutoscaler = &pautoscalingv2.HorizontalPodAutoscaler{}
		token, res = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", c.HorizontalPodAutoscaler
	default:
		return nil, fmt.Errorf("no Pulumi resource for kind %q", it.Kind)
	}
	return res, register(ctx, token, name, it.Object, inputs, res, opts...)
}

// registerTargetGroup creates the ALB target group (and the listener rule)
// with pulumi-aws: IP targets, the derived deregistration delay, and the
// health check of the readiness probe.
func (c *ZeroDowntimeService) registerTargetGroup(ctx *pulumi.Context, name string, args *ZeroDowntimeServiceArgs, objs *manifests.Objects, parent pulumi.ResourceOption) error {
	tg := objs.TargetGroup
	vpc := args.VpcId
	if vpc == nil {
		vpc = pulumi.String(c.Spec.LoadBalancer.VpcId)
	}
	var err error
	c.TargetGroup, err = lb.NewTargetGroup(ctx, name, &lb.TargetGroupArgs{
		Port:                pulumi.Int(tg.Port),
		Protocol:            pulumi.String(tg.Protocol),
		TargetType:          pulumi.String(tg.TargetType),
		VpcId:               vpc,
		DeregistrationDelay: pulumi.Int(tg.DeregistrationDelaySeconds),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Protocol:           pulumi.String("HTTP"),
			Path:               pulumi.String(tg.HealthCheckPath),
			Port:               pulumi.String(tg.HealthCheckPort),
			Interval:           pulumi.Int(tg.HealthCheckIntervalSeconds),
			Timeout:            pulumi.Int(tg.HealthCheckTimeoutSeconds),
			HealthyThreshold:   pulumi.Int(tg.HealthyThreshold),
			UnhealthyThreshold: pulumi.Int(tg.UnhealthyThreshold),
			Matcher:            pulumi.String(tg.Matcher),
		},
		Tags: pulumi.StringMap{
			"zds.dev/service":   pulumi.String(c.Spec.Namespace + "/" + c.Spec.Name),
			"zds.dev/component": pulumi.String(name),
		},
	}, parent)
	if err != nil {
		return fmt.Errorf("registering target group: %w", err)
	}
	rule := objs.ListenerRule
	if rule == nil {
		return nil
	}
	listener := args.ListenerArn
	if listener == nil {
		listener = pulumi.String(c.Spec.LoadBalancer.ListenerArn)
	}
	conditions := lb.ListenerRuleConditionArray{
		&lb.ListenerRuleConditionArgs{PathPattern: &lb.ListenerRuleConditionPathPatternArgs{Values: pulumi.ToStringArray(rule.PathPatterns)}},
	}
	if rule.Host != "" {
		conditions = append(conditions, &lb.ListenerRuleConditionArgs{HostHeader: &lb.ListenerRuleConditionHostHeaderArgs{Values: pulumi.StringArray{pulumi.String(rule.Host)}}})
	}
	c.ListenerRule, err = lb.NewListenerRule(ctx, name, &lb.ListenerRuleArgs{
		ListenerArn: listener,
		Priority:    pulumi.Int(rule.Priority),
		Actions: lb.ListenerRuleActionArray{&lb.ListenerRuleActionArgs{
			Type:           pulumi.String("forward"),
			TargetGroupArn: c.TargetGroup.Arn,
		}},
		Conditions: conditions,
	}, parent)
	if err != nil {
		return fmt.Errorf("registering listener rule: %w", err)
	}
	return nil
}

// lbHostname reads the load balancer's DNS name from an Ingress status; ""
// until the controller has written it (e.g. with skipAwait). The SDK's
// generated Index(0) would panic on the empty list.
func lbHostname(s *pnetworkingv1.IngressStatus) string {
	if s == nil || s.LoadBalancer == nil || len(s.LoadBalancer.Ingress) == 0 || s.LoadBalancer.Ingress[0].Hostname == nil {
		return ""
	}
	return *s.LoadBalancer.Ingress[0].Hostname
}

// serviceHostname reads the NLB's DNS name from a Service status.
func serviceHostname(s *pcorev1.ServiceStatus) string {
	if s == nil || s.LoadBalancer == nil || len(s.LoadBalancer.Ingress) == 0 || s.LoadBalancer.Ingress[0].Hostname == nil {
		return ""
	}
	return *s.LoadBalancer.Ingress[0].Hostname
}
