#!/usr/bin/env bash
# Starts the local PostgreSQL cluster that stepd's store tests use and
# creates their role and database; prints the DSN on stdout (everything else
# goes to stderr), so that
#
#   export STEPD_TEST_POSTGRES=$(scripts/postgres.sh)
#
# works. Idempotent: each step is skipped when already done. Needs root (or
# sudo) to install and start PostgreSQL; installs it with apt-get only when
# it is missing (research/deps.md §4).
set -euo pipefail

ROLE=${STEPD_PG_ROLE:-stepd}
PASSWORD=${STEPD_PG_PASSWORD:-stepd}
DB=${STEPD_PG_DB:-stepd}
PORT=${STEPD_PG_PORT:-5432}

log() { echo "postgres.sh: $*" >&2; }
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
as_postgres() { $SUDO runuser -u postgres -- "$@"; }

if ! command -v pg_lsclusters >/dev/null 2>&1 || [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
	log "installing postgresql"
	$SUDO apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
fi

# The first cluster (15/main on Debian bookworm).
read -r VERSION CLUSTER CPORT STATUS _ < <(pg_lsclusters -h | head -n 1)
if [ "$STATUS" != "online" ]; then
	log "starting cluster $VERSION/$CLUSTER"
	$SUDO pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
PORT=$CPORT

psql_q() { as_postgres psql -p "$PORT" -X -q -tA -v ON_ERROR_STOP=1 "$@"; }

# Wait until the server accepts connections (pg_ctlcluster returns when it
# has started, but be safe with a bounded retry).
for _ in $(seq 1 50); do
	if psql_q -c 'SELECT 1' >/dev/null 2>&1; then break; fi
	sleep 0.2
done

if [ "$(psql_q -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
	log "creating role $ROLE"
	psql_q -c "CREATE ROLE \"$ROLE\" LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_q -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
	log "creating database $DB"
	as_postgres createdb -p "$PORT" -O "$ROLE" "$DB" >&2
fi

echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB?sslmode=disable"
