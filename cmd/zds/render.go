package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zerodowntime/zds/components/preview"
	"github.com/zerodowntime/zds/components/render"
)

func newRender(stdout io.Writer) *cobra.Command {
	var files []string
	var dir string
	cmd := &cobra.Command{
		Use:   "render -f FILE|DIR [-f ...] [-o DIR]",
		Short: "Write the manifests the component creates for the spec files, in apply order",
		Long: `render builds the objects the ZeroDowntimeService component registers for
each document (the same builder and apply order) and writes them: a
multi-document YAML stream on stdout, or one file per object in DIR (-o).
-f - reads standard input. Nothing is written unless every document is
valid.`,
		Example: "  zds render -f examples/basic/service.zds.yaml | kubectl apply --server-side -f -",
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := outputFlag(cmd, "yaml", "json")
			if err != nil {
				return err
			}
			docs, err := load(files)
			if err != nil {
				return err
			}
			objs, err := render.Manifests(docs)
			if err != nil {
				return err
			}
			if dir != "" {
				return writeDir(dir, objs, format)
			}
			if format == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(objs)
			}
			y, err := preview.YAML(objs)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "%s%s", render.Header(docs), y)
			return err
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "spec file or directory (repeatable)")
	cmd.Flags().StringVarP(&dir, "output-dir", "o", "", "write one file per object into this directory")
	cmd.Flags().String("output", "yaml", "output format: yaml or json")
	return cmd
}

// writeDir writes one file per object, NN-namespace-kind-name.EXT, each
// through a temporary file so a failure never leaves a truncated file.
func writeDir(dir string, objs []map[string]any, format string) error {
	type out struct {
		name string
		data []byte
	}
	var outs []out
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
			data, err = preview.YAML([]map[string]any{o})
		}
		if err != nil {
			return err
		}
		outs = append(outs, out{strings.Join(parts, "-") + "." + format, data})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, o := range outs {
		tmp, err := os.CreateTemp(dir, ".zds-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(o.data)
		cerr := tmp.Close()
		if werr != nil || cerr != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("writing %s: %v %v", o.name, werr, cerr)
		}
		if err := os.Rename(tmp.Name(), filepath.Join(dir, o.name)); err != nil {
			os.Remove(tmp.Name())
			return err
		}
	}
	return nil
}
