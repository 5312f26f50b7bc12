#!/usr/bin/env bash
# Quick start, command 1: set up, create a SQLite ledger, load the bundled sample data and
# print who is still held, the release events and the deals.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/freedomledger --db "${FREEDOMLEDGER_DB:-freedomledger.db}" demo
