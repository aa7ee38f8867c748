#!/usr/bin/env bash
# Benchmarks Steward against an MLflow server on this machine in one run and prints the ratios.
# Installs what it needs (wrk from Debian, MLflow from PyPI into bench/.venv) and builds Steward in release mode.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if ! command -v wrk >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ ! -x bench/.venv/bin/mlflow ]; then python3 -m venv bench/.venv; fi
bench/.venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
swift build -c release --product steward
exec bench/.venv/bin/python bench/bench.py "$@"
