// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package specfile reads ZeroDowntimeService spec files (YAML or JSON, one or
// more documents each), validates them against the generated JSON Schema
// before anything else, then with the component's own checks, and reports
// every problem at once with file, line, column and field path.
package specfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/zerodowntime/zds/components/inputs"
	"github.com/zerodowntime/zds/components/service"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/yamlnode"
	"github.com/zerodowntime/zds/schema"
)

// Document is one validated document of a spec file.
type Document struct {
	spec.Document
	// File and Line locate the document.
	File string
	Line int
	// Resolved is the spec with defaults applied and timings derived.
	Resolved *spec.Resolved

	root *yaml.Node // the document, for Position
}

// Position returns the line and column of the field at path (e.g.
// spec.loadBalancer.scheme, spec.patches[0].patch), or of its nearest enclosing field when it is
// not written in the file (a default), so that a problem found after
// loading still points into the document.
func (d *Document) Position(path string) (line, column int) {
	if d.root == nil {
		return d.Line, 1
	}
	n := yamlnode.At(d.root, fieldPath(path))
	return n.Line, n.Column
}

// Problem is one thing wrong in a spec file.
type Problem struct {
	File         string
	Line, Column int
	// Path is the field path, e.g. spec.timing.preStopSleepSeconds.
	Path    string
	Message string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	}
	if p.Path == "" {
		return loc + ": " + p.Message
	}
	return fmt.Sprintf("%s: %s: %s", loc, p.Path, p.Message)
}

// Invalid lists every problem found; nothing should be written when it is
// returned.
type Invalid struct {
	Problems []Problem
}

func (e *Invalid) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// MaxFileBytes caps one spec file (or standard input): a spec that large
// is a mistake, and reading it whole would cost memory out of proportion.
const MaxFileBytes = 10 << 20

// StdinName names standard input (-f -) in problems.
const StdinName = "<stdin>"

// Load reads every path: a file, "-" for standard input, or a directory
// whose *.yaml, *.yml and *.json files (recursively, through symbolic links,
// each directory once) hold zds documents; in a directory, files and
// documents of other kinds (Pulumi.yaml, plain manifests) are skipped. A
// file named twice is read once. It returns the documents in order, or an
// *Invalid listing every problem in every file.
func Load(paths ...string) ([]*Document, error) { return LoadWith(Options{}, paths...) }

// Options change how Load reads.
type Options struct {
	// Stdin is what "-" reads; nil means os.Stdin.
	Stdin io.Reader
	// Skipped, when set, is told every file and document skipped in a
	// directory, and why (zds -v prints them).
	Skipped func(file string, line int, why string)
}

// LoadWith is Load with options.
func LoadWith(opts Options, paths ...string) ([]*Document, error) {
	stdin := opts.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	files, expandProblems := inputs.Expand(paths)
	var problems []Problem
	for _, p := range expandProblems {
		problems = append(problems, Problem{File: p.Path, Message: p.Err.Error()})
	}
	var docs []*Document
	for _, f := range files {
		name := f.Path
		if name == inputs.Stdin {
			name = StdinName
		}
		data, err := inputs.Read(f, stdin, MaxFileBytes, "zds's limit for one spec file: split it into several files")
		if err != nil {
			problems = append(problems, Problem{File: name, Message: err.Error()})
			continue
		}
		var skipped func(int, string)
		if opts.Skipped != nil {
			skipped = func(line int, why string) { opts.Skipped(name, line, why) }
		}
		d, errs := parse(name, data, f.Explicit, skipped)
		docs = append(docs, d...)
		problems = append(problems, errs...)
	}
	seen := map[string]*Document{}
	creators := map[string]*Document{}
	for _, d := range docs {
		if ns := d.Resolved.Spec.Namespace; d.Spec.CreateNamespace {
			if first, ok := creators[ns]; ok {
				problems = append(problems, Problem{File: d.File, Line: d.Line, Column: 1, Path: "spec.createNamespace",
					Message: fmt.Sprintf("namespace %s is also created at %s:%d: let one service create it and the others label it (createNamespace: false)", ns, first.File, first.Line)})
			}
			creators[ns] = d
		}
		key := d.Resolved.Spec.Namespace + "/" + d.Metadata.Name
		if first, ok := seen[key]; ok {
			problems = append(problems, Problem{File: d.File, Line: d.Line, Column: 1, Path: "metadata.name",
				Message: fmt.Sprintf("service %s is also defined at %s:%d: names must be unique per namespace", key, first.File, first.Line)})
		}
		seen[key] = d
	}
	problems = append(problems, groupProblems(docs)...)
	if len(problems) > 0 {
		return nil, &Invalid{Problems: problems}
	}
	if len(docs) == 0 {
		return nil, &Invalid{Problems: []Problem{{File: strings.Join(paths, ", "), Message: "no ZeroDowntimeService documents found"}}}
	}
	return docs, nil
}

