#!/usr/bin/env bash
# Fails if the repository tracks a built binary (ELF, Mach-O, PE, or any
# file over 2 MB): #21 found a 20 MB `peers` executable committed at the
# root. Binaries are built into ~/.cache/zds or ignored paths, never
# committed. Reads only git's list of tracked files.
set -euo pipefail
cd "$(dirname "$0")/../.."
bad=0
while IFS= read -r -d '' f; do
  [ -f "$f" ] || continue
  size=$(wc -c < "$f")
  magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
  case "$magic" in
    7f454c46) why="an ELF executable" ;;
    cffaedfe|cefaedfe|feedfacf|feedface|cafebabe) why="a Mach-O executable" ;;
    4d5a*) why="a PE (Windows) executable" ;;
    *) why="" ;;
  esac
  if [ -z "$why" ] && [ "$size" -gt 2097152 ]; then
    why="over 2 MB ($size bytes)"
  fi
  if [ -n "$why" ]; then
    echo "no-binaries: $f is $why: built files are never committed (git rm --cached $f, and ignore it)" >&2
    bad=1
  fi
done < <(git ls-files -z)
exit $bad
