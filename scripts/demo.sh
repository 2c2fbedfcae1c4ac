#!/usr/bin/env bash
# One command on a fresh machine: create .venv, install aiposture, run the demo scan
# on the bundled example inventory (AWS, Azure, Google Cloud; no cloud account needed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e . >/dev/null
exec .venv/bin/aiposture demo --output-dir "${1:-aiposture-demo}"
