// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package render

import (
	"bytes"
	"math"

	yamlv2 "go.yaml.in/yaml/v2"
)

// integers returns v with every whole float64 as an int64: JSON decoding
// made them float64, which the YAML encoder would write as 1e+06, where
// sigs.k8s.io/yaml's round trip gave it integers.
func integers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = integers(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = integers(e)
		}
		return out
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v)
		}
	}
	return v
}

// YAML renders objects as one multi-document YAML stream, exactly as
// sigs.k8s.io/yaml (JSON, then YAML) would write each of them.
func YAML(objs []map[string]any) ([]byte, error) {
	var b bytes.Buffer
	for i, m := range objs {
		// Straight from the map, not through sigs.k8s.io/yaml's JSON round
		// trip (half of zds render's time): same encoder, same output (see
		// integers).
		y, err := yamlv2.Marshal(integers(m))
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}
