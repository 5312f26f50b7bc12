#!/usr/bin/env bash
# Create .venv and install Freedom Ledger into it (with test tools when given "test").
# PyICU compiles against the system ICU: its headers are installed first when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"

if ! pkg-config --exists icu-uc 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ICU headers for PyICU (libicu-dev, pkg-config)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null
  else
    echo "setup: PyICU needs ICU headers: install libicu-dev and pkg-config, then rerun" >&2
    exit 1
  fi
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "${1:-}" = test ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
