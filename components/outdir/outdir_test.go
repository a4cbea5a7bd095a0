// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

package outdir_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zerodowntime/zds/components/outdir"
)

const header = "# Rendered by zds\n"

func files(kv ...string) []outdir.File {
	var fs []outdir.File
	for i := 0; i < len(kv); i += 2 {
		fs = append(fs, outdir.File{Name: kv[i], Data: []byte(kv[i+1])})
	}
	return fs
}

func mustWrite(t *testing.T, dir string, fs []outdir.File) string {
	t.Helper()
	var notes bytes.Buffer
	if err := outdir.Write(dir, fs, outdir.Options{Header: header, Notes: &notes}); err != nil {
		t.Fatal(err)
	}
	return notes.String()
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A JSON file of the user's that looks exactly like one zds writes (an
// NN- name, apiVersion and kind) is the user's unless the record lists it:
// #21 found it deleted.
func TestUsersLookalikeFileStays(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, files("01-ns.json", `{"apiVersion":"v1","kind":"Namespace"}`))
	crds := `{"apiVersion":"v1","kind":"List","items":[]}`
	write(t, filepath.Join(dir, "00-crds.json"), crds)
	notes := mustWrite(t, dir, files("02-svc.json", `{"apiVersion":"v1","kind":"Service"}`))
	if got := names(t, dir); !slices.Equal(got, []string{outdir.RecordName, "00-crds.json", "02-svc.json"}) {
		t.Errorf("files %v", got)
	}
	if read(t, filepath.Join(dir, "00-crds.json")) != crds {
		t.Error("00-crds.json changed")
	}
	if !strings.Contains(notes, "00-crds.json was not written by zds; left as it is") {
		t.Errorf("no note for 00-crds.json: %q", notes)
	}
}

// A file zds wrote and the user edited since is the user's now: kept when
// stale (with a note), and a write that would replace it is refused,
// changing nothing.
func TestEditedFileIsTheUsers(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, files("01-a.json", "{}", "02-b.json", "{}"))
	write(t, filepath.Join(dir, "02-b.json"), `{"edited":true}`)
	notes := mustWrite(t, dir, files("01-a.json", `{"a":1}`))
	if !strings.Contains(notes, "02-b.json was edited since zds wrote it") {
		t.Errorf("notes %q", notes)
	}
	write(t, filepath.Join(dir, "01-a.json"), `{"edited":true}`)
	err := outdir.Write(dir, files("01-a.json", `{"a":2}`), outdir.Options{})
	if err == nil || !strings.Contains(err.Error(), "in the way") || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("err %v: want the edited file named as in the way", err)
	}
	if read(t, filepath.Join(dir, "01-a.json")) != `{"edited":true}` {
		t.Error("the edited file was replaced")
	}
}

// The directory is written into, never replaced: its identity, mode and
// owner stay, and so do subdirectories (a mount inside it, a link) and
// everything in them, headers or not. #21 found a mount's files deleted
// and a 2775 directory reset to 755.
func TestDirectoryItselfStays(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o2775|os.ModeSetgid); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(dir)
	mount := filepath.Join(dir, "mnt")
	write(t, filepath.Join(mount, "01-x.yaml"), header+"kind: X\n") // a zds-looking file inside a subdirectory
	if err := os.Chmod(mount, 0o775); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	write(t, filepath.Join(elsewhere, "02-y.yaml"), header+"kind: Y\n")
	if err := os.Symlink(elsewhere, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(elsewhere, "02-y.yaml"), filepath.Join(dir, "03-z.yaml")); err != nil {
		t.Fatal(err)
	}

	mustWrite(t, dir, files("01-a.yaml", header+"kind: A\n"))
	mustWrite(t, dir, files("01-b.yaml", header+"kind: B\n"))

	after, _ := os.Stat(dir)
	if !os.SameFile(before, after) {
		t.Error("the directory was replaced by another")
	}
	if after.Mode() != before.Mode() {
		t.Errorf("mode %v, was %v", after.Mode(), before.Mode())
	}
	if a, b := owner(after), owner(before); a != b {
		t.Errorf("owner %s, was %s", a, b)
	}
	if fi, _ := os.Stat(mount); fi.Mode().Perm() != 0o775 {
		t.Errorf("subdirectory mode %v", fi.Mode())
	}
	if read(t, filepath.Join(mount, "01-x.yaml")) != header+"kind: X\n" {
		t.Error("a file in a subdirectory changed")
	}
	if read(t, filepath.Join(elsewhere, "02-y.yaml")) != header+"kind: Y\n" {
		t.Error("a file behind a link changed")
	}
	if fi, err := os.Lstat(filepath.Join(dir, "03-z.yaml")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("a link with a zds-looking name was removed or replaced")
	}
	if got := names(t, dir); !slices.Equal(got, []string{outdir.RecordName, "01-b.yaml", "03-z.yaml", "link", "mnt"}) {
		t.Errorf("files %v", got)
	}
}

