// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package albmodel runs the AWS Load Balancer Controller's own ingress
// model builder (pkg/ingress, with its mocked AWS clients) over zds's
// objects: the target groups it would create are the controller's reading
// of them, not zds's.
package albmodel

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/go-logr/logr"
	"github.com/golang/mock/gomock"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/annotations"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/aws/services"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/config"
	elbv2deploy "sigs.k8s.io/aws-load-balancer-controller/pkg/deploy/elbv2"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/deploy/tracking"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/ingress"
	lbcmetrics "sigs.k8s.io/aws-load-balancer-controller/pkg/metrics/lbc"
	elbv2model "sigs.k8s.io/aws-load-balancer-controller/pkg/model/elbv2"
	networkingpkg "sigs.k8s.io/aws-load-balancer-controller/pkg/networking"
	"sigs.k8s.io/aws-load-balancer-controller/pkg/shared_utils"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/zerodowntime/zds/components/check"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/specfile"
)

// builder is the controller's model builder as its own tests make it:
// mocked EC2, ELBv2, WAFv2 and ACM clients, two discovered subnets, a
// fake Kubernetes client holding the Services, and the controller's
// defaults (instance targets, internal scheme).
func builder(t *testing.T, k8s client.Client) ingress.ModelBuilder {
	ctrl := gomock.NewController(t)
	ec2 := services.NewMockEC2(ctrl)
	elbv2 := services.NewMockELBV2(ctrl)
	subnets := networkingpkg.NewMockSubnetsResolver(ctrl)
	subnets.EXPECT().ResolveViaDiscovery(gomock.Any(), gomock.Any()).Return([]ec2types.Subnet{
		{SubnetId: aws.String("subnet-a"), AvailabilityZone: aws.String("eu-west-1a"), VpcId: aws.String("vpc-zds")},
		{SubnetId: aws.String("subnet-b"), AvailabilityZone: aws.String("eu-west-1b"), VpcId: aws.String("vpc-zds")},
	}, nil).AnyTimes()
	tagging := elbv2deploy.NewMockTaggingManager(ctrl)
	tagging.EXPECT().ListLoadBalancers(gomock.Any(), gomock.Any()).Return(nil, nil).AnyTimes()
	parser := annotations.NewSuffixAnnotationParser(annotations.AnnotationPrefixIngress)
	auth := ingress.NewDefaultAuthConfigBuilder(parser)
	return ingress.NewDefaultModelBuilder(k8s, record.NewFakeRecorder(100), ec2, elbv2, services.NewMockWAFv2(ctrl), services.NewMockACM(ctrl),
		parser, subnets, auth, ingress.NewDefaultEnhancedBackendBuilder(k8s, parser, auth, true, true),
		tracking.NewDefaultProvider("ingress.k8s.aws", "zds"), tagging, config.NewFeatureGates(),
		"vpc-zds", "zds", nil, nil, "ELBSecurityPolicy-2016-08", "instance", "internal",
		networkingpkg.NewMockBackendSGProvider(ctrl), networkingpkg.NewDefaultSecurityGroupResolver(ec2, "vpc-zds"),
		false, false, false, nil, true, &shared_utils.MockTargetGroupARNMapper{}, logr.Discard(), lbcmetrics.NewMockCollector())
}

// Every example's Ingresses, built by the controller's model builder:
// each target group has IP targets, zds's derived deregistration delay and
// the health check on the readiness probe's path and port.
func TestTheControllerBuildsWhatZdsDerived(t *testing.T) {
	files, err := filepath.Glob("../../../examples/*/*.zds.yaml")
	if err != nil || len(files) < 6 {
		t.Fatalf("%v %v", files, err)
	}
	built := 0
	for _, f := range files {
		docs, err := specfile.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := render.Manifests(docs)
		if err != nil {
			t.Fatal(err)
		}
		services, err := check.Decode(ms)
		if err != nil {
			t.Fatal(err)
		}
		derived := map[string]int{}
		for _, d := range docs {
			derived[d.Resolved.Spec.Namespace+"/"+d.Resolved.Spec.Name] = d.Resolved.Timing.DeregistrationDelaySeconds
		}
		for _, o := range services {
			if o.Ingress == nil {
				continue // an NLB: the service model builder's, not the ingress one's
			}
			want := derived[o.Deployment.Namespace+"/"+o.Deployment.Name]
			scheme := runtime.NewScheme()
			if err := clientgoscheme.AddToScheme(scheme); err != nil {
				t.Fatal(err)
			}
			k8s := fake.NewClientBuilder().WithScheme(scheme).WithObjects(o.Service.DeepCopy()).Build()
			ing := o.Ingress.DeepCopy()
			group := ingress.Group{ID: ingress.GroupID{Namespace: ing.Namespace, Name: ing.Name}, Members: []ingress.ClassifiedIngress{{Ing: ing}}}
			if name, ok := ing.Annotations["alb.ingress.kubernetes.io/group.name"]; ok {
				group.ID = ingress.GroupID{Name: name}
			}
			b := builder(t, k8s)
			stack, _, _, _, _, _, err := b.Build(context.Background(), group, lbcmetrics.NewMockCollector())
			if err != nil {
				t.Fatalf("%s: the controller's model builder: %v", f, err)
			}
			var tgs []*elbv2model.TargetGroup
			if err := stack.ListResources(&tgs); err != nil {
				t.Fatal(err)
			}
			if len(tgs) != 1 {
				t.Fatalf("%s %s: %d target groups", f, ing.Name, len(tgs))
			}
			tg := tgs[0].Spec
			built++
			name := f + " " + ing.Namespace + "/" + ing.Name
			if tg.TargetType != elbv2model.TargetTypeIP {
				t.Errorf("%s: the controller builds target type %s", name, tg.TargetType)
			}
			d := -1
			for _, a := range tg.TargetGroupAttributes {
				if a.Key == "deregistration_delay.timeout_seconds" {
					d, _ = strconv.Atoi(a.Value)
				}
			}
			if d != want {
				t.Errorf("%s: the controller sets deregistration delay %d, zds derived %d", name, d, want)
			}
			ctr := o.Deployment.Spec.Template.Spec.Containers[0]
			rp := ctr.ReadinessProbe.HTTPGet
			hc := tg.HealthCheckConfig
			if hc == nil || hc.Path == nil || *hc.Path != rp.Path {
				t.Errorf("%s: health check path %v, readiness path %s", name, hc, rp.Path)
			}
			if hc != nil && hc.Port != nil && !samePort(*hc.Port, o.Service, ctr, rp.Port) {
				t.Errorf("%s: health check port %s, readiness port %s", name, hc.Port.String(), rp.Port.String())
			}
		}
	}
	if built < 7 {
		t.Errorf("only %d target groups built", built)
	}
}

// samePort says whether the health check's port (traffic-port, or a
// number) is the container port the readiness probe uses.
func samePort(hc intstr.IntOrString, svc *corev1.Service, ctr corev1.Container, readiness intstr.IntOrString) bool {
	port := func(p intstr.IntOrString) int32 {
		if p.Type == intstr.Int {
			return p.IntVal
		}
		for _, cp := range ctr.Ports {
			if cp.Name == p.StrVal {
				return cp.ContainerPort
			}
		}
		return -1
	}
	want := port(readiness)
	if hc.String() == "traffic-port" {
		return slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return port(sp.TargetPort) == want })
	}
	return port(hc) == want
}
