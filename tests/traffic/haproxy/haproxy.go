// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package haproxy runs a real HAProxy on 127.0.0.1 as a stand-in for an AWS
// Application Load Balancer, so that rollout tests can count the requests a
// load balancer fails while pods come and go.
//
// The generated configuration has one HTTP frontend with client keep-alive,
// no retries and no redispatch (an ALB does neither), and one empty backend
// with HTTP health checks. Servers are registered and deregistered at run
// time over the admin socket, mirroring target registration:
//
//	AddServer  register a target; it gets traffic only after passing
//	           HealthyThreshold checks, like an ALB's "initial" target.
//	Drain      stop new requests, let in-flight ones finish (deregistration
//	           delay running).
//	Remove     cut what is still in flight and forget the server
//	           (deregistration delay expired).
package haproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Find returns the haproxy executable: $HAPROXY_BIN if set, else haproxy on
// PATH, else /usr/sbin/haproxy (Debian's location, often not on a
// non-root PATH).
func Find() (string, error) {
	if bin := os.Getenv("HAPROXY_BIN"); bin != "" {
		return exec.LookPath(bin)
	}
	if bin, err := exec.LookPath("haproxy"); err == nil {
		return bin, nil
	}
	return exec.LookPath("/usr/sbin/haproxy")
}

// Proxy is a running HAProxy process.
type Proxy struct {
	// URL is the frontend, http://127.0.0.1:port.
	URL string
	// Addr is the frontend's 127.0.0.1:port.
	Addr string

	cfg    Config
	dir    string // holds the config file and the admin socket
	socket string
	cmd    *exec.Cmd
	logs   *tailBuffer
	done   chan struct{} // closed once the process has been waited for

	stopOnce sync.Once
}

// startTimeout bounds how long Start waits for the admin socket to answer.
const startTimeout = 10 * time.Second

// Start writes a configuration and starts HAProxy in the foreground, in its
// own process group, and returns once its admin socket answers. The caller
// must call Stop.
func Start(cfg Config) (*Proxy, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	bin := cfg.Binary
	if bin == "" {
		var err error
		if bin, err = Find(); err != nil {
			return nil, fmt.Errorf("haproxy binary: %w", err)
		}
	}
	port := cfg.Port
	if port == 0 {
		var err error
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}

	// A short directory of our own, not t.TempDir(): unix socket paths are
	// limited to 107 bytes and test names make long paths.
	dir, err := os.MkdirTemp("", "zds-haproxy-")
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		Addr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		cfg:    cfg,
		dir:    dir,
		socket: filepath.Join(dir, "admin.sock"),
		logs:   newTailBuffer(cfg.Log, 64<<10),
		done:   make(chan struct{}),
	}
	p.URL = "http://" + p.Addr
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfgPath, []byte(render(cfg, port, p.socket)), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}

	// -db: stay in the foreground and never daemonize, so that the process
	// we started is the one serving and the one we kill.
	p.cmd = exec.Command(bin, "-db", "-f", cfgPath)
	p.cmd.Stdout = p.logs
	p.cmd.Stderr = p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()

	if err := p.waitAdmin(startTimeout); err != nil {
		p.Stop()
		return nil, fmt.Errorf("haproxy did not come up: %w\n%s", err, p.Logs())
	}
	return p, nil
}

// waitAdmin polls the admin socket until it answers, the process exits or
// d passes. HAProxy binds its listeners before serving the CLI, so an
// answer also means the frontend accepts connections.
func (p *Proxy) waitAdmin(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		select {
		case <-p.done:
			return fmt.Errorf("exited: %v", p.cmd.ProcessState)
		default:
		}
		_, err := p.Command("show info")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// PID is HAProxy's process id, which is also its process group id.
func (p *Proxy) PID() int { return p.cmd.Process.Pid }

// Logs returns the tail of HAProxy's output.
func (p *Proxy) Logs() string { return p.logs.String() }

// Exited reports whether the HAProxy process has ended.
func (p *Proxy) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop kills HAProxy's process group, waits for it and removes its files.
// It is safe to call more than once.
func (p *Proxy) Stop() error {
	var err error
	p.stopOnce.Do(func() {
		defer os.RemoveAll(p.dir)
		// SIGTERM is HAProxy's hard stop: it closes everything at once.
		_ = syscall.Kill(-p.PID(), syscall.SIGTERM)
		select {
		case <-p.done:
			return
		case <-time.After(2 * time.Second):
		}
		_ = syscall.Kill(-p.PID(), syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			err = errors.New("haproxy survived SIGKILL")
		}
	})
	return err
}

// WaitHealthy polls until the server's health check reports it UP.
func (p *Proxy) WaitHealthy(ctx context.Context, name string) error {
	for {
		ok, err := p.Healthy(name)
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = errors.New("still not healthy")
			}
			return fmt.Errorf("server %s: %w (%w)", name, err, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer forwards HAProxy's output to an optional writer and keeps the
// last max bytes for error messages. exec copies into it from a goroutine
// while the test may read it, hence the lock.
type tailBuffer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	max int
}

func newTailBuffer(w io.Writer, max int) *tailBuffer {
	return &tailBuffer{w: w, max: max}
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	if t.w != nil {
		_, _ = t.w.Write(p) // a failing log sink must not stop HAProxy's output
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
