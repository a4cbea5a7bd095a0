// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package schema

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

var (
	compiled    *jsonschema.Schema
	compileErr  error
	compileOnce sync.Once
)

// Compiled is the schema, compiled once.
func Compiled() (*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSON))
		if err != nil {
			compileErr = fmt.Errorf("embedded schema: %w", err)
			return
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(ID, doc); err != nil {
			compileErr = err
			return
		}
		compiled, compileErr = c.Compile(ID)
	})
	return compiled, compileErr
}

// Violation is one thing the schema refuses, at a path of keys and list
// indexes of the document (a missing field: at the mapping that lacks it).
type Violation struct {
	Path    []string
	Message string
	// Missing is the required field a Required violation is about.
	Missing string
}

// Validate checks a spec document, given as JSON, against the schema and
// returns every violation in zds's words, in the Kubernetes API's style
// (with the limit and the value) rather than the validator's ("at
// '/spec/replicas': maximum: got 4.294967297×10⁰⁹, want …").
func Validate(document []byte) ([]Violation, error) {
	sch, err := Compiled()
	if err != nil {
		return nil, err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(document))
	if err != nil {
		return nil, err
	}
	err = sch.Validate(v)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var out []Violation
	for _, leaf := range leaves(ve) {
		switch k := leaf.ErrorKind.(type) {
		case *kind.AdditionalProperties:
			for _, prop := range k.Properties {
				out = append(out, Violation{Path: append(slices.Clone(leaf.InstanceLocation), prop), Message: fmt.Sprintf("unknown field %q", prop)})
			}
		case *kind.Required:
			for _, prop := range k.Missing {
				out = append(out, Violation{Path: leaf.InstanceLocation, Message: fmt.Sprintf("Required value: %q is missing", prop), Missing: prop})
			}
		default:
			out = append(out, Violation{Path: leaf.InstanceLocation, Message: message(leaf)})
		}
	}
	return out, nil
}

// message words a violation the way zds's own validation does.
func message(e *jsonschema.ValidationError) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Minimum:
		return fmt.Sprintf("Invalid value: %s: must be at least %s", k.Got.RatString(), k.Want.RatString())
	case *kind.Maximum:
		return fmt.Sprintf("Invalid value: %s: must be at most %s", k.Got.RatString(), k.Want.RatString())
	case *kind.Type:
		return fmt.Sprintf("Invalid value: a%s %s: must be %s", article(k.Got), k.Got, strings.Join(k.Want, " or "))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprintf("%q", fmt.Sprint(w))
		}
		return fmt.Sprintf("Unsupported value: %q: supported values: %s", fmt.Sprint(k.Got), strings.Join(want, ", "))
	}
	msg := e.Error()
	if loc := "at '" + "/" + strings.Join(e.InstanceLocation, "/") + "': "; strings.HasPrefix(msg, loc) {
		msg = strings.TrimPrefix(msg, loc)
	}
	return msg
}

func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "n"
	}
	return ""
}

// leaves flattens a validation error to the errors that say something (the
// causes), dropping the "doesn't validate with" wrappers.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}
