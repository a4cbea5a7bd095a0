// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package haproxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// cmdTimeout bounds one admin-socket exchange.
const cmdTimeout = 5 * time.Second

// Command sends one runtime API command over the admin socket and returns
// HAProxy's answer. The socket is used in its one-command-per-connection
// mode: HAProxy answers and closes, so the answer ends at EOF.
func (p *Proxy) Command(cmd string) (string, error) {
	if strings.ContainsAny(cmd, "\r\n") {
		return "", fmt.Errorf("command %q: one line only", cmd)
	}
	conn, err := net.DialTimeout("unix", p.socket, cmdTimeout)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(cmdTimeout))
	if _, err := io.WriteString(conn, cmd+"\n"); err != nil {
		return "", err
	}
	out, err := io.ReadAll(conn)
	if err != nil {
		return "", fmt.Errorf("%s: %w", cmd, err)
	}
	return string(out), nil
}

// expect runs cmd and fails unless HAProxy's answer, trimmed, is want. Most
// commands answer nothing on success and a sentence on failure, so want is
// usually "".
func (p *Proxy) expect(cmd, want string) error {
	out, err := p.Command(cmd)
	if err != nil {
		return err
	}
	if got := strings.TrimSpace(out); got != want {
		return fmt.Errorf("%s: haproxy answered %q", cmd, got)
	}
	return nil
}

// serverName is deliberately narrower than what HAProxy accepts: a name is
// pasted into command lines, where a space or ';' would start another
// argument or command.
var serverName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$`)

// ErrNoServer is returned for a server the backend does not have.
var ErrNoServer = errors.New("no such server")

func checkName(name string) error {
	if !serverName.MatchString(name) {
		return fmt.Errorf("server name %q: want letters, digits, '_', '.', '-' (max 63)", name)
	}
	return nil
}

// AddServer registers addr (ip:port) as server name, health-checked with the
// configured path, interval and thresholds.
//
// HAProxy 2.6 creates a dynamic server in maintenance, and leaving
// maintenance marks it UP at once, before any check ran ("UP/READY (leaving
// forced maintenance)"): the plain add/enable sequence sends traffic to a
// target that may not even listen yet, until its first check fails. An ALB
// instead keeps a new target out of rotation until it passed
// HealthyThreshold checks. So the server is added with weight 0, forced DOWN
// once it left maintenance, and only then given weight: it gets requests only
// after "rise" consecutive passing checks.
func (p *Proxy) AddServer(name, addr string) error {
	if err := checkName(name); err != nil {
		return err
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || ap.Port() == 0 {
		return fmt.Errorf("server address %q: want ip:port", addr)
	}
	if !p.cfg.AllowServer(ap.Addr()) {
		return fmt.Errorf("server address %s is not allowed (loopback only unless Config.AllowServer says otherwise)", addr)
	}

	srv := Backend + "/" + name
	steps := []struct{ cmd, want string }{
		{fmt.Sprintf("add server %s %s %s weight 0", srv, ap, serverArgs(p.cfg)), "New server registered."},
		{"enable health " + srv, ""},
		{"enable server " + srv, ""},
		{"set server " + srv + " health down", ""},
		{"set server " + srv + " weight 1", ""},
	}
	for i, s := range steps {
		if err := p.expect(s.cmd, s.want); err != nil {
			if i > 0 {
				_ = p.Remove(name) // do not leave a half-registered server
			}
			return err
		}
	}
	return nil
}

// Drain stops sending new requests to the server; requests it is serving
// go on, and health checks continue.
func (p *Proxy) Drain(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return p.noServer(p.expect("set server "+Backend+"/"+name+" state drain", ""))
}

// Remove deregisters the server the way an ALB does when the deregistration
// delay expires: no new requests, cut those in flight, forget the server.
func (p *Proxy) Remove(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	srv := Backend + "/" + name
	if err := p.noServer(p.expect("set server "+srv+" state maint", "")); err != nil {
		return err
	}
	if err := p.expect("shutdown sessions server "+srv, ""); err != nil {
		return err
	}
	// "del server" refuses while connections, idle ones included, are still
	// attached; they go away shortly after the sessions were shut down.
	deadline := time.Now().Add(cmdTimeout)
	for {
		err := p.expect("del server "+srv, "Server deleted.")
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// noServer turns HAProxy's "No such server." into ErrNoServer.
func (p *Proxy) noServer(err error) error {
	if err != nil && strings.Contains(err.Error(), "No such server") {
		return fmt.Errorf("%w: %w", ErrNoServer, err)
	}
	return err
}
