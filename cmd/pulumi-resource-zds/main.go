// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command pulumi-resource-zds is the zds component provider: the Pulumi
// engine starts it to construct zds:index:ZeroDowntimeService for programs
// in TypeScript, Python, YAML or any other Pulumi language. PulumiPlugin.yaml
// at the repository root points `pulumi package add` here.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/zerodowntime/zds/provider"
)

func main() {
	if err := provider.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
