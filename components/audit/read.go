// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/zerodowntime/zds/components/inputs"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/yamlnode"
)

// Object is one Kubernetes object as read, with where it was read: a
// file's line and column, or a live cluster's object (no position).
type Object struct {
	File         string
	Line, Column int
	APIVersion   string
	Kind         string
	Namespace    string
	Name         string
	// Raw is the object as JSON would hold it.
	Raw  map[string]any
	node *yaml.Node
}

// Ref names the object as kubectl does, e.g. Deployment/web.
func (o *Object) Ref() string { return o.Kind + "/" + o.Name }

// Pos is the line and column of a field of the object (a path of keys
// and list indexes, e.g. spec, template, spec, containers, 0), or the
// object's own position when the field is not written.
func (o *Object) Pos(path ...string) (line, col int) {
	if o.node == nil {
		return o.Line, o.Column
	}
	n := yamlnode.At(o.node, path)
	return n.Line, n.Column
}

// Problem is input that cannot be read, at its file and line.
type Problem = specfile.Problem

// Read reads the Kubernetes objects of one file's content: YAML with any
// number of documents (Helm template and kustomize build output as they
// come), JSON, and List kinds, whose items are read as objects. Documents
// that are no Kubernetes object (no kind, a NOTES text) are skipped;
// objects of every kind are returned, for the caller to use or ignore.
func Read(file string, data []byte) ([]*Object, []Problem) {
	var objs []*Object
	var problems []Problem
	if line, col, msg, ok := yamlnode.Nesting(data); !ok {
		return nil, []Problem{{File: file, Line: line, Column: col, Message: msg}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, specfile.SyntaxError(file, data, err))
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		o, ps := readNode(file, doc.Content[0])
		problems = append(problems, ps...)
		objs = append(objs, o...)
	}
	return objs, problems
}

// readNode reads one document (or List item) as objects.
func readNode(file string, n *yaml.Node) ([]*Object, []Problem) {
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	// YAML's own values (integers stay int): every use marshals them
	// to JSON, where a key JSON cannot hold becomes the object's problem.
	if dup, first := yamlnode.Duplicate(n); dup != nil {
		return nil, []Problem{{File: file, Line: dup.Line, Column: dup.Column, Message: fmt.Sprintf("not a Kubernetes object: key %q is given twice (first at line %d): keep one", dup.Value, first.Line)}}
	}
	v, err := yamlnode.Value(n)
	if err != nil {
		line, col := n.Line, n.Column
		if ae, ok := err.(*yamlnode.AliasError); ok {
			line, col = ae.Line, ae.Column
		}
		return nil, []Problem{{File: file, Line: line, Column: col, Message: "not a Kubernetes object: " + err.Error()}}
	}
	raw, _ := v.(map[string]any)
	kind, _ := raw["kind"].(string)
	if kind == "" {
		return nil, nil
	}
	if items, ok := raw["items"].([]any); ok && strings.HasSuffix(kind, "List") {
		seq := valueOf(n, "items")
		var objs []*Object
		var problems []Problem
		for i := range items {
			if seq == nil || seq.Kind != yaml.SequenceNode || i >= len(seq.Content) {
				break // a JSON document's items: the node is the sequence's
			}
			o, ps := readNode(file, seq.Content[i])
			objs = append(objs, o...)
			problems = append(problems, ps...)
		}
		return objs, problems
	}
	o := &Object{File: file, Line: n.Line, Column: n.Column, Kind: kind, Raw: raw, node: n}
	o.APIVersion, _ = raw["apiVersion"].(string)
	meta, _ := raw["metadata"].(map[string]any)
	o.Name, _ = meta["name"].(string)
	o.Namespace, _ = meta["namespace"].(string)
	return []*Object{o}, nil
}

// InMemory is objects a program holds (a render's output, the Pulumi
// component's children, as encoding/json decodes them), read as objects
// of source without positions: how zds checks what its patches made.
func InMemory(source string, objs []map[string]any) []*Object {
	out := make([]*Object, 0, len(objs))
	for _, raw := range objs {
		o := &Object{File: source, Raw: raw}
		o.APIVersion, _ = raw["apiVersion"].(string)
		o.Kind, _ = raw["kind"].(string)
		meta, _ := raw["metadata"].(map[string]any)
		o.Name, _ = meta["name"].(string)
		o.Namespace, _ = meta["namespace"].(string)
		out = append(out, o)
	}
	return out
}

// valueOf is the value node of a mapping's key.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// jsonValue is v as encoding/json holds it (numbers float64, maps with
// string keys); YAML that JSON cannot hold is an error.
func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// Load reads every file and directory (recursively, its .yaml, .yml and
// .json files in name order); "-" is stdin.
func Load(stdin io.Reader, paths ...string) ([]*Object, []Problem) {
	var objs []*Object
	var problems []Problem
	add := func(name string, data []byte) {
		o, ps := Read(name, data)
		objs = append(objs, o...)
		problems = append(problems, ps...)
	}
	files, expandProblems := inputs.Expand(paths)
	for _, p := range expandProblems {
		problems = append(problems, Problem{File: p.Path, Message: "cannot read: " + unwrapPathError(p.Err)})
	}
	for _, f := range files {
		data, err := inputs.Read(f, stdin, MaxInputBytes, "zds check's limit for one input: split it (for example one file per chart)")
		if err != nil {
			problems = append(problems, Problem{File: f.Path, Message: "cannot read: " + unwrapPathError(err)})
			continue
		}
		add(f.Path, data)
	}
	return objs, problems
}

// MaxInputBytes bounds one input of zds check (a file, or standard
// input): the largest Helm or kustomize output seen is a few megabytes,
// and -f /dev/zero must end in an error, not out of memory.
const MaxInputBytes = 64 << 20

func unwrapPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// decode converts an object into its Go type; a field of the wrong type
// is a problem at the object.
func decode[T any](o *Object) (*T, *Problem) {
	b, err := json.Marshal(o.Raw)
	if err != nil {
		return nil, &Problem{File: o.File, Line: o.Line, Column: o.Column, Message: err.Error()}
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		msg := err.Error()
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			line, col := o.Pos(strings.Split(te.Field, ".")...)
			return nil, &Problem{File: o.File, Line: line, Column: col, Path: te.Field,
				Message: fmt.Sprintf("%s: is a %s, must be %s", o.Ref(), te.Value, te.Type)}
		}
		return nil, &Problem{File: o.File, Line: o.Line, Column: o.Column, Message: o.Ref() + ": " + msg}
	}
	return &v, nil
}

// clusterScoped are the kinds zds check reads that have no namespace.
var clusterScoped = map[string]bool{"Namespace": true, "IngressClass": true, "IngressClassParams": true}

// InNamespace puts the objects that name no namespace into ns, as
// `kubectl apply -n` and `helm template -n` do.
func InNamespace(objs []*Object, ns string) {
	for _, o := range objs {
		if o.Namespace != "" || clusterScoped[o.Kind] {
			continue
		}
		o.Namespace = ns
		meta, ok := o.Raw["metadata"].(map[string]any)
		if !ok {
			meta = map[string]any{}
			o.Raw["metadata"] = meta
		}
		meta["namespace"] = ns
	}
}
