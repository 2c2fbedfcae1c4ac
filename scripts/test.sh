#!/usr/bin/env bash
# One command on a fresh machine: create .venv, install aiposture with its test extras
# (cloud SDKs, moto server, IaC parsers), then run the whole pytest suite on all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
# lint and types gate the run (configured in pyproject.toml)
.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
exec .venv/bin/python -m pytest -q -n auto -p no:cacheprovider "$@"
