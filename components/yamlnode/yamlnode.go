// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package yamlnode reads YAML that may be hostile in time and memory
// linear in its size: a one-pass check of nesting before any parse
// (Nesting), and the value of a parsed node (Value) without go-yaml's
// Decode, whose duplicate-key check compares every key of a mapping with
// every other (20,000 labels took seconds, 200,000 minutes: #21). Callers
// report duplicate keys themselves, at their position, from the nodes.
// It also places what it reads: a field path's node (At) and a syntax
// error's line and column (SyntaxError), for every reader of YAML in zds.
package yamlnode

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Nesting limits: no spec file or manifest nests more than a few dozen
// levels, while a few hundred kilobytes of brackets nest a hundred
// thousand, which the YAML parsers take gigabytes and seconds to refuse.
const (
	// MaxFlowDepth bounds the [ and { open at once.
	MaxFlowDepth = 100
	// MaxIndentColumn bounds where a line's content starts, after its
	// indentation and - or ? indicators: block nesting needs a column per
	// level.
	MaxIndentColumn = 1000
)

// Nesting finds, in one pass and before any parse, where data nests deeper
// than the limits: flow collections ([ {) outside quotes and comments, and
// block nesting. It returns the line and column (1-based, in characters)
// and what to say, or ok.
func Nesting(data []byte) (line, col int, msg string, ok bool) {
	line, col = 1, 1
	depth := 0
	var quote byte
	comment, lineStart := false, true
	indent := 0
	opened := -1 // where the last counted [ or { is
	// opensValue tells a quote or bracket that starts a value from one
	// inside a plain word (a[1]): after a separator, or right after a
	// bracket that itself opened a flow collection.
	opensValue := func(i int) bool {
		if i == 0 || strings.IndexByte(" \t,:-?", data[i-1]) >= 0 {
			return true
		}
		return (data[i-1] == '[' || data[i-1] == '{') && opened == i-1
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\n' {
			line, col = line+1, 1
			comment, lineStart, indent = false, true, 0
			continue // (a quoted scalar may span lines: quote stays)
		}
		if c&0xC0 != 0x80 { // a character, not a UTF-8 continuation byte
			col++
		}
		if comment {
			continue
		}
		if lineStart && quote == 0 {
			switch {
			case c == ' ' || c == '\t':
				indent++
			case (c == '-' || c == '?') && i+1 < len(data) && (data[i+1] == ' ' || data[i+1] == '\t'):
				indent++
			default:
				lineStart = false
			}
			if indent > MaxIndentColumn {
				return line, col - 1, fmt.Sprintf("nested more than %d columns deep: no Kubernetes object or spec needs this much indentation", MaxIndentColumn), false
			}
			if lineStart {
				continue
			}
		}
		lineStart = false
		switch {
		case quote != 0:
			switch {
			case c == '\\' && quote == '"', c == '\'' && quote == '\'' && i+1 < len(data) && data[i+1] == '\'':
				i++ // an escaped character, or '' in a single-quoted scalar
				col++
			case c == quote:
				quote = 0
			}
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t'):
			comment = true
		case (c == '"' || c == '\'') && opensValue(i):
			quote = c
		case (c == '[' || c == '{') && opensValue(i):
			depth++
			opened = i
			if depth > MaxFlowDepth {
				return line, col - 1, fmt.Sprintf("more than %d [ and { open at once: no Kubernetes object or spec nests this deep", MaxFlowDepth), false
			}
		case (c == ']' || c == '}') && depth > 0:
			depth--
		}
	}
	return 0, 0, "", true
}

// AliasError is an alias expansion beyond the budget, at the alias.
type AliasError struct {
	Line, Column int
	Budget       int
}

func (e *AliasError) Error() string {
	return fmt.Sprintf("YAML aliases (*name) expand to more than %d values (an alias bomb?): write the values out, or use fewer aliases", e.Budget)
}

// Value is the value of a node as go-yaml's Decode into an any gives it
// (mappings as map[string]any, sequences as []any, scalars as go-yaml
// resolves them), in time linear in the document, aliases included up to
// a budget of values: twice the document's own nodes plus 10,000. A merge
// key (<<) merges as YAML 1.1 says: explicit keys win, then the merged
// mappings in order. A key that is not a string is keyed by its text (the
// caller reports it, at its position, from the node); a key given twice
// keeps its last value (likewise).
func Value(n *yaml.Node) (any, error) {
	v := &valuer{}
	v.budget = 2*count(n) + 10000
	return v.value(n)
}

type valuer struct {
	budget, used int
	alias        *yaml.Node // the outermost alias being expanded, if any
}

// count is the number of nodes in a document (an alias node counts one:
// what it points to is in the tree where it was defined).
func count(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += count(k)
	}
	return c
}

func (v *valuer) value(n *yaml.Node) (any, error) {
	v.used++
	if v.used > v.budget {
		at := n
		if v.alias != nil {
			at = v.alias // the outermost alias being expanded
		}
		return nil, &AliasError{Line: at.Line, Column: at.Column, Budget: v.budget}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return v.value(n.Content[0])
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, nil
		}
		if v.alias == nil {
			v.alias = n
			defer func() { v.alias = nil }()
		}
		return v.value(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			x, err := v.value(c)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case yaml.MappingNode:
		return v.mapping(n)
	case yaml.ScalarNode:
		var x any
		if err := n.Decode(&x); err != nil {
			return nil, err
		}
		return x, nil
	}
	return nil, fmt.Errorf("line %d: a YAML node of unknown kind %d", n.Line, n.Kind)
}

func (v *valuer) mapping(n *yaml.Node) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			merges = append(merges, val)
			continue
		}
		x, err := v.value(val)
		if err != nil {
			return nil, err
		}
		out[keyText(k)] = x
	}
	// Merged keys never override explicit ones, and earlier merges win.
	for _, m := range merges {
		if m.Kind == yaml.AliasNode && m.Alias != nil {
			m = m.Alias
		}
		var sources []*yaml.Node
		switch m.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{m}
		case yaml.SequenceNode:
			sources = m.Content
		default:
			return nil, fmt.Errorf("line %d: a merge key (<<) takes a mapping or a list of mappings", m.Line)
		}
		for _, src := range sources {
			if src.Kind == yaml.AliasNode && src.Alias != nil {
				src = src.Alias
			}
			if src.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("line %d: a merge key (<<) takes a mapping or a list of mappings", src.Line)
			}
			merged, err := v.mapping(src)
			if err != nil {
				return nil, err
			}
			for key, x := range merged {
				if _, set := out[key]; !set {
					out[key] = x
				}
			}
		}
	}
	return out, nil
}

// keyText is a mapping key as a map key: a scalar's text, or for a
// collection key (which JSON and Kubernetes cannot have) its position.
func keyText(k *yaml.Node) string {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind == yaml.ScalarNode {
		return k.Value
	}
	return fmt.Sprintf("(a collection key at line %d)", k.Line)
}

// Duplicate is the first key given twice in a mapping of the document
// (not following aliases), and the key's first occurrence; nil when every
// mapping's keys are distinct. Linear: one set of keys per mapping.
func Duplicate(n *yaml.Node) (dup, first *yaml.Node) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.MappingNode {
		seen := make(map[string]*yaml.Node, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				if f, ok := seen[k.Value]; ok {
					return k, f
				}
				seen[k.Value] = k
			}
		}
	}
	for _, c := range n.Content {
		if d, f := Duplicate(c); d != nil {
			return d, f
		}
	}
	return nil, nil
}
