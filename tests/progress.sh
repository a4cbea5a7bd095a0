#!/usr/bin/env bash
# progress.sh CMD [ARG...]: runs CMD and, while it runs, prints a line every
# 30 s (elapsed time and the command), so that a long step (a real-cluster
# test, a build) never leaves a CI log silent. Exits with CMD's status.
set -uo pipefail
"$@" &
pid=$!
start=$SECONDS
(
  while sleep 30; do
    kill -0 "$pid" 2>/dev/null || exit 0
    echo "... still running after $((SECONDS - start)) s: $*" >&2
  done
) &
ticker=$!
wait "$pid"
status=$?
kill "$ticker" 2>/dev/null
wait "$ticker" 2>/dev/null
exit "$status"
