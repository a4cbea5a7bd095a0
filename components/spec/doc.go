// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// +k8s:deepcopy-gen=package

package spec

//go:generate go tool deepcopy-gen --output-file zz_generated.deepcopy.go --go-header-file ../../internal/gen/boilerplate.go.txt .
