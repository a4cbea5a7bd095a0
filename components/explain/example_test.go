// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package explain_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/zerodowntime/zds/components/explain"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
)

func web() *spec.Resolved {
	shutdown := 10
	r, err := service.Resolve("web", spec.ServiceSpec{
		Namespace: "shop", Image: "ghcr.io/acme/web:1.4.2",
		App: spec.App{MaxRequestSeconds: 15, ShutdownSeconds: &shutdown},
	}, spec.Inputs{})
	if err != nil {
		panic(err)
	}
	return r
}

// What happens when one pod is deleted, in seconds after the deletion: the
// container chain stays behind the traffic chain at every step.
func ExampleTermination() {
	for _, e := range explain.Termination(web()).Events {
		what, _, _ := strings.Cut(e.What, ":")
		fmt.Printf("t=%-3d %-9s %s\n", e.AtSeconds, e.Chain, what)
	}
	// Output:
	// t=0   container pod deleted
	// t=0   traffic   endpoint terminating
	// t=25  traffic   load balancer has stopped new requests by now at the latest (propagation budget L=25s)
	// t=36  container preStop ends
	// t=40  traffic   the last request, started at L, has ended (L+R=25s+15s=40s)
	// t=45  traffic   draining ends (deregistration delay D=45s ≥ L+R=40s, even if the clock started at deletion)
	// t=46  container app has drained and exited at the latest (P+S=46s > D=45s)
	// t=51  container grace period ends
}

// The spans the timeline draws: new requests arrive up to L while the
// draining window, drawn from 0 (the worst case for rule 1), runs to D.
func ExampleTermination_spans() {
	for _, s := range explain.Termination(web()).Spans {
		fmt.Printf("%-9s %-30s %2d–%ds\n", s.Chain, s.What, s.StartSeconds, s.EndSeconds)
	}
	// Output:
	// container preStop sleep                   0–36s
	// container app drains (S)                 36–46s
	// container buffer                         46–51s
	// traffic   new requests still arrive (L)   0–25s
	// traffic   last request (R)               25–40s
	// traffic   draining (D)                    0–45s
}

// The text explanation starts with the verdict and the inputs, defaults
// applied (start-up 30 s, 3 replicas).
func ExampleText() {
	var b bytes.Buffer
	if err := explain.Text(&b, web()); err != nil {
		panic(err)
	}
	lines := strings.Split(b.String(), "\n")
	fmt.Println(lines[0])
	fmt.Println(lines[2])
	// Output:
	// shop/web behind alb: every rule of the timing model holds
	// Inputs: longest request R=15s, shutdown S=10s, start-up 30s, propagation L=25s, 3 replicas, maxSurge 1
}

// The text ends with the rollout: the estimate zds's deadlines come from,
// the model's lower bound and drain time, and the terms that wait for
// nothing (#22).
func ExampleText_rollout() {
	var b bytes.Buffer
	if err := explain.Text(&b, web()); err != nil {
		panic(err)
	}
	_, rollout, _ := strings.Cut(b.String(), "\nRollout, ")
	fmt.Print("Rollout, " + rollout)
	// Output:
	// Rollout, as the model predicts it (docs/timing.md#how-long-events-take): 3 wave(s) of up to 125s (pod start, start-up probe, LB registration 30s, minReadySeconds 0), then the old targets drain (L + D = 70s): up to 445s (7m25s);
	//   no safe rollout beats one wave, then the draining: 195s (3m15s). A node drain, 1 pod(s) at a time, takes up to 375s (6m15s).
	//   progressDeadlineSeconds 250; Pulumi waits up to 668s (11m8s). A longer preStop costs capacity and drain time, not rollout time.
	//   Waiting for nothing: 3 waves of maxSurge 1 where room for more pods (capacity.headroom) would take fewer.
}
