// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

//go:build !unix

package outdir_test

import "os"

func owner(os.FileInfo) string { return "" }
