// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zerodowntime/zds/components/outdir"
	"github.com/zerodowntime/zds/components/render"
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
