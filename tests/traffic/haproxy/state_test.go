// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package haproxy

import (
	"testing"
)

// Answers captured from HAProxy 2.6.12 with servers a (UP), b (draining, and
// its check failing) and c (maintenance).
const (
	serversStateOut = "1\n" +
		"# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n" +
		"3 be 1 a 127.0.0.1 2 0 1 0 7 15 3 3 6 0 0 0 - 18081 - 0 0 - - 0\n" +
		"3 be 2 b 127.0.0.1 0 8 1 1 4 17 2 0 6 0 0 0 - 18082 - 0 0 - - 0\n" +
		"3 be 3 c 127.0.0.1 0 1 1 1 3 15 3 0 14 0 0 0 - 18083 - 0 0 - - 0\n\n"

	statOut = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,\n" +
		"fe,FRONTEND,,,0,1,10000,3,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,1,,,,\n" +
		"be,a,0,0,2,3,,41,0,0,,0,,0,0,0,0,UP,1,1,0,0,0,10,0,,1,3,1,,41,,2,0,,3,L7OK,200,1,\n" +
		"be,b,0,0,0,0,,7,0,0,,0,,0,0,0,0,DRAIN,1,1,0,1,1,10,10,,1,3,2,,7,,2,0,,0,L7STS,404,14,\n" +
		"be,c,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,0,0,3,3,,1,3,3,,0,,2,0,,0,,,,\n" +
		"be,BACKEND,0,0,2,3,1000,48,0,0,0,0,,0,0,0,0,UP,1,1,0,,0,10,0,,1,3,0,,48,,1,0,,3,,,,\n\n"
)

func TestParseServersState(t *testing.T) {
	got, err := parseServersState(serversStateOut)
	if err != nil {
		t.Fatal(err)
	}
	want := []ServerState{
		{Name: "a", Addr: "127.0.0.1:18081", Op: OpRunning, Admin: 0},
		{Name: "b", Addr: "127.0.0.1:18082", Op: OpStopped, Admin: AdminForcedDrain},
		{Name: "c", Addr: "127.0.0.1:18083", Op: OpStopped, Admin: AdminForcedMaint},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d servers, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("server %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseServersStateRejectsGarbage(t *testing.T) {
	for _, out := range []string{"", "Unknown command\n", "2\n# be_id\n", "1\n# be_name srv_name\n"} {
		if _, err := parseServersState(out); err == nil {
			t.Errorf("parseServersState(%q) succeeded", out)
		}
	}
}

func TestParseStat(t *testing.T) {
	got, err := parseStat(statOut)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]statRow{
		"a": {Status: "UP", CheckStatus: "L7OK", Sessions: 2, TotalSessions: 41},
		"b": {Status: "DRAIN", CheckStatus: "L7STS", Sessions: 0, TotalSessions: 7},
		"c": {Status: "MAINT", CheckStatus: "", Sessions: 0, TotalSessions: 0},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s = %+v, want %+v", name, got[name], w)
		}
	}
}

func TestServerStateFlags(t *testing.T) {
	tests := []struct {
		s                     ServerState
		healthy, drain, maint bool
	}{
		{ServerState{Op: OpRunning}, true, false, false},
		{ServerState{Op: OpRunning, Admin: AdminForcedDrain}, true, true, false},
		{ServerState{Op: OpStopped, Admin: AdminForcedDrain}, false, true, false},
		{ServerState{Op: OpStopped, Admin: AdminForcedMaint}, false, false, true},
		{ServerState{Op: OpStarting}, true, false, false},
		{ServerState{Op: OpStopping}, false, false, false},
	}
	for _, tt := range tests {
		if tt.s.Healthy() != tt.healthy || tt.s.Admin.Drain() != tt.drain || tt.s.Admin.Maint() != tt.maint {
			t.Errorf("%+v: healthy=%v drain=%v maint=%v, want %v %v %v", tt.s,
				tt.s.Healthy(), tt.s.Admin.Drain(), tt.s.Admin.Maint(), tt.healthy, tt.drain, tt.maint)
		}
	}
}
