#!/usr/bin/env bash
# Make sure a PostgreSQL server for the tests is running on loopback, and print its URL.
# Installs Debian's postgresql when no server binaries are found. The cluster lives in
# $FL_PG_DIR (default /tmp/freedomledger-pg) and trusts local connections: it is for tests only.
set -euo pipefail
PORT="${FL_PG_PORT:-54329}"
DIR="${FL_PG_DIR:-/tmp/freedomledger-pg}"
URL="postgresql://fl@127.0.0.1:${PORT}/postgres"

find_bin() {
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/pg_ctl" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

BIN="$(find_bin || true)"
if [ -z "$BIN" ]; then
  echo "postgres.sh: installing PostgreSQL (Debian package postgresql)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BIN="$(find_bin)"
fi

# The server refuses to run as root; run it as the `postgres` user (created if missing).
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  RUN_AS=(runuser -u postgres --)
fi

if "${RUN_AS[@]}" "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
  echo "$URL"; exit 0
fi
if [ ! -f "$DIR/PG_VERSION" ]; then
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  "${RUN_AS[@]}" "$BIN/initdb" -D "$DIR" -U fl --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
"${RUN_AS[@]}" "$BIN/pg_ctl" -D "$DIR" -w -l "$DIR/server.log" \
  -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
echo "$URL"
