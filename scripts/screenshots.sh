#!/usr/bin/env bash
# Writes PNG screenshots of the web console's main pages to a folder
# (default ./screenshots): it runs the console's browser test, which starts
# stepd in-process, plays the reference scenario (MockAPIFunction and
# MyAPIStateMachine with status codes 200, 503, 999 and 429), a
# Parallel/Map/Choice showcase and an activity, and drives Debian's
# Chromium headless through every page.
#
# Usage: scripts/screenshots.sh [folder]
# Needs chromium and python3 (scripts/test-deps.sh installs them).
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-screenshots}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

if ! command -v "${STEPD_CHROMIUM:-chromium}" >/dev/null 2>&1; then
	echo "screenshots: chromium not found; run scripts/test-deps.sh (as root) first" >&2
	exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
STEPD_SCREENSHOTS="$out" ${GO:-go} test -count=1 -run '^TestConsole$' -v ./internal/console >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
	cat "$log" >&2
	echo "screenshots: the console's browser test failed" >&2
	exit "$status"
fi
grep -E 'screenshot: ' "$log" | sed -E 's/^.*screenshot: /  /'

n=$(find "$out" -maxdepth 1 -name '*.png' | wc -l)
echo "screenshots: $n PNG files in $out"
