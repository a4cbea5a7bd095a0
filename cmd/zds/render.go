// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

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

// fileHeader opens every YAML file zds writes into a directory: it is how a
// later render recognises the files it may replace or remove.
const fileHeader = "# Rendered by zds from a ZeroDowntimeService spec; do not edit.\n"

// zdsJSONName is the name of a JSON file zds writes into a directory (JSON
// has no comments to carry the header).
var zdsJSONName = regexp.MustCompile(`^[0-9]{2,}-[a-z0-9.-]+\.json$`)

// writeDir makes dir hold exactly this render, one file per object named
// NN-namespace-kind-name.EXT: files an earlier render wrote that are not
// part of this one go, files zds did not write stay (each named in a note
// on stderr). The new content is built in a sibling temporary directory and
// swapped in with one atomic rename, so a failure leaves dir as it was.
func writeDir(dir string, objs []map[string]any, format string, stderr io.Writer) error {
	outs := map[string][]byte{}
	var order []string
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
		file := strings.Join(parts, "-") + "." + format
		outs[file] = data
		order = append(order, file)
	}

	// A link to a directory is the directory: swap its content, not the
	// link.
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	// What stays of the old content: everything zds did not write.
	var keep []string
	old, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	}
	for _, e := range old {
		path := filepath.Join(dir, e.Name())
		if e.Type().IsRegular() && writtenByZDS(path, e.Name()) {
			continue
		}
		if _, clash := outs[e.Name()]; clash {
			return fmt.Errorf("%s was not written by zds and is in the way of an output file: move it away, or render into another directory", path)
		}
		keep = append(keep, e.Name())
	}

	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".zds-")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, name := range keep {
		if err := copyTree(filepath.Join(dir, name), filepath.Join(tmp, name)); err != nil {
			return fmt.Errorf("keeping %s: %w", filepath.Join(dir, name), err)
		}
		fmt.Fprintf(stderr, "zds: note: %s was not written by zds; left as it is\n", filepath.Join(dir, name))
	}
	for _, name := range order {
		// 0644 whatever the umask: the files go into a repository for
		// GitOps tools to read.
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, outs[name], 0o644); err != nil {
			return err
		}
		if err := os.Chmod(path, 0o644); err != nil {
			return err
		}
	}
	if err := swapDir(tmp, dir); err != nil {
		return err
	}
	done = true
	return os.RemoveAll(tmp) // now the old content
}

// writtenByZDS tells a file an earlier render wrote: a YAML file that
// starts with fileHeader, or a JSON file named as zds names them that holds
// one Kubernetes object.
func writtenByZDS(path, name string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml":
		head := make([]byte, len(fileHeader))
		n, _ := io.ReadFull(f, head)
		return string(head[:n]) == fileHeader
	case ".json":
		if !zdsJSONName.MatchString(name) {
			return false
		}
		var o struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		return json.NewDecoder(io.LimitReader(f, 1<<20)).Decode(&o) == nil && o.APIVersion != "" && o.Kind != ""
	}
	return false
}

// swapDir puts tmp's content at dir in one step: renameat2's exchange,
// where the kernel has it, leaves tmp holding the old content; a missing
// dir is a plain rename.
func swapDir(tmp, dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE); err != nil {
		return fmt.Errorf("replacing %s: %w", dir, err)
	}
	return nil
}

// copyTree copies a file, a link or a directory tree, keeping modes.
func copyTree(src, dst string) error {
	info, err := os.Lstat(src)
	if err != nil {
		return err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	case info.IsDir():
		if err := os.Mkdir(dst, info.Mode().Perm()); err != nil {
			return err
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := copyTree(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
				return err
			}
		}
		return nil
	case info.Mode().IsRegular():
		// A hard link keeps the user's file itself, cheaply; a copy where
		// links are not possible.
		if os.Link(src, dst) == nil {
			return nil
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, info.Mode().Perm())
	}
	return fmt.Errorf("%s is neither a file, a link nor a directory", src)
}
