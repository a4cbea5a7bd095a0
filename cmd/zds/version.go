// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/schema"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the build info says it.
var version = ""

func currentVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, bi)
}

// versionOf is the version a binary reports: the one stamped at link
// time; else the module version in its build info (go install
// github.com/zerodowntime/zds/cmd/zds@v1.2.3 gives v1.2.3, and go build in
// a clone gives a pseudo-version from the commit, +dirty if the tree was
// changed); else, where the build info has the commit but no version,
// "devel" and the commit; else (go run, or -buildvcs=false) "dev".
func versionOf(stamped string, bi *debug.BuildInfo) string {
	if stamped != "" {
		return stamped
	}
	if bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += "+dirty"
	}
	return "devel " + rev
}

func newVersion(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the zds version and the spec-file API version it reads",
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := outputFlag(cmd, "text", "json")
			if err != nil {
				return err
			}
			if format == "json" {
				return json.NewEncoder(stdout).Encode(map[string]string{"version": currentVersion(), "apiVersion": spec.APIVersion})
			}
			_, err = fmt.Fprintf(stdout, "zds %s (spec files: %s)\n", currentVersion(), spec.APIVersion)
			return err
		},
	}
	cmd.Flags().StringP("output", "o", "text", "output format: text or json")
	return cmd
}

func newSchema(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of spec files",
		RunE: func(*cobra.Command, []string) error {
			_, err := stdout.Write(schema.JSON)
			return err
		},
	}
}
