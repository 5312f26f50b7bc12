#!/usr/bin/env bash
# Quick start, command 2: set up, start PostgreSQL, install Chromium for the browser tests,
# and run the whole suite (every database test runs on SQLite and on PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test

FREEDOMLEDGER_TEST_PG="$(bash scripts/postgres.sh)"
export FREEDOMLEDGER_TEST_PG

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing Debian's chromium for the browser tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  fi
fi

exec .venv/bin/python -m pytest "$@"
