// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package outdir writes a set of files into a directory the user owns and
// keeps it holding exactly the latest set, without ever touching a file it
// did not write.
//
// zds knows its own files by a record it keeps in the directory
// (RecordName, in sha256sum's format: `sha256sum -c` checks it), and,
// for files written before the record existed, by a header line the caller
// names. Only regular files directly in the directory are ever replaced or
// removed: nothing is removed recursively, so no mount, link or
// subdirectory is followed, and the directory itself is never replaced, so
// its owner, mode, identity and mounts stay. Every operation goes through
// an os.Root, so no name can reach outside it.
//
// A write happens in phases so that a failure at any point leaves the
// previous set readable and the record covering every file zds wrote:
// every new file is first written in full beside its final name (a failure
// here changes nothing), the record is widened to old and new files, each
// file is renamed over its final name (atomic per file), the files of the
// previous set that are not in this one are removed, and the record is
// narrowed to this set. A file whose content is unchanged is left alone,
// so its modification time says when it last changed.
package outdir

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// RecordName is the file in the directory that lists what zds wrote there,
// one "sha256  name" line per file.
const RecordName = ".zds-rendered.sha256"

// tmpPrefix starts the names of files being written; a later write
// removes any an interrupted one left.
const tmpPrefix = ".zds-tmp-"

// maxRecord bounds the record read back: a directory of a few thousand
// files has a record of a few hundred kilobytes.
const maxRecord = 4 << 20

// maxOwned bounds a file zds may have written: one object rendered from a
// spec file of at most 10 MB.
const maxOwned = 64 << 20

// File is one file to write: a base name (no directory) and its content.
type File struct {
	Name string
	Data []byte
}

// Options tunes Write.
type Options struct {
	// Header, when set, marks a file as zds's even if the record does not
	// list it (a file written before the record existed): its content
	// starts with Header.
	Header string
	// Notes receives one line per file kept that a tool reading the
	// directory would take for a manifest (a .yaml, .yml or .json file
	// zds did not write, or one edited since zds wrote it).
	Notes io.Writer
}

