// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package haproxy

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// OpState is HAProxy's operational state of a server, what its health
// checks concluded (srv_op_state in "show servers state").
type OpState int

const (
	OpStopped  OpState = 0 // DOWN
	OpStarting OpState = 1 // UP, warming up (slowstart)
	OpRunning  OpState = 2 // UP
	OpStopping OpState = 3 // UP but soft-stopping
)

func (s OpState) String() string {
	switch s {
	case OpStopped:
		return "stopped"
	case OpStarting:
		return "starting"
	case OpRunning:
		return "running"
	case OpStopping:
		return "stopping"
	}
	return "op-state-" + strconv.Itoa(int(s))
}

// AdminState is the mask of administrative states (srv_admin_state).
type AdminState int

const (
	AdminForcedMaint AdminState = 0x01 // "set server ... state maint"
	AdminForcedDrain AdminState = 0x08 // "set server ... state drain"
	adminMaintMask   AdminState = 0x01 | 0x02 | 0x04 | 0x20 | 0x40
	adminDrainMask   AdminState = 0x08 | 0x10
)

// Maint reports any kind of maintenance: no traffic, no checks.
func (a AdminState) Maint() bool { return a&adminMaintMask != 0 }

// Drain reports drain: no new requests, checks continue.
func (a AdminState) Drain() bool { return a&adminDrainMask != 0 }

// ServerState is what HAProxy knows about one server of the backend.
type ServerState struct {
	Name  string
	Addr  string // ip:port
	Op    OpState
	Admin AdminState
	// Status is the stats page's summary, e.g. "UP", "DOWN 1/2" (going up),
	// "UP 1/2" (going down), "DRAIN", "MAINT".
	Status string
	// CheckStatus is the last check's result, e.g. "L7OK", "L4CON", "L7STS".
	CheckStatus string
	// Sessions is the number of requests being served now (scur).
	Sessions int
	// TotalSessions counts sessions ever sent to the server (stot).
	TotalSessions int
}

// Healthy reports whether health checks consider the server UP, whatever
// its administrative state: a drained server can be healthy.
func (s ServerState) Healthy() bool { return s.Op == OpRunning || s.Op == OpStarting }

// Servers returns the state of every server in the backend, combining
// "show servers state" (operational and administrative state, which the
// stats status string conflates) with "show stat" (check result, sessions).
func (p *Proxy) Servers() ([]ServerState, error) {
	out, err := p.Command("show servers state " + Backend)
	if err != nil {
		return nil, err
	}
	servers, err := parseServersState(out)
	if err != nil {
		return nil, err
	}
	out, err = p.Command("show stat")
	if err != nil {
		return nil, err
	}
	stats, err := parseStat(out)
	if err != nil {
		return nil, err
	}
	for i := range servers {
		if st, ok := stats[servers[i].Name]; ok {
			servers[i].Status = st.Status
			servers[i].CheckStatus = st.CheckStatus
			servers[i].Sessions = st.Sessions
			servers[i].TotalSessions = st.TotalSessions
		}
	}
	return servers, nil
}

// ServerState returns the state of one server, or ErrNoServer.
func (p *Proxy) ServerState(name string) (ServerState, error) {
	servers, err := p.Servers()
	if err != nil {
		return ServerState{}, err
	}
	for _, s := range servers {
		if s.Name == name {
			return s, nil
		}
	}
	return ServerState{}, fmt.Errorf("%w: %s/%s", ErrNoServer, Backend, name)
}

// Healthy reports whether the server's health check reports it UP.
func (p *Proxy) Healthy(name string) (bool, error) {
	s, err := p.ServerState(name)
	if err != nil {
		return false, err
	}
	return s.Healthy(), nil
}

// parseServersState reads "show servers state" format 1: a version line, a
// "# "-prefixed header of space-separated column names, then one line per
// server. Columns are found by name, not position, so that a later format
// that appends columns still parses.
func parseServersState(out string) ([]ServerState, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || strings.TrimSpace(lines[0]) != "1" || !strings.HasPrefix(lines[1], "# ") {
		return nil, fmt.Errorf("show servers state: unexpected answer %q", out)
	}
	col := index(strings.Fields(strings.TrimPrefix(lines[1], "# ")))
	need := []string{"be_name", "srv_name", "srv_addr", "srv_port", "srv_op_state", "srv_admin_state"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("show servers state: no column %s", n)
		}
	}
	var servers []ServerState
	for _, line := range lines[2:] {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < len(col) {
			return nil, fmt.Errorf("show servers state: short line %q", line)
		}
		if f[col["be_name"]] != Backend {
			continue
		}
		op, err1 := strconv.Atoi(f[col["srv_op_state"]])
		admin, err2 := strconv.Atoi(f[col["srv_admin_state"]])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("show servers state: line %q: %w", line, err)
		}
		servers = append(servers, ServerState{
			Name:  f[col["srv_name"]],
			Addr:  net.JoinHostPort(f[col["srv_addr"]], f[col["srv_port"]]),
			Op:    OpState(op),
			Admin: AdminState(admin),
		})
	}
	return servers, nil
}

// statRow is the part of a "show stat" server row that is used.
type statRow struct {
	Status        string
	CheckStatus   string
	Sessions      int
	TotalSessions int
}

// parseStat reads the CSV of "show stat" (header line "# pxname,svname,...")
// and returns the rows of the backend's servers by server name.
func parseStat(out string) (map[string]statRow, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(strings.TrimSpace(out), "# ")))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("show stat: %w", err)
	}
	if len(records) == 0 {
		return nil, errors.New("show stat: empty answer")
	}
	col := index(records[0])
	for _, n := range []string{"pxname", "svname", "status", "check_status", "scur", "stot"} {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("show stat: no column %s", n)
		}
	}
	rows := map[string]statRow{}
	for _, rec := range records[1:] {
		if len(rec) < len(records[0]) || rec[col["pxname"]] != Backend {
			continue
		}
		name := rec[col["svname"]]
		if name == "FRONTEND" || name == "BACKEND" {
			continue
		}
		rows[name] = statRow{
			Status:        rec[col["status"]],
			CheckStatus:   rec[col["check_status"]],
			Sessions:      atoi(rec[col["scur"]]),
			TotalSessions: atoi(rec[col["stot"]]),
		}
	}
	return rows, nil
}

func index(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

// atoi reads a stats counter; HAProxy leaves counters that do not apply
// empty, which reads as 0.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
