// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package service

import (
	"fmt"
	"strconv"

	"github.com/zerodowntime/zds/components/spec"
)

// MemberProblem is a problem of one service among several read together:
// Member is its index, Path the spec field, Message what is wrong.
type MemberProblem struct {
	Member  int
	Path    string
	Message string
}

// ALBGroupProblems checks the services that share one ALB
// (loadBalancer.groupName) together: the ALB-wide settings must agree and
// at most one member may own its attributes, so no two services fight over
// one load balancer. where names a member for the messages (its file and
// line).
func ALBGroupProblems(specs []spec.ServiceSpec, where func(member int) string) []MemberProblem {
	type member struct {
		i            int
		scheme, idle string
	}
	groups := map[string][]member{}
	var names []string
	for i, s := range specs {
		lb := s.LoadBalancer
		if lb.Kind != KindALB || lb.GroupName == "" {
			continue
		}
		idle := "unset (60)"
		if lb.IdleTimeoutSeconds != nil {
			idle = strconv.Itoa(*lb.IdleTimeoutSeconds)
		}
		if _, ok := groups[lb.GroupName]; !ok {
			names = append(names, lb.GroupName)
		}
		groups[lb.GroupName] = append(groups[lb.GroupName], member{i, lb.Scheme, idle})
	}
	var problems []MemberProblem
	for _, name := range names {
		members := groups[name]
		first := members[0]
		owner := -1
		for _, m := range members {
			at := func(path, msg string) { problems = append(problems, MemberProblem{m.i, path, msg}) }
			if m.scheme != first.scheme {
				at("spec.loadBalancer.scheme", fmt.Sprintf("ALB group %q is %s in %s: every member of a group must use the same scheme", name, first.scheme, where(first.i)))
			}
			if m.idle != first.idle {
				at("spec.loadBalancer.idleTimeoutSeconds", fmt.Sprintf("ALB group %q declares %s at %s: the group's ALB has one idle timeout, declare the same value in every member", name, first.idle, where(first.i)))
			}
			if specs[m.i].LoadBalancer.GroupAttributesOwner {
				if owner >= 0 {
					at("spec.loadBalancer.groupAttributesOwner", fmt.Sprintf("ALB group %q is already owned by %s: exactly one member may own the ALB's attributes", name, where(owner)))
				}
				owner = m.i
			}
		}
	}
	return problems
}
