// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zerodowntime/zds/components/audit"
	"github.com/zerodowntime/zds/components/outdir"
	"github.com/zerodowntime/zds/components/render"
	"github.com/zerodowntime/zds/components/specfile"
)

func newRender(stdout io.Writer) *cobra.Command {
	var files []string
	var dir string
	cmd := &cobra.Command{
		Use:   "render -f FILE|DIR|- [-f ...] [-o yaml|json] [-d DIR]",
		Short: "Write the manifests the component creates for the spec files, in apply order",
		Long: `render builds the objects the ZeroDowntimeService component registers for
each document (the same builder and apply order) and writes them: a
multi-document YAML stream on stdout (-o json: a v1 List), or one file per
object in DIR (-d). -f - reads standard input. Nothing is written unless
every document is valid.`,
		Example: `  zds render -f examples/basic/service.zds.yaml | kubectl apply --server-side -f -
  zds render -f specs/ -o json
  zds render -f specs/ -d manifests/`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := outputFlag(cmd, "yaml", "json")
			if err != nil {
				return err
			}
			docs, err := load(cmd, files)
			if err != nil {
				return err
			}
			objs, err := render.Manifests(docs)
			if err != nil {
				return err
			}
			if err := passesCheck(docs, objs); err != nil {
				return err
			}
			if dir != "" {
				return writeDir(dir, objs, format, cmd.ErrOrStderr())
			}
			if format == "json" {
				// A v1 List, as kubectl get -o json writes and kubectl
				// apply -f reads.
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"apiVersion": "v1", "kind": "List", "items": objs})
			}
			y, err := render.YAML(objs)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "%s%s", render.Header(docs), y)
			return err
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "spec file or directory (repeatable)")
	cmd.Flags().BoolP("verbose", "v", false, "note every file and document skipped in a directory")
	cmd.Flags().StringVarP(&dir, "output-dir", "d", "", "write one file per object into this directory")
	cmd.Flags().StringP("output", "o", "yaml", "output format: yaml or json (a v1 List)")
	return cmd
}

// fileHeader opens every YAML file zds writes into a directory: with the
// record package outdir keeps, it is how a later render recognises the
// files it may replace or remove (files rendered before the record
// existed carry it too).
const fileHeader = "# Rendered by zds from a ZeroDowntimeService spec; do not edit.\n"

// writeDir makes dir hold exactly this render, one file per object named
// NN-namespace-kind-name.EXT, through package outdir: files an earlier
// render wrote that are not part of this one go, files zds did not write
// stay (each manifest-looking one named in a note on stderr), and the
// directory itself is never replaced.
func writeDir(dir string, objs []map[string]any, format string, stderr io.Writer) error {
	files := make([]outdir.File, 0, len(objs))
	for i, o := range objs {
		meta, _ := o["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		kind, _ := o["kind"].(string)
		parts := []string{fmt.Sprintf("%02d", i+1)}
		if ns != "" {
			parts = append(parts, ns)
		}
		parts = append(parts, strings.ToLower(kind), name)
		var data []byte
		var err error
		if format == "json" {
			data, err = json.MarshalIndent(o, "", "  ")
			data = append(data, '\n')
		} else {
			data, err = render.YAML([]map[string]any{o})
			data = append([]byte(fileHeader), data...)
		}
		if err != nil {
			return err
		}
		files = append(files, outdir.File{Name: strings.Join(parts, "-") + "." + format, Data: data})
	}
	return outdir.Write(dir, files, outdir.Options{Header: fileHeader, Notes: stderr})
}

// passesCheck refuses a render that zds check would reject: the rules the
// component's strict verifier checks patches against are fewer than those
// zds check knows (#21 found a deregistration delay patched onto the
// Service, which the controller prefers to the Ingress's, rendered with
// exit 0 and then refused by zds check). Unpatched output has no finding
// at all (TestZdsOutputHasNoFindings), so an error here is a patch's doing,
// reported at the spec's patches.
func passesCheck(docs []*specfile.Document, objs []map[string]any) error {
	patched := false
	for _, d := range docs {
		patched = patched || len(d.Resolved.Spec.Patches) > 0
	}
	if !patched {
		return nil // nothing a check could find: no re-encoding on the common path
	}
	y, err := render.YAML(objs)
	if err != nil {
		return err
	}
	read, problems := audit.Read("render", y)
	if len(problems) > 0 {
		return fmt.Errorf("zds check cannot read this render: %s", problems[0].Message)
	}
	var lines []string
	for _, f := range audit.Check(read, audit.Options{}).Findings() {
		if f.Severity < audit.Error {
			continue
		}
		d := docFor(docs, f.Namespace, f.Object)
		path := "spec.patches"
		line, col := d.Position(path)
		lines = append(lines, fmt.Sprintf("%s:%d:%d: %s: the rendered objects break rule %s (%s) in %s %s: %s: change or remove the patch",
			d.File, line, col, path, f.Rule, f.Title, f.Object, f.Field, f.Message))
	}
	if len(lines) > 0 {
		return errors.New(strings.Join(lines, "\n"))
	}
	return nil
}

// docFor is the document whose service owns an object: same namespace and
// name, else the first in the namespace with patches, else the first.
func docFor(docs []*specfile.Document, namespace, object string) *specfile.Document {
	_, name, _ := strings.Cut(object, "/")
	var patched *specfile.Document
	for _, d := range docs {
		s := d.Resolved.Spec
		if s.Namespace != namespace {
			continue
		}
		if s.Name == name {
			return d
		}
		if patched == nil && len(s.Patches) > 0 {
			patched = d
		}
	}
	if patched != nil {
		return patched
	}
	return docs[0]
}
