#!/usr/bin/env bash
# Scores every example's rendered manifests with kube-score and fails on a
# CRITICAL or WARNING finding that docs/kube-score.md does not list as a
# deliberate divergence, or on a listed finding that no longer occurs.
# kube-score is installed from the Go module proxy into the cache on first
# use.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$(bash "$root/tests/lint/install-kube-score.sh")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/zds" ./cmd/zds)

# The findings, one per line: "example: message".
for spec in "$root"/examples/*/*.zds.yaml; do
  example="$(basename "$(dirname "$spec")")"
  "$work/zds" render -f "$spec" > "$work/manifests.yaml"
  # kube-score exits 1 when it finds something; its output is the verdict.
  "$bin" score --output-format ci "$work/manifests.yaml" > "$work/score.txt" || true
  grep -q '^\[OK\]' "$work/score.txt" || { echo "kube-score produced no verdicts for $spec:" >&2; cat "$work/score.txt" >&2; exit 1; }
  # One finding per kind of problem: "(migrate) …" and "(app) …" alike.
  grep -E '^\[(CRITICAL|WARNING)\]' "$work/score.txt" | sed -E "s/^\[[A-Z]+\] [^:]+: /$example: /; s/: \([a-z0-9-]+\) /: (a container) /" || true
done | sort -u > "$work/findings.txt"

# The listed divergences: the backquoted first column of the table.
sed -n 's/^| `\([^`]*\)` |.*/\1/p' "$root/docs/kube-score.md" | sort -u > "$work/allowed.txt"
[ -s "$work/allowed.txt" ] || { echo "docs/kube-score.md lists no divergences" >&2; exit 1; }

status=0
while IFS= read -r finding; do
  grep -qxF "${finding#*: }" "$work/allowed.txt" || { echo "kube-score: $finding (not listed in docs/kube-score.md: fix it, or list it with its reason)" >&2; status=1; }
done < "$work/findings.txt"
while IFS= read -r allowed; do
  grep -qF ": $allowed" "$work/findings.txt" || { echo "docs/kube-score.md lists \"$allowed\", which kube-score no longer reports: remove it" >&2; status=1; }
done < "$work/allowed.txt"
[ "$status" = 0 ] && echo "kube-score: $(wc -l < "$work/findings.txt") findings on $(ls "$root"/examples/*/*.zds.yaml | wc -l) examples, each a listed divergence" >&2
exit "$status"
