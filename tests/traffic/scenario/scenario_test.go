// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package scenario_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/zerodowntime/zds/tests/traffic/albemu"
	"github.com/zerodowntime/zds/tests/traffic/node"
	"github.com/zerodowntime/zds/tests/traffic/scenario"
)

func TestMain(m *testing.M) { node.Main(m) }

func startCluster(t *testing.T) *scenario.Cluster {
	t.Helper()
	cl := node.StartCluster(t, node.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const image = "zds.local/testapp:1"
	if err := cl.Node.BuildImage(ctx, "../testapp", image); err != nil {
		t.Fatal(err)
	}
	cfg := cl.ControlPlane.Config
	if err := albemu.InstallCRD(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	hook, err := albemu.StartWebhook(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := &scenario.Cluster{Config: cfg, Client: cl.Client, Node: cl.Node, Image: image, Webhook: hook, Logf: t.Logf, Kubeconfig: cl.ControlPlane.Kubeconfig}
	t.Cleanup(func() { _ = c.Webhook.Stop(context.Background()) })
	return c
}

type run struct {
	cfg   scenario.Config
	ev    scenario.Event
	check func(t *testing.T, o scenario.Outcome)
}

func zeroFailed(t *testing.T, o scenario.Outcome) {
	t.Helper()
	if o.Load.Failed != 0 {
		t.Errorf("%s failed %d requests: %v\nfirst failures: %+v", o.Config, o.Load.Failed, o.Load.FailedByReason, first(o, 10))
	}
	if o.Load.Sent < scenario.MinRequests {
		t.Errorf("only %d requests sent; want at least %d for a claim of zero", o.Load.Sent, scenario.MinRequests)
	}
}

// zeroFailedInModel is zeroFailed, and the event's duration within 1.25×
// of what the model predicts for it (timing.Predict with the harness's
// latencies, scenario.Model) and no shorter than its lower bound (#22):
// the model is what zds derives a rollout's pace and deadlines from.
func zeroFailedInModel(cfg scenario.Config, ev scenario.Event) func(t *testing.T, o scenario.Outcome) {
	return func(t *testing.T, o scenario.Outcome) {
		t.Helper()
		zeroFailed(t, o)
		inModel(cfg, ev)(t, o)
	}
}

// inModel checks only the duration against the model.
func inModel(cfg scenario.Config, ev scenario.Event) func(t *testing.T, o scenario.Outcome) {
	return func(t *testing.T, o scenario.Outcome) {
		t.Helper()
		predicted, lower, err := scenario.Predicted(scenario.Default, cfg, ev)
		if err != nil || predicted == 0 {
			t.Fatalf("no prediction for %s: %v", ev.Name, err)
		}
		if o.EventDuration > predicted*5/4 || o.EventDuration < lower {
			t.Errorf("%s took %s: the model predicts %s (at most 1.25× that, at least the lower bound %s)", ev.Name, o.EventDuration.Round(time.Second), predicted, lower)
		} else {
			t.Logf("%s took %s; the model predicts %s (%.2f×)", ev.Name, o.EventDuration.Round(time.Second), predicted, o.EventDuration.Seconds()/predicted.Seconds())
		}
	}
}

// zeroFailedIfZDS is the report's check of a configuration: zds's own
// must lose nothing; the others are measured, not judged.
func zeroFailedIfZDS(cfg scenario.Config) func(*testing.T, scenario.Outcome) {
	if cfg.Name == scenario.ZDS.Name {
		return zeroFailed
	}
	return nil
}

func someFailed(t *testing.T, o scenario.Outcome) {
	t.Helper()
	if o.Load.Failed == 0 {
		t.Errorf("%s lost no request out of %d: the harness cannot tell good from bad", o.Config, o.Load.Sent)
	}
}

func runAll(t *testing.T, c *scenario.Cluster, runs []run) []scenario.Outcome {
	var out []scenario.Outcome
	for _, r := range runs {
		t.Run(r.ev.Name+"/"+r.cfg.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
			defer cancel()
			o, err := c.Run(ctx, r.cfg, scenario.Default, r.ev)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(o)
			out = append(out, o)
			if r.check != nil {
				r.check(t, o)
			}
			if t.Failed() {
				for _, e := range o.Timeline {
					t.Logf("  %s %s %s %s", e.At.Format("15:04:05.000"), e.Pod, e.What, e.Detail)
				}
			}
		})
	}
	return out
}

// Under constant load, zds's manifests lose no request out of at least
// 20,000, in the time the model predicts, through a rolling update, a
// scale-down and a node drain's evictions, and through a rolling update made by a real `pulumi up` of
// the component, which returns only once every new pod is a healthy
// target. Two configurations behind the same load balancer must lose
// some, or the harness could not tell good from bad: a plain Deployment in
// a rolling update (SIGTERM while the load balancer still sends), and zds
// with rule 1 broken (D = R + 1 < L + R), whose draining window closes on
// requests the load balancer started late in propagation.
func TestRollouts(t *testing.T) {
	if os.Getenv("ZDS_TRAFFIC_REPORT") != "" {
		t.Skip("make traffic runs TestReport instead")
	}
	c := startCluster(t)
	runAll(t, c, []run{
		{scenario.ZDS, scenario.RollingUpdate, zeroFailedInModel(scenario.ZDS, scenario.RollingUpdate)},
		{scenario.Plain, scenario.RollingUpdate, someFailed},
		{scenario.Ablation("1", scenario.Default), scenario.RollingUpdate, someFailed},
		{scenario.ZDS, scenario.ScaleDown, zeroFailedInModel(scenario.ZDS, scenario.ScaleDown)},
		{scenario.ZDS, scenario.Evictions, zeroFailedInModel(scenario.ZDS, scenario.Evictions)},
		{scenario.ZDSPulumi, scenario.PulumiRollingUpdate, zeroFailedInModel(scenario.ZDSPulumi, scenario.PulumiRollingUpdate)},
		{scenario.ZDS, scenario.OutageRollingUpdate30, zeroFailedInModel(scenario.ZDS, scenario.OutageRollingUpdate30)},
	})
}

// TestReport runs every event against every configuration and writes
// docs/traffic.md (make traffic sets ZDS_TRAFFIC_REPORT to its path).
func TestReport(t *testing.T) {
	path := os.Getenv("ZDS_TRAFFIC_REPORT")
	if path == "" {
		t.Skip("set ZDS_TRAFFIC_REPORT=FILE (make traffic) to run the whole matrix and write the report")
	}
	c := startCluster(t)
	env := scenario.Default
	var runs []run
	for _, ev := range []scenario.Event{scenario.RollingUpdate, scenario.ScaleDown, scenario.Evictions} {
		for _, cfg := range []scenario.Config{scenario.ZDS, scenario.Plain, scenario.ProbesOnly, scenario.FieldRecipe} {
			runs = append(runs, run{cfg, ev, zeroFailedIfZDS(cfg)})
		}
	}
	for _, cfg := range []scenario.Config{scenario.ZDS, scenario.Plain, scenario.ProbesOnly, scenario.FieldRecipe} {
		runs = append(runs, run{cfg, scenario.SlowStartRollingUpdate, zeroFailedIfZDS(cfg)})
	}
	// #22: a controller outage of 5 s, 30 s and 60 s (longer than a wave
	// plus the preStop sleep) against each defence: zds's admission policy, minReadySeconds (zds
	// before #22), neither; and the field recipe.
	for _, ev := range []scenario.Event{scenario.OutageRollingUpdate, scenario.OutageRollingUpdate30, scenario.OutageRollingUpdate60} {
		for _, cfg := range []scenario.Config{scenario.ZDS, scenario.ZDSMinReady, scenario.ZDSUndefended, scenario.FieldRecipe} {
			runs = append(runs, run{cfg, ev, zeroFailedIfZDS(cfg)})
		}
	}
	runs = append(runs, run{scenario.ZDSPulumi, scenario.PulumiRollingUpdate, zeroFailed})
	for _, rule := range []string{"1", "2", "3", "4"} {
		runs = append(runs, run{scenario.Ablation(rule, env), scenario.RollingUpdate, nil})
	}
	// #22: the pace's knobs one at a time, at 3 and 12 replicas.
	for _, cfg := range []scenario.Config{scenario.ZDSMinReady, scenario.Knobs{MaxSurge: 2}.Config(), scenario.Knobs{MaxSurge: 3}.Config()} {
		runs = append(runs, run{cfg, scenario.RollingUpdate, nil})
	}
	runs = append(runs, run{scenario.Knobs{Budget: 2}.Config(), scenario.Evictions, nil})
	for _, cfg := range []scenario.Config{scenario.ZDS, scenario.ZDSMinReady, scenario.FieldRecipe} {
		runs = append(runs, run{cfg, scenario.RollingUpdate12, zeroFailedIfZDS(cfg)})
	}
	runs = append(runs, run{scenario.ZDS, scenario.Evictions12, zeroFailed})
	outcomes := runAll(t, c, runs)
	if err := os.WriteFile(path, []byte(scenario.Report(env, os.Getenv("ZDS_TRAFFIC_COMMIT"), outcomes)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func first(o scenario.Outcome, n int) any {
	f := o.Load.Failures
	if len(f) > n {
		f = f[:n]
	}
	return f
}
