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
// otherwise the module version from the build info is used.
var version = ""

func currentVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
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
