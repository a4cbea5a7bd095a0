// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package haproxy_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zerodowntime/zds/tests/traffic/haproxy"
	"github.com/zerodowntime/zds/tests/traffic/internal/traffictest"
)

func TestMain(m *testing.M) { os.Exit(traffictest.Main(m)) }

// fastChecks keeps the tests short: a server is UP 0.4s after it answers.
var fastChecks = haproxy.Config{
	HealthInterval:     200 * time.Millisecond,
	HealthTimeout:      500 * time.Millisecond,
	HealthyThreshold:   2,
	UnhealthyThreshold: 2,
}

// startProxy starts HAProxy for one test and stops it when the test ends.
func startProxy(t *testing.T, cfg haproxy.Config) *haproxy.Proxy {
	t.Helper()
	cfg.Binary = traffictest.RequireHAProxy(t)
	cfg.LogRequests = true
	p, err := haproxy.Start(cfg)
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
	return p
}

// addHealthy registers the apps and waits until HAProxy sees them UP.
func addHealthy(t *testing.T, p *haproxy.Proxy, apps ...*traffictest.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for _, a := range apps {
		if err := p.AddServer(a.Name, a.Addr); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range apps {
		if err := p.WaitHealthy(ctx, a.Name); err != nil {
			t.Fatal(err)
		}
	}
}

// servedBy sends n sequential requests on one keep-alive client and counts
// the answering pods; failures are counted under "error" or the status.
func servedBy(t *testing.T, url string, n int) map[string]int {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	got := map[string]int{}
	for range n {
		resp, err := client.Get(url + "/?ms=1")
		if err != nil {
			got["error"]++
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			got[resp.Status]++
			continue
		}
		got[resp.Header.Get("X-Pod-Name")]++
	}
	return got
}

func TestDrainAndRemoveRouteRequests(t *testing.T) {
	t.Parallel()
	p := startProxy(t, fastChecks)
	a := traffictest.StartApp(t, "a", nil)
	b := traffictest.StartApp(t, "b", nil)
	a.WaitReady(t, 5*time.Second)
	b.WaitReady(t, 5*time.Second)
	addHealthy(t, p, a, b)

	if got := servedBy(t, p.URL, 20); got["a"] != 10 || got["b"] != 10 {
		t.Fatalf("before drain: served by %v, want 10 each (round robin)", got)
	}

	if err := p.Drain("a"); err != nil {
		t.Fatal(err)
	}
	s, err := p.ServerState("a")
	if err != nil {
		t.Fatal(err)
	}
	if !s.Admin.Drain() || !s.Healthy() || s.Status != "DRAIN" {
		t.Errorf("drained server state %+v, want healthy and draining", s)
	}
	if got := servedBy(t, p.URL, 20); got["b"] != 20 {
		t.Fatalf("after drain: served by %v, want all 20 by b", got)
	}

	if err := p.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ServerState("a"); !errors.Is(err, haproxy.ErrNoServer) {
		t.Errorf("after remove: Server(a) err = %v, want ErrNoServer", err)
	}
	if err := p.Drain("a"); !errors.Is(err, haproxy.ErrNoServer) {
		t.Errorf("Drain of a removed server: err = %v, want ErrNoServer", err)
	}
	if got := servedBy(t, p.URL, 10); got["b"] != 10 {
		t.Fatalf("after remove: served by %v, want all 10 by b", got)
	}

	pid := p.PID()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("haproxy pid %d after Stop: kill(0) = %v, want ESRCH", pid, err)
	}
	if _, err := p.Command("show info"); err == nil {
		t.Error("admin socket still answers after Stop")
	}
}

// get runs one request in the background and reports its status or error.
func get(client *http.Client, url string) <-chan string {
	ch := make(chan string, 1)
	go func() {
		resp, err := client.Get(url)
		if err != nil {
			ch <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); err != nil {
			ch <- "body error: " + err.Error()
			return
		}
		ch <- resp.Status
	}()
	return ch
}

func TestDrainFinishesInFlightRemoveCutsIt(t *testing.T) {
	t.Parallel()
	p := startProxy(t, fastChecks)
	a := traffictest.StartApp(t, "a", nil)
	a.WaitReady(t, 5*time.Second)
	addHealthy(t, p, a)
	client := &http.Client{Timeout: 10 * time.Second}

	res := get(client, p.URL+"/?ms=1500")
	time.Sleep(300 * time.Millisecond)
	if err := p.Drain("a"); err != nil {
		t.Fatal(err)
	}
	if s, _ := p.ServerState("a"); s.Sessions != 1 {
		t.Errorf("draining server has %d sessions, want the 1 in flight", s.Sessions)
	}
	if got := <-res; got != "200 OK" {
		t.Errorf("request in flight during drain: %s, want 200 OK", got)
	}
	// With the only server drained, HAProxy has nowhere to send new requests.
	if got := <-get(client, p.URL+"/?ms=1"); got != "503 Service Unavailable" {
		t.Errorf("new request with the only server drained: %s, want 503", got)
	}

	b := traffictest.StartApp(t, "b", nil)
	b.WaitReady(t, 5*time.Second)
	addHealthy(t, p, b)
	res = get(client, p.URL+"/?ms=5000")
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	if err := p.Remove("b"); err != nil {
		t.Fatal(err)
	}
	got := <-res
	if got == "200 OK" {
		t.Fatal("request in flight on a removed server succeeded, want it cut")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("cut request ended %s after Remove, want at once", took)
	}
	t.Logf("request cut by Remove: %s", got)
}

