// Copyright 2026 The zds authors
// SPDX-License-Identifier: Apache-2.0

// Package inputs finds and reads the files a zds command is given, the
// same way for every command: -f FILE, -f DIR (its *.yaml, *.yml and
// *.json files below it, in lexical order, through symbolic links, each
// file once however it is reached), and - for standard input; every read
// capped, and only regular files read, so that a FIFO named *.yaml or
// /dev/zero cannot hang or exhaust zds (#21).
package inputs

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Stdin is the path that names standard input.
const Stdin = "-"

// File is one input: a path, or Stdin.
type File struct {
	Path string
	// Explicit is true for a file named on the command line, false for
	// one found in a directory (which may hold other things).
	Explicit bool
}

// Problem is a path that cannot be expanded.
type Problem struct {
	Path string
	Err  error
}

// Expand lists the files of paths: each file as given, each directory's
// spec-like files, standard input once.
func Expand(paths []string) ([]File, []Problem) {
	var files []File
	var problems []Problem
	seen := map[string]bool{} // by real path
	add := func(path string, explicit bool) {
		key := path
		if real, err := filepath.EvalSymlinks(path); err == nil {
			if abs, err := filepath.Abs(real); err == nil {
				key = abs
			}
		}
		if !seen[key] {
			seen[key] = true
			files = append(files, File{Path: path, Explicit: explicit})
		}
	}
	for _, p := range paths {
		if p == Stdin {
			if !seen[Stdin] {
				seen[Stdin] = true
				files = append(files, File{Path: Stdin, Explicit: true})
			}
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			problems = append(problems, Problem{p, err})
			continue
		}
		if !info.IsDir() {
			add(p, true)
			continue
		}
		if err := walk(p, map[string]bool{}, func(f string) { add(f, false) }); err != nil {
			problems = append(problems, Problem{p, err})
		}
	}
	return files, problems
}

// walk calls add for every *.yaml, *.yml and *.json regular file below
// dir, in lexical order, following symbolic links to directories; visited
// holds the real paths of the directories already walked, so a link loop
// ends.
func walk(dir string, visited map[string]bool, add func(string)) error {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if visited[real] {
		return nil
	}
	visited[real] = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		isDir, regular := e.IsDir(), e.Type().IsRegular()
		if e.Type()&fs.ModeSymlink != 0 {
			info, err := os.Stat(path)
			if err != nil {
				continue // a dangling link is no input
			}
			isDir, regular = info.IsDir(), info.Mode().IsRegular()
		}
		if isDir {
			if err := walk(path, visited, add); err != nil {
				return err
			}
			continue
		}
		if !regular {
			continue // a FIFO, socket or device named *.yaml would block the read (#21)
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json":
			add(path)
		}
	}
	return nil
}

// Read reads f (stdin for Stdin) up to max bytes; a larger input is an
// error that says so in the words of tooLarge (what to do about it).
func Read(f File, stdin io.Reader, max int64, tooLarge string) ([]byte, error) {
	r := stdin
	if f.Path != Stdin {
		file, err := os.Open(f.Path)
		if err != nil {
			return nil, err
		}
		defer file.Close()
		r = file
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d MB, %s", max>>20, tooLarge)
	}
	return data, nil
}
