// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package service_test

import (
	"fmt"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

func ExampleALBGroupProblems() {
	member := func(scheme string, owner bool) spec.ServiceSpec {
		return spec.ServiceSpec{LoadBalancer: spec.LoadBalancer{Kind: service.KindALB, GroupName: "market", Scheme: scheme, GroupAttributesOwner: owner}}
	}
	specs := []spec.ServiceSpec{member("internal", true), member("internet-facing", true)}
	for _, p := range service.ALBGroupProblems(specs, func(i int) string { return fmt.Sprintf("services.zds.yaml document %d", i+1) }) {
		fmt.Println(p.Member, p.Path+":", p.Message)
	}
	// Output:
	// 1 spec.loadBalancer.scheme: ALB group "market" is internal in services.zds.yaml document 1: every member of a group must use the same scheme
	// 1 spec.loadBalancer.groupAttributesOwner: ALB group "market" is already owned by services.zds.yaml document 1: exactly one member may own the ALB's attributes
}
