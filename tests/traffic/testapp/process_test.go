// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zerodowntime/zds/tests/traffic/internal/traffictest"
)

// These tests run the real binary, because shutdown behaviour is about
// signals, listeners and sockets, which an in-process test would fake.

func TestMain(m *testing.M) { os.Exit(traffictest.Main(m)) }

// reply is the outcome of one HTTP request made in the background.
type reply struct {
	code int
	body string
	err  error
	took time.Duration
}

// getAsync starts a GET on a fresh connection and returns its outcome later.
func getAsync(url string) <-chan reply {
	ch := make(chan reply, 1)
	go func() {
		start := time.Now()
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
		resp, err := client.Get(url)
		if err != nil {
			ch <- reply{err: err, took: time.Since(start)}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		ch <- reply{code: resp.StatusCode, body: string(b), err: err, took: time.Since(start)}
	}()
	return ch
}

// inFlight gives a request sent just before a signal time to reach the
// handler, so the test is about in-flight work, not about a connect race.
const inFlight = 300 * time.Millisecond

func TestDrainFinishesInFlightRequest(t *testing.T) {
	t.Parallel()
	app := traffictest.StartApp(t, "drain", map[string]string{"SHUTDOWN_MODE": "drain", "SHUTDOWN_SECONDS": "5"})
	app.WaitReady(t, 5*time.Second)

	res := getAsync(app.URL + "/?ms=2000")
	time.Sleep(inFlight)
	if err := app.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// The listener closes promptly, so a load balancer's next connection
	// (or health check) is refused while the old request is still running.
	if err := waitRefused(app.Addr, time.Second); err != nil {
		t.Error(err)
	}

	r := <-res
	if r.err != nil || r.code != http.StatusOK || !strings.Contains(r.body, "pod=drain") {
		t.Fatalf("in-flight request: code=%d body=%q err=%v, want 200 from pod drain", r.code, r.body, r.err)
	}
	if r.took < 2*time.Second {
		t.Errorf("request took %s, want the full 2s", r.took)
	}
	state, err := app.Wait(3 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if state.ExitCode() != 0 {
		t.Errorf("exit code %d, want 0", state.ExitCode())
	}
}

func TestDrainDeadlineCutsLongRequest(t *testing.T) {
	t.Parallel()
	app := traffictest.StartApp(t, "deadline", map[string]string{"SHUTDOWN_MODE": "drain", "SHUTDOWN_SECONDS": "0.5"})
	app.WaitReady(t, 5*time.Second)

	res := getAsync(app.URL + "/?ms=5000")
	time.Sleep(inFlight)
	sent := time.Now()
	if err := app.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	state, err := app.Wait(3 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(sent); took < 400*time.Millisecond || took > 2*time.Second {
		t.Errorf("exited %s after SIGTERM, want about SHUTDOWN_SECONDS=0.5s", took)
	}
	if state.ExitCode() != 0 {
		t.Errorf("exit code %d, want 0", state.ExitCode())
	}
	if r := <-res; r.err == nil && r.code == http.StatusOK {
		t.Errorf("request outliving the drain deadline succeeded: %q", r.body)
	}
}

func TestExitModeCutsInFlightRequest(t *testing.T) {
	t.Parallel()
	app := traffictest.StartApp(t, "naive", map[string]string{"SHUTDOWN_MODE": "exit"})
	app.WaitReady(t, 5*time.Second)

	res := getAsync(app.URL + "/?ms=2000")
	time.Sleep(inFlight)
	if err := app.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	state, err := app.Wait(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if state.ExitCode() != 143 {
		t.Errorf("exit code %d, want 143", state.ExitCode())
	}
	r := <-res
	if r.err == nil {
		t.Fatalf("in-flight request succeeded with %d %q, want it cut", r.code, r.body)
	}
	if r.took > time.Second {
		t.Errorf("request failed after %s, want at once", r.took)
	}
	t.Logf("cut request failed with: %v", r.err)
}

func TestStartupDelaysReadiness(t *testing.T) {
	t.Parallel()
	start := time.Now()
	app := traffictest.StartApp(t, "slow", map[string]string{"STARTUP_SECONDS": "1"})
	if resp, err := http.Get(app.URL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatalf("health answered %s before the startup delay", resp.Status)
	}
	app.WaitReady(t, 5*time.Second)
	if took := time.Since(start); took < time.Second {
		t.Errorf("ready after %s, want at least STARTUP_SECONDS=1", took)
	}
}

// Draining must also close keep-alive connections that are idle, or a load
// balancer would keep sending requests on them to a process that is leaving.
func TestDrainClosesIdleKeepAliveConnection(t *testing.T) {
	t.Parallel()
	app := traffictest.StartApp(t, "idle", map[string]string{"SHUTDOWN_MODE": "drain", "SHUTDOWN_SECONDS": "5"})
	app.WaitReady(t, 5*time.Second)

	conn, err := net.Dial("tcp", app.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	req, _ := http.NewRequest(http.MethodGet, app.URL+"/?ms=0", nil)
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		t.Fatal("server asked to close the connection; keep-alive is off")
	}

	if err := app.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("idle connection after SIGTERM: read err = %v, want EOF (closed by the server)", err)
	}
	if state, err := app.Wait(3 * time.Second); err != nil || state.ExitCode() != 0 {
		t.Fatalf("exit: state=%v err=%v, want 0", state, err)
	}
}

// waitRefused polls until a new TCP connection to addr is refused.
func waitRefused(addr string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				return nil
			}
		} else {
			conn.Close()
		}
		if time.Now().After(deadline) {
			return errors.New("listener still open " + d.String() + " after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