// Parse reads the documents of one file. When strict, every document must
// be a ZeroDowntimeService; otherwise documents of other kinds are skipped.
func Parse(file string, data []byte, strict bool) ([]*Document, []Problem) {
	return parse(file, data, strict, nil)
}

// parse is Parse, telling skipped (when not nil) what it skipped and why.
func parse(file string, data []byte, strict bool, skipped func(line int, why string)) ([]*Document, []Problem) {
	skip := func(line int, why string) {
		if skipped != nil {
			skipped(line, why)
		}
	}
	var docs []*Document
	var problems []Problem
	if line, col, ok := invalidUTF8(data); ok {
		return nil, []Problem{{File: file, Line: line, Column: col, Message: "not valid UTF-8: save the file as UTF-8"}}
	}
	if line, col, msg, ok := yamlnode.Nesting(data); !ok {
		return nil, []Problem{{File: file, Line: line, Column: col, Message: msg + "; is this the file you meant?"}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		if len(problems) >= MaxProblems {
			// Every problem at once, up to a screenful of screenfuls: past
			// that the file is not what the user meant, and reading on
			// costs time for nothing.
			problems = append(problems, Problem{File: file, Line: problems[len(problems)-1].Line, Column: 1,
				Message: fmt.Sprintf("more than %d problems in this file: stopped reading here; is this the file you meant?", MaxProblems)})
			break
		}
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if !strict && bytes.Contains(data, []byte("{{")) {
				// A template (Helm, Go) beside the specs in a directory:
				// not YAML until rendered, and not ours.
				skip(0, "a template ({{ }}), not YAML until rendered")
				return nil, nil
			}
			problems = append(problems, SyntaxError(file, data, err))
			break
		}
		if len(n.Content) == 0 {
			continue // an empty stream
		}
		root := n.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // an empty document: a lone "---" or only comments
		}
		// In a directory, other kinds are skipped, whatever else is wrong
		// with them; but a document that was meant to be a zds spec (a
		// near-miss kind or apiVersion, a miscapitalised key) is checked,
		// so its mistake is reported rather than the service silently not
		// rendered.
		if head := topLevel(root); !strict && !isZDS(head) && !meantAsZDS(head) {
			skip(root.Line, describeKind(head)+": not a zds spec")
			continue
		}
		if nodeProblems := checkNodes(file, root, nil); len(nodeProblems) > 0 {
			problems = append(problems, nodeProblems...)
			continue
		}
		generic, err := yamlnode.Value(root)
		if err != nil {
			line, col := root.Line, root.Column
			if ae, ok := err.(*yamlnode.AliasError); ok {
				line, col = ae.Line, ae.Column
			}
			problems = append(problems, Problem{File: file, Line: line, Column: col, Message: err.Error()})
			continue
		}
		d, errs := parseDocument(file, root, generic)
		if d != nil {
			docs = append(docs, d)
		}
		problems = append(problems, errs...)
	}
	return docs, problems
}

// describeKind names a document by its apiVersion and kind.
func describeKind(head map[string]any) string {
	v, _ := head["apiVersion"].(string)
	k, _ := head["kind"].(string)
	if v == "" && k == "" {
		return "no apiVersion or kind"
	}
	return fmt.Sprintf("%s %s", v, k)
}

// topLevel is a document's top-level keys with their scalar values (other
// values are nil): enough to tell what kind of document it is without
// decoding it.
func topLevel(root *yaml.Node) map[string]any {
	m := map[string]any{}
	if root.Kind != yaml.MappingNode {
		return m
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if v.Kind == yaml.ScalarNode {
			m[k.Value] = v.Value
		} else {
			m[k.Value] = nil
		}
	}
	return m
}

func isZDS(v any) bool {
	m, ok := v.(map[string]any)
	return ok && m["apiVersion"] == spec.APIVersion && m["kind"] == spec.Kind
}

// invalidUTF8 finds the first byte that is not UTF-8, as a line and a
// column (in characters), or reports false.
func invalidUTF8(data []byte) (line, col int, bad bool) {
	if utf8.Valid(data) {
		return 0, 0, false
	}
	line, col = 1, 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line, col, true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[size:]
	}
	return line, col, true
}

