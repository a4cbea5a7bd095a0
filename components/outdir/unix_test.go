// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package outdir_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zerodowntime/zds/components/outdir"
)

func owner(fi os.FileInfo) string {
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Uid, st.Gid)
}

// A FIFO with an output's name is in the way, and is never opened (an
// open would block for ever).
func TestFIFOIsNeverOpened(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "01-a.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- outdir.Write(dir, files("01-a.yaml", header), outdir.Options{Header: header}) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "in the way") {
			t.Errorf("err %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Write blocked on a FIFO")
	}
}
