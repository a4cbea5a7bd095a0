// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package inputs_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zerodowntime/zds/components/inputs"
)

func ExampleExpand() {
	dir, _ := os.MkdirTemp("", "inputs")
	defer os.RemoveAll(dir)
	os.MkdirAll(filepath.Join(dir, "b"), 0o755)
	for _, f := range []string{"b/svc.yaml", "a.json", "README.md"} {
		os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644)
	}
	os.Symlink(filepath.Join(dir, "b"), filepath.Join(dir, "c")) // the same file again, through a link
	files, _ := inputs.Expand([]string{dir, filepath.Join(dir, "a.json"), "-", "-"})
	for _, f := range files {
		fmt.Println(strings.TrimPrefix(f.Path, dir), f.Explicit)
	}
	_, err := inputs.Read(files[0], nil, 1, "split it")
	fmt.Println(err)
	// Output:
	// /a.json false
	// /b/svc.yaml false
	// - true
	// larger than 0 MB, split it
}