// Write makes dir hold files, replacing and removing only what zds wrote
// there (see the package comment). A missing dir is created (mode 0755);
// a link to a directory writes into the directory it points to. Every
// file is written with mode 0644, whatever the umask: the files go into a
// repository for GitOps tools to read. An error says what was and was not
// changed.
func Write(dir string, files []File, o Options) error {
	want := map[string][]byte{}
	var problems []string
	for _, f := range files {
		switch {
		case f.Name == "" || f.Name == "." || f.Name == ".." || strings.ContainsAny(f.Name, `/\`) || f.Name != filepath.Base(f.Name):
			problems = append(problems, fmt.Sprintf("%q is not a plain file name", f.Name))
		case f.Name == RecordName || strings.HasPrefix(f.Name, tmpPrefix):
			problems = append(problems, fmt.Sprintf("%q is a name zds keeps for itself", f.Name))
		case want[f.Name] != nil:
			problems = append(problems, fmt.Sprintf("%q is given twice", f.Name))
		}
		want[f.Name] = f.Data
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: nothing written: %s", dir, strings.Join(problems, "; "))
	}

	if err := prepare(dir); err != nil {
		return err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()

	record, err := readRecord(root)
	if err != nil {
		return fmt.Errorf("%s: nothing written: %w", dir, err)
	}
	entries, err := readDir(root)
	if err != nil {
		return fmt.Errorf("%s: nothing written: %w", dir, err)
	}

	// Which entries are ours; which of the new names are blocked.
	ours := map[string]string{} // name -> sha256 of its content now
	var kept []string
	var blocked []string
	for _, e := range entries {
		name := e.Name()
		if name == RecordName {
			continue
		}
		if strings.HasPrefix(name, tmpPrefix) && e.Type().IsRegular() {
			_ = root.Remove(name) // an interrupted write's leftover
			continue
		}
		sum, mine := owned(root, e, record, o.Header)
		if mine {
			ours[name] = sum
			continue
		}
		why := "was not written by zds"
		if _, listed := record[name]; listed {
			why = "was edited since zds wrote it"
		}
		if _, clash := want[name]; clash {
			blocked = append(blocked, fmt.Sprintf("%s %s and is in the way of an output file", filepath.Join(dir, name), why))
			continue
		}
		if isManifestName(name) {
			kept = append(kept, fmt.Sprintf("zds: note: %s %s; left as it is", filepath.Join(dir, name), why))
		}
	}
	if len(blocked) > 0 {
		return fmt.Errorf("%s: move it away, or render into another directory; nothing written", strings.Join(blocked, "; "))
	}

	// Phase 1: every changed file in full beside its final name.
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	tmps := map[string]string{}
	cleanup := func() {
		for _, t := range tmps {
			_ = root.Remove(t)
		}
	}
	for _, name := range names {
		if sum, ok := ours[name]; ok && sum == hash(want[name]) {
			continue // unchanged: left alone
		}
		t, err := writeTemp(root, want[name])
		if err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w; nothing changed", filepath.Join(dir, name), err)
		}
		tmps[name] = t
	}

	// Phase 2: the record covers the old and the new files while both
	// may be on disk.
	wide := map[string]string{}
	for name, sum := range ours {
		wide[name] = sum
	}
	for name, data := range want {
		wide[name] = hash(data)
	}
	if err := writeRecord(root, wide); err != nil {
		cleanup()
		return fmt.Errorf("%s: %w; nothing changed", dir, err)
	}

	// Phase 3: each file in place, atomically.
	for i, name := range names {
		t, ok := tmps[name]
		if !ok {
			continue
		}
		if err := root.Rename(t, name); err != nil {
			cleanup()
			return fmt.Errorf("replacing %s: %w; %d of %d files were replaced, the rest hold the previous render: render again", filepath.Join(dir, name), err, i, len(names))
		}
		delete(tmps, name)
	}

	// Phase 4: the previous set's files that this one does not have.
	for name := range ours {
		if _, ok := want[name]; ok {
			continue
		}
		if fi, err := root.Lstat(name); err == nil && fi.Mode().IsRegular() {
			if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing %s, which an earlier render wrote: %w; this render is in place", filepath.Join(dir, name), err)
			}
		}
	}
	narrow := map[string]string{}
	for name, data := range want {
		narrow[name] = hash(data)
	}
	if err := writeRecord(root, narrow); err != nil {
		return fmt.Errorf("%s: %w; this render is in place", dir, err)
	}
	syncDir(root)
	for _, k := range kept {
		if o.Notes != nil {
			fmt.Fprintln(o.Notes, k)
		}
	}
	return nil
}

// prepare makes dir exist as a directory, or says why it cannot.
func prepare(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(dir)
		st, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("%s is a link to %s, which does not exist: create that directory, or give -d a directory", dir, target)
		}
		if !st.IsDir() {
			return fmt.Errorf("%s is a link to %s, which is not a directory", dir, target)
		}
		return nil
	case !fi.IsDir():
		return fmt.Errorf("%s exists and is not a directory: give -d a directory", dir)
	}
	return nil
}

// owned tells whether an entry is a file zds wrote, and its content's
// hash: a regular file that the record lists with its current content, or
// one that starts with the header. Only a regular file is opened (a FIFO
// would block the open), and at most maxOwned bytes are read: zds never
// writes a larger file.
func owned(root *os.Root, e fs.DirEntry, record map[string]string, header string) (string, bool) {
	if !e.Type().IsRegular() {
		return "", false
	}
	f, err := root.Open(e.Name())
	if err != nil {
		return "", false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Size() > maxOwned {
		return "", false
	}
	data, err := io.ReadAll(io.LimitReader(f, maxOwned+1))
	if err != nil || len(data) > maxOwned {
		return "", false
	}
	sum := hash(data)
	if want, ok := record[e.Name()]; ok && want == sum {
		return sum, true
	}
	if header != "" && bytes.HasPrefix(data, []byte(header)) {
		return sum, true
	}
	return "", false
}

func hash(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// isManifestName is a name a GitOps tool reading the directory applies.
func isManifestName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func readDir(root *os.Root) ([]fs.DirEntry, error) {
	d, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	defer d.Close()
	entries, err := d.ReadDir(-1)
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, err
}

// readRecord reads the record, if there is one: a missing record is an
// empty one; an unreadable one is an error, since without it zds cannot
// tell its JSON files from the user's.
func readRecord(root *os.Root) (map[string]string, error) {
	fi, err := root.Lstat(RecordName)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxRecord {
		return nil, fmt.Errorf("%s is not the record zds writes (a regular file of at most %d bytes): remove it; zds then keeps every file it cannot prove it wrote", RecordName, maxRecord)
	}
	data, err := root.ReadFile(RecordName)
	if err != nil {
		return nil, err
	}
	record := map[string]string{}
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || name == "" || strings.ContainsAny(name, `/\`) {
			return nil, fmt.Errorf("%s:%d: not a \"sha256  name\" line: remove the file; zds then keeps every file it cannot prove it wrote", RecordName, i+1)
		}
		record[name] = sum
	}
	return record, nil
}

func writeRecord(root *os.Root, record map[string]string) error {
	names := make([]string, 0, len(record))
	for n := range record {
		names = append(names, n)
	}
	slices.Sort(names)
	var b bytes.Buffer
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", record[n], n)
	}
	t, err := writeTemp(root, b.Bytes())
	if err != nil {
		return fmt.Errorf("writing %s: %w", RecordName, err)
	}
	if err := root.Rename(t, RecordName); err != nil {
		_ = root.Remove(t)
		return fmt.Errorf("writing %s: %w", RecordName, err)
	}
	return nil
}

// writeTemp writes data to a new file with a fresh name in root, synced
// to disk and mode 0644.
func writeTemp(root *os.Root, data []byte) (string, error) {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	name := tmpPrefix + hex.EncodeToString(rnd[:])
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr == nil {
		werr = root.Chmod(name, 0o644)
	}
	if werr != nil {
		_ = root.Remove(name)
		return "", werr
	}
	return name, nil
}

// syncDir makes the renames durable where the platform can.
func syncDir(root *os.Root) {
	if d, err := root.Open("."); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
