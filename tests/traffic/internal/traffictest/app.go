// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package traffictest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// App is one running testapp process listening on 127.0.0.1.
type App struct {
	Name string // POD_NAME, echoed back in X-Pod-Name
	Addr string // 127.0.0.1:port
	URL  string // http://127.0.0.1:port

	cmd     *exec.Cmd
	log     *SyncBuffer
	done    chan struct{} // closed once the process has been waited for
	waitErr error
}

// StartApp builds (once) and starts a testapp on a free loopback port with
// the given extra environment (for example SHUTDOWN_MODE). The environment is
// built from scratch so that variables of the test runner, such as PORT, never
// leak into the app. The process group is killed when the test ends.
func StartApp(t testing.TB, name string, env map[string]string) *App {
	t.Helper()
	bin := Testapp(t)
	port := FreePort(t)
	a := &App{
		Name: name,
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		log:  &SyncBuffer{},
		done: make(chan struct{}),
	}
	a.URL = "http://" + a.Addr

	a.cmd = exec.Command(bin)
	a.cmd.Env = []string{
		"PORT=" + strconv.Itoa(port),
		"LISTEN_ADDR=127.0.0.1",
		"POD_NAME=" + name,
	}
	for k, v := range env {
		a.cmd.Env = append(a.cmd.Env, k+"="+v)
	}
	a.cmd.Stdout = a.log
	a.cmd.Stderr = a.log
	a.cmd.SysProcAttr = GroupAttr()
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("start testapp %s: %v", name, err)
	}
	go func() {
		a.waitErr = a.cmd.Wait()
		close(a.done)
	}()
	t.Cleanup(func() {
		a.Kill()
		if _, err := a.Wait(5 * time.Second); err != nil {
			t.Errorf("testapp %s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("testapp %s output:\n%s", name, a.log.String())
		}
	})
	return a
}

// PID is the process id, which is also the id of its process group.
func (a *App) PID() int { return a.cmd.Process.Pid }

// Output is what the app wrote to stdout and stderr so far.
func (a *App) Output() string { return a.log.String() }

// Signal sends sig to the app process itself, as a kubelet does to a
// container's main process.
func (a *App) Signal(sig syscall.Signal) error {
	return syscall.Kill(a.PID(), sig)
}

// Kill sends SIGKILL to the app's whole process group. Killing an exited
// process is not an error.
func (a *App) Kill() {
	select {
	case <-a.done:
	default:
		_ = syscall.Kill(-a.PID(), syscall.SIGKILL)
	}
}

// Wait waits up to d for the process to exit and returns its state. The
// error is only about the wait itself; a non-zero exit is in the state.
func (a *App) Wait(d time.Duration) (*os.ProcessState, error) {
	select {
	case <-a.done:
		var exitErr *exec.ExitError
		if a.waitErr != nil && !errors.As(a.waitErr, &exitErr) {
			return a.cmd.ProcessState, a.waitErr
		}
		return a.cmd.ProcessState, nil
	case <-time.After(d):
		return nil, fmt.Errorf("still running after %s", d)
	}
}

// WaitReady polls the health endpoint until it answers 200 or d passes.
func (a *App) WaitReady(t testing.TB, d time.Duration) {
	t.Helper()
	if err := WaitHTTP200(a.URL+"/healthz", d); err != nil {
		t.Fatalf("testapp %s not ready: %v\n%s", a.Name, err, a.log.String())
	}
}

// WaitHTTP200 polls url every 20ms until it answers 200 or d passes.
func WaitHTTP200(url string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("after %s: %w", d, last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// SyncBuffer is a bytes.Buffer safe for one writer (a process's output
// copier) and concurrent readers (the test).
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// GroupAttr puts a child in its own process group, so that killing -pid
// reaches everything it started, and asks Linux to SIGKILL it if the test
// process dies first.
func GroupAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
