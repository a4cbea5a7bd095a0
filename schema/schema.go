// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package schema holds the JSON Schema of a ZeroDowntimeService spec file,
// generated from the Go types in package spec (with their doc comments) by
// `make generate`. Never edit the .json by hand.
package schema

import _ "embed"

//go:generate go run ../internal/gen

// FileName is the schema's file name in this directory.
const FileName = "zero-downtime-service.schema.json"

// ID is the schema's $id.
const ID = "https://zds.dev/schema/zero-downtime-service.schema.json"

// JSON is the schema.
//
//go:embed zero-downtime-service.schema.json
var JSON []byte
