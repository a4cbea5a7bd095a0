// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/zerodowntime/zds/components/explain"
	"github.com/zerodowntime/zds/components/spec"
	"github.com/zerodowntime/zds/components/specfile"
	"github.com/zerodowntime/zds/components/timing"
)

func newExplain(stdout io.Writer) *cobra.Command {
	var files []string
	var svgPath string
	cmd := &cobra.Command{
		Use:   "explain -f FILE|DIR [-f ...] [--svg FILE]",
		Short: "Explain every derived timing: its rule, its inputs, the termination timeline and the rollout estimate",
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := outputFlag(cmd, "text", "json")
			if err != nil {
				return err
			}
			docs, err := load(cmd, files)
			if err != nil {
				return err
			}
			if svgPath != "" {
				if err := svgTarget(svgPath, docs); err != nil {
					return err
				}
			}
			var resolved []*spec.Resolved
			for _, d := range docs {
				resolved = append(resolved, d.Resolved)
			}
			// Render everything before writing anything.
			var text, svg bytes.Buffer
			if svgPath != "" {
				if err := explain.SVG(&svg, resolved); err != nil {
					return err
				}
			}
			if format == "json" {
				type item struct {
					Name      string           `json:"name"`
					Namespace string           `json:"namespace"`
					Timing    timing.Result    `json:"timing"`
					Timeline  explain.Timeline `json:"timeline"`
					Waves     int              `json:"rolloutWaves"`
				}
				var items []item
				for _, r := range resolved {
					items = append(items, item{r.Spec.Name, r.Spec.Namespace, r.Timing, explain.Termination(r), r.Timing.RolloutWaves})
				}
				enc := json.NewEncoder(&text)
				enc.SetIndent("", "  ")
				if err := enc.Encode(items); err != nil {
					return err
				}
			} else {
				for i, r := range resolved {
					if i > 0 {
						text.WriteString("\n---\n\n")
					}
					if err := explain.Text(&text, r); err != nil {
						return err
					}
				}
			}
			if svgPath != "" {
				if err := os.WriteFile(svgPath, svg.Bytes(), 0o644); err != nil {
					return fmt.Errorf("writing %s: %w", svgPath, err)
				}
			}
			_, err = stdout.Write(text.Bytes())
			return err
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "spec file or directory (repeatable)")
	cmd.Flags().BoolP("verbose", "v", false, "note every file and document skipped in a directory")
	cmd.Flags().StringVar(&svgPath, "svg", "", "also draw the termination timeline as an SVG picture into FILE")
	cmd.Flags().StringP("output", "o", "text", "output format: text or json")
	return cmd
}

// svgHeader starts every picture explain draws: the one file --svg may
// replace.
const svgHeader = "<!-- Rendered by zds explain"

// svgTarget refuses to write the picture over a file zds did not draw: an
// input spec file (#21 found --svg overwrite it) or anything else of the
// user's.
func svgTarget(path string, docs []*specfile.Document) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("--svg %s: %w", path, err)
	}
	for _, d := range docs {
		if in, err := os.Stat(d.File); err == nil && os.SameFile(fi, in) {
			return usagef("--svg %s is an input spec file: name another file for the picture", path)
		}
	}
	if !fi.Mode().IsRegular() {
		return usagef("--svg %s exists and is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--svg %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if fi.Size() > 0 && !bytes.Contains(head[:n], []byte(svgHeader)) {
		return usagef("--svg %s exists and was not drawn by zds explain: name a new file, or remove it first", path)
	}
	return nil
}
