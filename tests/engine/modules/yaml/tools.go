// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

//go:build tools

// Package tools pins the Pulumi YAML language host that build.sh builds.
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
