// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package yamlnode

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
	"go.yaml.in/yaml/v3"
)

// At returns the deepest node along path (the key node for a mapping
// entry, so the position points at the field's name).
func At(n *yaml.Node, path []string) *yaml.Node {
	cur := n
	for depth, seg := range path {
		switch cur.Kind {
		case yaml.MappingNode:
			var key, next *yaml.Node
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == seg {
					key, next = cur.Content[i], cur.Content[i+1]
				}
			}
			if next == nil {
				return cur
			}
			if depth == len(path)-1 {
				return key
			}
			cur = next
		case yaml.SequenceNode:
			idx, err := strconv.Atoi(seg)
			if err != nil || idx >= len(cur.Content) {
				return cur
			}
			cur = cur.Content[idx]
		default:
			return cur
		}
	}
	return cur
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

// SyntaxError places go-yaml's syntax error err of data at its line and
// column, with go-yaml's words.
// go-yaml decides what is valid but names only a line, never a column: for
// a scanner error the line of the token (or of the scalar it was reading),
// and for a parser error the 0-based line of the construct it was parsing
// (one too low when read as 1-based). goccy/go-yaml's parser reports the
// token where parsing failed; its position is used when it lies where
// go-yaml's line says, with go-yaml's words.
func SyntaxError(data []byte, err error) (line, column int, message string) {
	reported := yamlErrorLine(err)
	msg := strings.TrimPrefix(strings.TrimPrefix(yamlLineRE.ReplaceAllString(err.Error(), ""), "yaml: "), ": ")
	scanner := scannerProblems[msg]
	line = reported
	if !scanner && reported > 0 {
		line = reported + 1 // the construct go-yaml was parsing
	}
	p := struct {
		Line, Column int
		Message      string
	}{line, 1, "not valid YAML: " + msg}
	perr := func() (err error) {
		defer func() {
			if recover() != nil {
				err = nil // only a position is lost
			}
		}()
		_, err = goccyparser.ParseBytes(data, 0)
		return err
	}()
	var se *goccy.SyntaxError
	if !errors.As(perr, &se) || se.Token == nil || se.Token.Position == nil {
		return p.Line, p.Column, p.Message
	}
	at := se.Token.Position
	switch {
	case scanner && at.Line == line,
		!scanner && at.Line >= line && at.Line <= line+3,
		line == 0:
		if !scanner && line > 0 && at.Line != line {
			p.Message += fmt.Sprintf(" (in what line %d opens)", line)
		}
		p.Line, p.Column = at.Line, at.Column
	}
	return p.Line, p.Column, p.Message
}

// scannerProblems are go-yaml's scanner errors, whose line is exact; the
// others come from its parser.
var scannerProblems = map[string]bool{}

func init() {
	for _, m := range []string{
		"block sequence entries are not allowed in this context",
		"could not find expected ':'",
		"did not find expected alphabetic or numeric character",
		"did not find expected comment or line break",
		"did not find expected whitespace or line break",
		"did not find expected whitespace",
		"found a tab character that violates indentation",
		"found a tab character where an indentation space is expected",
		"found an indentation indicator equal to 0",
		"found character that cannot start any token",
		"found invalid Unicode character escape code",
		"found unexpected document indicator",
		"found unexpected end of stream",
		"found unknown escape character",
		"mapping keys are not allowed in this context",
		"mapping values are not allowed in this context",
	} {
		scannerProblems[m] = true
	}
}

func yamlErrorLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}
