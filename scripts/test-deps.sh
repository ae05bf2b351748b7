#!/usr/bin/env bash
# Installs what stepd's tests need that a fresh machine may lack. Idempotent:
# it does nothing when everything is already present.
set -euo pipefail

need() { ! command -v "$1" >/dev/null 2>&1; }

missing=()
need python3 && missing+=(python3)
need node && missing+=(nodejs)
need zip && missing+=(zip)
# The function runtime's tests: a custom (provided) runtime written with
# curl, and the end-to-end test driving the aws CLI (Debian's is v2; the
# test adapts its syntax).
need curl && missing+=(curl)
need aws && missing+=(awscli)
# The web console's browser tests drive Debian's Chromium headless (never a
# downloaded browser); DejaVu gives its pages and screenshots a font.
if need chromium; then
	missing+=(chromium)
	[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
fi

if [ ${#missing[@]} -gt 0 ]; then
	echo "test-deps: installing ${missing[*]}"
	if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# PostgreSQL for the store tests (internal/store/postgres): start the local
# cluster and create the stepd role and database; the tests find them at the
# DSN the script prints (or at $STEPD_TEST_POSTGRES). Without PostgreSQL
# those tests skip, so a failure here only warns.
if ! "$(dirname "$0")/postgres.sh" >/dev/null; then
	echo "test-deps: PostgreSQL unavailable; the internal/store/postgres tests will skip" >&2
fi