// checkNodes reports, at their own line and column and with their field
// path, what the YAML decoder would report at the document's start in its
// own words, or accept: a key given twice, a key that is not a string, and
// a number that is not finite.
func checkNodes(file string, n *yaml.Node, path []string) []Problem {
	at := func(n *yaml.Node, path []string, msg string) Problem {
		return Problem{File: file, Line: n.Line, Column: n.Column, Path: strings.Join(path, "."), Message: msg}
	}
	var out []Problem
	switch n.Kind {
	case yaml.MappingNode:
		first := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" { // <<: *defaults
				out = append(out, checkNodes(file, v, path)...)
				continue
			}
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
				out = append(out, at(k, path, fmt.Sprintf("key %s is not a string: quote it (\"%s\")", describeNode(k), k.Value)))
				continue
			}
			// The path grows as a stack: each Problem joins it at once,
			// so siblings may share its array, and a deep document costs
			// linear time, not a copy per level.
			p := append(path, k.Value)
			if f, dup := first[k.Value]; dup {
				out = append(out, at(k, p, fmt.Sprintf("duplicate key %q (first at line %d, column %d): keep one", k.Value, f.Line, f.Column)))
				continue
			}
			first[k.Value] = k
			out = append(out, checkNodes(file, v, p)...)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			out = append(out, checkNodes(file, c, append(path, strconv.Itoa(i)))...)
		}
	case yaml.ScalarNode:
		// YAML's .inf, -.inf, .nan (in any case): JSON has no such number.
		if v := strings.ToLower(strings.TrimLeft(n.Value, "+-")); n.Tag == "!!float" && (v == ".inf" || v == ".nan") {
			out = append(out, at(n, path, fmt.Sprintf("Invalid value: %s: must be a finite number", n.Value)))
		}
	}
	// Aliases are not followed: what they point to is checked where it is
	// defined, and following them would expand an alias bomb.
	return out
}

func describeNode(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return "(a " + map[yaml.Kind]string{yaml.MappingNode: "mapping", yaml.SequenceNode: "list"}[n.Kind] + ")"
}

// meantAsZDS tells a document that was surely meant to be a zds spec: an
// apiVersion in the zds.dev group, a kind within two edits of
// ZeroDowntimeService (case aside), or apiVersion or kind keys spelled in
// another case.
func meantAsZDS(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for k, val := range m {
		str, _ := val.(string)
		switch {
		case k != "apiVersion" && strings.EqualFold(k, "apiVersion"), k != "kind" && strings.EqualFold(k, "kind"):
			return true
		case k == "apiVersion" && strings.HasPrefix(str, spec.Group+"/"):
			return true
		case k == "kind" && editDistance(strings.ToLower(str), strings.ToLower(spec.Kind)) <= 2:
			return true
		}
	}
	return false
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// SyntaxError places a YAML syntax error of data at its line and column
// (yamlnode.SyntaxError), as a problem of file.
func SyntaxError(file string, data []byte, err error) Problem {
	line, col, msg := yamlnode.SyntaxError(data, err)
	return Problem{File: file, Line: line, Column: col, Message: msg}
}

func parseDocument(file string, root *yaml.Node, generic any) (*Document, []Problem) {
	at := func(path []string, msg string) Problem {
		n := yamlnode.At(root, path)
		return Problem{File: file, Line: n.Line, Column: n.Column, Path: strings.Join(path, "."), Message: msg}
	}
	d, problems := decodeValue(generic, at)
	if len(problems) > 0 {
		for i := range problems {
			if problems[i].Line == 0 {
				problems[i].File, problems[i].Line, problems[i].Column = file, root.Line, root.Column
			}
		}
		return nil, problems
	}
	r, err := service.Resolve(d.Metadata.Name, d.ServiceSpec(), spec.Inputs{})
	if err != nil {
		var inv *spec.InvalidError
		if !errors.As(err, &inv) {
			return nil, []Problem{{File: file, Line: root.Line, Column: root.Column, Message: err.Error()}}
		}
		var problems []Problem
		for _, fe := range inv.Errors {
			p := at(fieldPath(fe.Field), fe.ErrorBody())
			p.Path = fe.Field // Kubernetes' form: spec.env[1].name
			if segs := fieldPath(fe.Field); segs[0] == "metadata" {
				p.Path = "metadata" + strings.TrimPrefix(fe.Field, "spec")
			}
			problems = append(problems, p)
		}
		return nil, problems
	}
	return &Document{Document: *d, File: file, Line: root.Line, Resolved: r, root: root}, nil
}

// Value checks one document given as a value (maps, slices and scalars, as
// JSON or a Pulumi provider's inputs decode), exactly as a spec file's
// document is checked before it is resolved: against the JSON Schema, then
// strictly into the Go types. Its problems carry field paths
// (spec.env.1.name) and no position; every one is reported. It does not
// resolve the spec: callers resolve it with their own inputs.
func Value(v any) (*spec.Document, []Problem) {
	return decodeValue(v, func(path []string, msg string) Problem {
		return Problem{Path: strings.Join(path, "."), Message: msg}
	})
}

// decodeValue is Value, placing each problem with at.
func decodeValue(generic any, at func(path []string, msg string) Problem) (*spec.Document, []Problem) {
	// JSON Schema validation sees the value as JSON would: normalise YAML's
	// integer types first.
	b, err := json.Marshal(generic)
	if err != nil {
		return nil, []Problem{{Message: fmt.Sprintf("not representable as JSON: %v", err)}}
	}
	if len(b) > MaxObjectBytes {
		// Nearly all of a spec lands in the pod template, so its
		// Deployment would be larger still: refused by the API server,
		// and costly to build and validate (#21: 600,000 labels).
		return nil, []Problem{{Message: fmt.Sprintf("this spec is %d KiB as JSON: its Deployment would exceed the %d KiB the Kubernetes API server stores for one object (etcd's request limit): move data into a ConfigMap or Secret", len(b)>>10, MaxObjectBytes>>10)}}
	}
	violations, err := schema.Validate(b)
	if err != nil {
		return nil, []Problem{{Message: err.Error()}}
	}
	if len(violations) > 0 {
		var problems []Problem
		for _, v := range violations {
			msg := v.Message
			switch strings.Join(append(slicesClone(v.Path), v.Missing), ".") {
			case "kind":
				msg += ": add kind: " + spec.Kind
			case "apiVersion":
				msg += ": add apiVersion: " + spec.APIVersion
			}
			problems = append(problems, at(v.Path, msg))
		}
		sortProblems(problems)
		return nil, problems
	}

	// b is the document as JSON already: decode it once more, into the
	// typed spec.
	var d spec.Document
	jd := json.NewDecoder(bytes.NewReader(b))
	jd.DisallowUnknownFields()
	if err := jd.Decode(&d); err != nil {
		// encoding/json names no field for an error of a type's own
		// decoder (a Kubernetes quantity): find the value it refused
		// (#21 found `emptyDir.sizeLimit: abc` reported at 1:1).
		if path, v := badQuantity(generic, nil); path != nil {
			return nil, []Problem{at(path, fmt.Sprintf("Invalid value: %q: not a Kubernetes quantity (such as 128Mi, 500m or 2): %v", v, err))}
		}
		return nil, []Problem{{Message: err.Error()}}
	}
	return &d, nil
}

// badQuantity is the path of the first string in v that sits where a
// Kubernetes quantity goes (resources' requests and limits, an emptyDir's
// sizeLimit) and does not parse as one.
func badQuantity(v any, path []string) ([]string, string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := append(slicesClone(path), k)
			if str, ok := x[k].(string); ok && isQuantityPlace(p) {
				if _, err := resource.ParseQuantity(str); err != nil {
					return p, str
				}
			}
			if bad, str := badQuantity(x[k], p); bad != nil {
				return bad, str
			}
		}
	case []any:
		for i, e := range x {
			if bad, str := badQuantity(e, append(slicesClone(path), strconv.Itoa(i))); bad != nil {
				return bad, str
			}
		}
	}
	return nil, ""
}

