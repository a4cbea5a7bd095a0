// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Command pulumi-resource-kubernetes is the Pulumi Kubernetes provider
// plugin, built from its module as upstream builds it. Upstream's main
// embeds schema-embed.json and terraform-mapping-embed.json, which its
// `go generate` writes and its module zip lacks; build.sh copies the
// module's schema.json and terraform-mapping.json beside this file, and the
// schema gets its version here, as upstream's generate.go sets it.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	// The schema is an object without a "version" key: add it first.
	versioned := append([]byte(`{"version":"`+version.Version+`",`), schema[1:]...)
	provider.Serve("kubernetes", version.Version, versioned, terraformMapping)
}
