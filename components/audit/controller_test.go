// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/zerodowntime/zds/components/audit"
	"github.com/zerodowntime/zds/components/specfile"
)

// What the AWS Load Balancer Controller builds from zds's objects, read
// with the controller's own annotation parser: IP targets, the derived
// deregistration delay, the health check on the readiness probe's path
// and port, each set explicitly (a misspelled annotation key falls back
// to the controller's default, instance, 300 s or /, and fails here).
func TestTheControllerReadsWhatZdsDerived(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*/*.zds.yaml")
	n := 0
	for _, f := range files {
		docs, err := specfile.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, d := range docs {
			want[d.Resolved.Spec.Namespace+"/"+d.Resolved.Spec.Name] = d.Resolved.Timing.DeregistrationDelaySeconds
		}
		objs, problems := audit.Read(f, rendered(t, f))
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		services, problems := audit.Services(objs)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		for _, s := range services {
			tgs, err := s.TargetGroups()
			if err != nil {
				t.Fatalf("%s: %v", s.Key(), err)
			}
			if len(tgs) == 0 {
				t.Errorf("%s: the controller would build no target group", s.Key())
			}
			ctr := s.Deployment.V.Spec.Template.Spec.Containers[0]
			rp := ctr.ReadinessProbe.HTTPGet
			readinessPort := rp.Port.String()
			for _, p := range ctr.Ports {
				if p.Name == rp.Port.StrVal {
					readinessPort = strconv.Itoa(int(p.ContainerPort))
				}
			}
			for _, tg := range tgs {
				n++
				name := s.Key() + " via " + tg.Via.Ref()
				if tg.TargetType != "ip" || len(tg.Explicit) == 0 {
					t.Errorf("%s: target type %s", name, tg.TargetType)
				}
				if tg.DeregistrationDelay != want[s.Key()] {
					t.Errorf("%s: the controller sets deregistration delay %d, zds derived %d", name, tg.DeregistrationDelay, want[s.Key()])
				}
				if tg.HealthCheckPath != rp.Path {
					t.Errorf("%s: health check path %s, readiness path %s", name, tg.HealthCheckPath, rp.Path)
				}
				port := tg.HealthCheckPort
				if port == "traffic-port" {
					for _, sp := range tg.Service.Spec.Ports {
						port = sp.TargetPort.String()
						for _, p := range ctr.Ports {
							if p.Name == sp.TargetPort.StrVal {
								port = strconv.Itoa(int(p.ContainerPort))
							}
						}
					}
				}
				if port != readinessPort {
					t.Errorf("%s: health check port %s, readiness port %s", name, port, readinessPort)
				}
			}
		}
	}
	if n < 7 {
		t.Errorf("only %d target groups checked", n)
	}
}
