// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package traffictest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// testappPkg is built as a static binary, exactly as it would be put into a
// container image, so the tests exercise the same artefact.
const testappPkg = "github.com/zerodowntime/zds/tests/traffic/testapp"

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// Testapp builds the testapp binary once per test process and returns its
// path. Building once keeps a package's tests fast; Main removes it.
func Testapp(t testing.TB) string {
	t.Helper()
	if !usingMain {
		t.Fatal("traffictest.Testapp needs TestMain to call traffictest.Main, which removes the binary")
	}
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "zds-testapp-")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "testapp")
		// go test puts $GOROOT/bin first on PATH, so this is the same toolchain.
		cmd := exec.Command("go", "build", "-o", build.bin, testappPkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build %s: %v\n%s", testappPkg, err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

func removeBuildDir() {
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
}
