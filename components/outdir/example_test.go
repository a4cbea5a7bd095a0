// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package outdir_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zerodowntime/zds/components/outdir"
)

// A second write replaces the first one's files and removes those it no
// longer has; a file the user put there stays, named in a note.
func ExampleWrite() {
	dir, _ := os.MkdirTemp("", "outdir")
	defer os.RemoveAll(dir)
	opts := outdir.Options{Notes: replacer{strings.NewReplacer(dir, "DIR")}}

	_ = outdir.Write(dir, []outdir.File{
		{Name: "01-a.json", Data: []byte("{\"kind\":\"A\"}\n")},
		{Name: "02-b.json", Data: []byte("{\"kind\":\"B\"}\n")},
	}, opts)
	_ = os.WriteFile(filepath.Join(dir, "00-crds.json"), []byte("{\"apiVersion\":\"v1\",\"kind\":\"List\"}\n"), 0o644)

	_ = outdir.Write(dir, []outdir.File{
		{Name: "01-a.json", Data: []byte("{\"kind\":\"A2\"}\n")},
	}, opts)

	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	record, _ := os.ReadFile(filepath.Join(dir, outdir.RecordName))
	fmt.Printf("%s", record[64:])
	// Output:
	// zds: note: DIR/00-crds.json was not written by zds; left as it is
	// .zds-rendered.sha256
	// 00-crds.json
	// 01-a.json
	//   01-a.json
}

// replacer prints notes with the temporary directory's name replaced.
type replacer struct{ r *strings.Replacer }

func (w replacer) Write(p []byte) (int, error) {
	_, err := w.r.WriteString(os.Stdout, string(p))
	return len(p), err
}