// fakeServer accepts HTTP connections, never answers health checks (so a
// check times out) and answers 200 to anything else, counting it.
type fakeServer struct {
	ln       net.Listener
	requests atomic.Int64
	wg       sync.WaitGroup
}

func startFake(t *testing.T) *fakeServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{ln: ln}
	f.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			f.wg.Go(func() { f.serve(conn) })
		}
	})
	t.Cleanup(func() { ln.Close(); f.wg.Wait() })
	return f
}

func (f *fakeServer) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		if req.URL.Path == "/healthz" {
			io.Copy(io.Discard, br) // hang until HAProxy gives up
			return
		}
		f.requests.Add(1)
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	}
}

// A new target must get no request before it passed its health checks, as
// with an ALB. HAProxy's plain add/enable sequence violates this (the server
// is UP/READY the moment it leaves maintenance); AddServer must not.
func TestAddServerGetsNoTrafficBeforeHealthy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		add     func(p *haproxy.Proxy, addr string) error
		traffic bool
	}{
		{
			name: "AddServer",
			add:  func(p *haproxy.Proxy, addr string) error { return p.AddServer("fake", addr) },
		},
		{
			name: "plain add and enable (HAProxy behaviour AddServer avoids)",
			add: func(p *haproxy.Proxy, addr string) error {
				for _, cmd := range []string{
					"add server be/fake " + addr + " check inter 200ms rise 2 fall 2",
					"enable health be/fake",
					"enable server be/fake",
				} {
					if _, err := p.Command(cmd); err != nil {
						return err
					}
				}
				return nil
			},
			traffic: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := fastChecks
			cfg.HealthTimeout = 2 * time.Second // the fake's check hangs this long
			p := startProxy(t, cfg)
			a := traffictest.StartApp(t, "a", nil)
			a.WaitReady(t, 5*time.Second)
			addHealthy(t, p, a)
			fake := startFake(t)

			if err := tt.add(p, fake.ln.Addr().String()); err != nil {
				t.Fatal(err)
			}
			got := servedBy(t, p.URL, 20)
			n := fake.requests.Load()
			t.Logf("20 requests right after adding a server whose check hangs: answered by %v (\"\" = fake), fake saw %d", got, n)
			if tt.traffic != (n > 0) {
				t.Errorf("fake got %d requests, want traffic=%v", n, tt.traffic)
			}
			if s, err := p.ServerState("fake"); err != nil || (!tt.traffic && s.Healthy()) {
				t.Errorf("fake server state %+v err %v, want it not healthy", s, err)
			}
		})
	}
}

func TestStartFailsWhenPortIsTaken(t *testing.T) {
	t.Parallel()
	bin := traffictest.RequireHAProxy(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p, err := haproxy.Start(haproxy.Config{Binary: bin, Port: ln.Addr().(*net.TCPAddr).Port})
	if err == nil {
		p.Stop()
		t.Fatal("Start succeeded on a port already in use")
	}
	if !strings.Contains(err.Error(), "bind") {
		t.Errorf("error does not say why: %v", err)
	}
}

func TestAddServerRejectsBadInput(t *testing.T) {
	t.Parallel()
	p := startProxy(t, fastChecks)
	tests := []struct{ name, addr string }{
		{"ok;del", "127.0.0.1:8080"},
		{"ok", "localhost:8080"},
		{"ok", "127.0.0.1"},
		{"ok", "127.0.0.1:0"},
		{"ok", "10.1.2.3:8080"}, // never send traffic off the machine
	}
	for _, tt := range tests {
		if err := p.AddServer(tt.name, tt.addr); err == nil {
			t.Errorf("AddServer(%q, %q) succeeded", tt.name, tt.addr)
		}
	}
	if err := p.AddServer("dup", "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	if err := p.AddServer("dup", "127.0.0.1:2"); err == nil {
		t.Error("adding a server name twice succeeded")
	}
	if s, err := p.ServerState("dup"); err != nil || s.Addr != "127.0.0.1:1" {
		t.Errorf("failed duplicate add changed the first server: %+v %v", s, err)
	}
}