func isQuantityPlace(path []string) bool {
	n := len(path)
	return path[n-1] == "sizeLimit" || (n >= 2 && (path[n-2] == "requests" || path[n-2] == "limits"))
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
}

// MaxProblems bounds the problems one file reports.
const MaxProblems = 1000

// MaxObjectBytes is the largest object the Kubernetes API server stores:
// etcd's default request limit, 1.5 MiB.
const MaxObjectBytes = 3 << 19

// fieldPath turns a field.Path string (spec.env[0].name,
// spec.labels[app.kubernetes.io/name]) into segments of the file's layout:
// spec.name and spec.namespace live in metadata there.
func fieldPath(p string) []string {
	out := splitFieldPath(p)
	if len(out) >= 2 && out[0] == "spec" && (out[1] == "name" || out[1] == "namespace") {
		out[0] = "metadata"
	}
	return out
}

func splitFieldPath(p string) []string {
	var out []string
	for p != "" {
		switch {
		case p[0] == '.':
			p = p[1:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return append(out, p[1:])
			}
			out = append(out, p[1:end])
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				return append(out, p)
			}
			out = append(out, p[:end])
			p = p[end:]
		}
	}
	return out
}

// groupProblems places the problems of the documents' ALB groups
// (service.ALBGroupProblems) in their files.
func groupProblems(docs []*Document) []Problem {
	specs := make([]spec.ServiceSpec, len(docs))
	for i, d := range docs {
		specs[i] = d.Resolved.Spec
	}
	var problems []Problem
	for _, p := range service.ALBGroupProblems(specs, func(i int) string { return fmt.Sprintf("%s:%d", docs[i].File, docs[i].Line) }) {
		d := docs[p.Member]
		line, col := d.Position(p.Path)
		problems = append(problems, Problem{File: d.File, Line: line, Column: col, Path: p.Path, Message: p.Message})
	}
	return problems
}