// The current directory works (#21: "device or resource busy"), and a
// relative name through a link to a directory writes into its target.
func TestDotAndLinks(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	mustWrite(t, ".", files("01-a.yaml", header))
	if got := names(t, dir); !slices.Equal(got, []string{outdir.RecordName, "01-a.yaml"}) {
		t.Errorf("files %v", got)
	}
	target := t.TempDir()
	if err := os.Symlink(target, "out"); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, "out", files("01-a.yaml", header))
	if got := names(t, target); !slices.Equal(got, []string{outdir.RecordName, "01-a.yaml"}) {
		t.Errorf("files in the link's target %v", got)
	}
	// A dangling link is refused: #21 found it turned into a directory.
	if err := os.Symlink(filepath.Join(dir, "nowhere"), "dangling"); err != nil {
		t.Fatal(err)
	}
	err := outdir.Write("dangling", files("01-a.yaml", header), outdir.Options{})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("err %v", err)
	}
	if fi, err := os.Lstat("dangling"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the dangling link was replaced")
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("the link's target was created")
	}
}

// The record is in sha256sum's format, names exactly the current files,
// and a file whose content did not change keeps its modification time.
func TestRecordAndUnchangedFiles(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, files("01-a.json", "A", "02-b.json", "B"))
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(filepath.Join(dir, "01-a.json"), old, old); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, dir, files("01-a.json", "A", "03-c.json", "C"))
	if fi, _ := os.Stat(filepath.Join(dir, "01-a.json")); !fi.ModTime().Equal(old) {
		t.Errorf("an unchanged file was rewritten (mtime %v)", fi.ModTime())
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	want := sum("A") + "  01-a.json\n" + sum("C") + "  03-c.json\n"
	if got := read(t, filepath.Join(dir, outdir.RecordName)); got != want {
		t.Errorf("record:\n%s\nwant:\n%s", got, want)
	}
	for _, n := range []string{"01-a.json", "03-c.json"} {
		if fi, _ := os.Stat(filepath.Join(dir, n)); fi.Mode().Perm() != 0o644 {
			t.Errorf("%s mode %v", n, fi.Mode())
		}
	}
}

// What an interrupted write left (temporary files) goes; a corrupt record
// is refused before anything changes.
func TestLeftoversAndACorruptRecord(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, files("01-a.json", "A"))
	write(t, filepath.Join(dir, ".zds-tmp-0123456789abcdef"), "half")
	mustWrite(t, dir, files("01-a.json", "A"))
	if got := names(t, dir); !slices.Equal(got, []string{outdir.RecordName, "01-a.json"}) {
		t.Errorf("files %v", got)
	}
	write(t, filepath.Join(dir, outdir.RecordName), "garbage\n")
	err := outdir.Write(dir, files("02-b.json", "B"), outdir.Options{})
	if err == nil || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("err %v", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{outdir.RecordName, "01-a.json"}) {
		t.Errorf("files %v after a refused write", got)
	}
}

// Names that would leave the directory, or clash with zds's own, are
// refused before anything is written.
func TestBadNames(t *testing.T) {
	for _, name := range []string{"", ".", "..", "../x.yaml", "a/b.yaml", `a\b.yaml`, outdir.RecordName, ".zds-tmp-x"} {
		dir := t.TempDir()
		if err := outdir.Write(dir, files(name, "x"), outdir.Options{}); err == nil {
			t.Errorf("%q accepted", name)
		}
		if got := names(t, dir); len(got) != 0 {
			t.Errorf("%q: files %v", name, got)
		}
	}
	if err := outdir.Write(t.TempDir(), files("a.yaml", "x", "a.yaml", "y"), outdir.Options{}); err == nil {
		t.Error("a name given twice accepted")
	}
}
