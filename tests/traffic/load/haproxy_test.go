// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package load_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/zerodowntime/zds/tests/traffic/haproxy"
	"github.com/zerodowntime/zds/tests/traffic/internal/traffictest"
	"github.com/zerodowntime/zds/tests/traffic/load"
)

func TestMain(m *testing.M) { os.Exit(traffictest.Main(m)) }

// twoBackends starts HAProxy with two healthy testapps a and b behind it.
func twoBackends(t *testing.T) (*haproxy.Proxy, *traffictest.App, *traffictest.App) {
	t.Helper()
	bin := traffictest.RequireHAProxy(t)
	p, err := haproxy.Start(haproxy.Config{
		Binary:             bin,
		HealthInterval:     500 * time.Millisecond,
		HealthTimeout:      500 * time.Millisecond,
		HealthyThreshold:   2,
		UnhealthyThreshold: 2,
		LogRequests:        true,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Logf("haproxy output:\n%s", p.Logs())
		}
	})
	a := traffictest.StartApp(t, "a", nil)
	b := traffictest.StartApp(t, "b", nil)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for _, app := range []*traffictest.App{a, b} {
		app.WaitReady(t, 5*time.Second)
		if err := p.AddServer(app.Name, app.Addr); err != nil {
			t.Fatal(err)
		}
	}
	for _, app := range []*traffictest.App{a, b} {
		if err := p.WaitHealthy(ctx, app.Name); err != nil {
			t.Fatal(err)
		}
	}
	return p, a, b
}

// A steady state with healthy backends must cost nothing; otherwise every
// rollout measurement would carry noise from the rig itself.
func TestSteadyLoadThroughHAProxyHasNoFailures(t *testing.T) {
	t.Parallel()
	p, _, _ := twoBackends(t)
	res, err := load.Run(t.Context(), load.Config{
		URL: p.URL, Rate: 200, Duration: 3 * time.Second, Mix: load.DefaultMix(500), Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.Failed != 0 {
		t.Errorf("%d of %d requests failed: %v; first: %+v", res.Failed, res.Sent, res.FailedByReason, res.Failures[0])
	}
	if res.Sent < 590 || res.Sent > 600 {
		t.Errorf("sent %d, want ~600 (200/s for 3s)", res.Sent)
	}
	if res.ByBackend["a"] < res.OK/3 || res.ByBackend["b"] < res.OK/3 {
		t.Errorf("traffic not spread over both backends: %v", res.ByBackend)
	}
}

// A backend that dies without being deregistered keeps getting requests
// until its health checks fail (fall × interval), and HAProxy does not
// retry: the counter must see those failures.
func TestKilledBackendCausesFailures(t *testing.T) {
	t.Parallel()
	p, _, b := twoBackends(t)
	go func() {
		select {
		case <-time.After(time.Second):
			b.Kill()
		case <-t.Context().Done():
		}
	}()
	res, err := load.Run(t.Context(), load.Config{
		URL: p.URL, Rate: 200, Duration: 3 * time.Second, Mix: load.DefaultMix(500), Seed: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	if res.Failed == 0 {
		t.Fatal("no failures although a backend was SIGKILLed mid-load")
	}
	// Requests issued before the kill may fail (they were in flight on b),
	// but none may have failed before it.
	for _, f := range res.Failures {
		if f.At+f.Latency < 900*time.Millisecond {
			t.Errorf("failure that ended before the kill: %+v", f)
		}
	}
	first, last := res.Failures[0].At, res.Failures[len(res.Failures)-1].At
	t.Logf("failures from %s to %s after start (kill at 1s; checks every 0.5s, fall 2)", first.Round(time.Millisecond), last.Round(time.Millisecond))
	if s, err := p.ServerState("b"); err != nil || s.Healthy() {
		t.Errorf("killed backend state %+v, err %v: want health checks to have marked it down", s, err)
	}
}

// A server removed while it serves requests, as an ALB removes a target
// when its deregistration delay runs out, cuts what is in flight on it: the
// counter must see every such request fail. (It did not while the load was
// GETs: Go's transport silently replays an idempotent request whose reused
// connection closed before an answer, so every cut request was sent again
// to the other server and counted as a success. A real ALB answers such a
// request with a 5xx instead of closing the client's connection, so the
// client never gets to replay it.)
func TestRemovedServerCutsRequestsInFlight(t *testing.T) {
	t.Parallel()
	p, _, _ := twoBackends(t)
	removed := make(chan time.Time, 1)
	go func() {
		select {
		case <-time.After(1500 * time.Millisecond):
			if err := p.Remove("b"); err != nil {
				t.Error(err)
			}
			removed <- time.Now()
		case <-t.Context().Done():
		}
	}()
	// Every request lasts 400–800 ms, so b always has some in flight.
	res, err := load.Run(t.Context(), load.Config{
		URL: p.URL, Rate: 100, Duration: 3 * time.Second, Seed: 3,
		Mix: []load.Class{{Name: "long", Weight: 1, MinMS: 400, MaxMS: 800}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res)
	at := (<-removed).Sub(res.Started)
	// Half of 100 requests/s go to b and each lasts at least 400 ms, so at
	// least 20 are in flight there at any moment. (With GETs, 2 failed.)
	if res.Failed < 10 {
		t.Fatalf("%d requests failed although server b was removed at %s with at least 20 in flight: cut requests are being replayed or not counted", res.Failed, at.Round(time.Millisecond))
	}
	// Only requests in flight at the removal may fail: issued before it and
	// still running then.
	for _, f := range res.Failures {
		if f.At > at || f.At+800*time.Millisecond+200*time.Millisecond < at {
			t.Errorf("failure not in flight at the removal (%s): %+v", at.Round(time.Millisecond), f)
		}
	}
}
