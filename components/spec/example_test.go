// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package spec_test

import (
	"fmt"

	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

// A service whose longest request takes 30 s and which needs 10 s to shut
// down, behind the default internal ALB: the deregistration delay covers a
// longest request that the ALB starts at the end of its propagation (L + R =
// 25 + 30, plus a 5 s margin), the preStop sleep outlasts it once the app's
// shutdown is added, and the grace period covers both the sleep and the
// shutdown.
func ExampleResolve() {
	r, err := service.Resolve("web", spec.ServiceSpec{
		Image: "ghcr.io/acme/web:1.4.2",
		App:   spec.App{MaxRequestSeconds: 30, ShutdownSeconds: intPtr(10)},
	}, spec.Inputs{})
	if err != nil {
		fmt.Println(err)
		return
	}
	t := r.Timing
	fmt.Println("deregistration delay:", t.DeregistrationDelaySeconds)
	fmt.Println("preStop sleep:       ", t.PreStopSleepSeconds)
	fmt.Println("grace period:        ", t.TerminationGracePeriodSeconds)
	// Output:
	// deregistration delay: 60
	// preStop sleep:        51
	// grace period:         66
}

// A pinned value that breaks a rule is reported with the rule, the numbers
// and the smallest fix, next to every other problem in the spec.
func ExampleResolve_invalid() {
	_, err := service.Resolve("web", spec.ServiceSpec{
		Image:  "ghcr.io/acme/web:1.4.2",
		App:    spec.App{MaxRequestSeconds: 15, ShutdownSeconds: intPtr(10)},
		Timing: spec.Timing{TerminationGracePeriodSeconds: intPtr(30)},
	}, spec.Inputs{})
	fmt.Println(err)
	// Output:
	// invalid ZeroDowntimeService:
	//   - spec.timing.terminationGracePeriodSeconds: Invalid value: 30: rule 4 (G > P + S): timing.terminationGracePeriodSeconds (30) must exceed timing.preStopSleepSeconds (31) + app.shutdownSeconds (10) = 41, or SIGKILL cuts in-flight requests: raise it to at least 42
}
