#!/usr/bin/env bash
# Runs every Steward test: a bounded run of every libFuzzer target (Fuzz/run.sh) while the release build is made,
# the Swift suites on SQLite and PostgreSQL, then the compatibility suite that drives the release build of
# `steward serve` with the real mlflow client on both engines (and schemathesis against the OpenAPI document, the
# web UI in Chromium with Playwright, artifacts in moto's S3 server, backup and restore).
# Starts what it needs and stops it afterwards: a PostgreSQL server on loopback (installed with apt-get when absent),
# a Python venv for the clients, and Debian's headless Chromium for the rendered model card and the UI.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$(mktemp -d /tmp/steward-test.XXXXXX)"
PG_STARTED=""

as_postgres() {
    if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    if [ -n "$PG_STARTED" ]; then
        as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '\n==> %s\n' "$*"; }

find_pg_bin() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

APT_UPDATED=""
apt_install() {
    log "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$APT_UPDATED" ]; then apt-get update -qq; APT_UPDATED=1; fi
    apt-get install -y -qq "$@" >/dev/null
}

log "prerequisites"
if [ ! -f /usr/include/sqlite3.h ]; then apt_install libsqlite3-dev; fi
if [ ! -f /usr/include/zlib.h ]; then apt_install zlib1g-dev; fi
if ! command -v chromium >/dev/null; then apt_install chromium; fi
export STEWARD_TEST_CHROMIUM="$(command -v chromium)"

log "PostgreSQL"
PG_BIN="$(find_pg_bin)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    apt_install postgresql postgresql-client
    PG_BIN="$(find_pg_bin)"
fi
PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$WORK/pg"
if [ "$(id -u)" = "0" ]; then chown -R postgres "$WORK/pg"; chmod 755 "$WORK"; fi
as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U steward --auth=trust >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
PG_STARTED=1
export STEWARD_TEST_POSTGRES_URL="postgres://steward@127.0.0.1:$PG_PORT/postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

log "swift format lint"
swift format lint --strict -r Sources Tests Package.swift Fuzz/Package.swift Fuzz/Sources

# The README runs the server in release mode: the optimizer must build it too (it has crashed where debug did not).
# Two cores: the release build runs beside the debug build (whole-module optimization leaves a core idle much of
# the time) and the fuzz targets beside what is left of it; the tests then run on a quiet machine.
log "swift build, and swift build -c release beside it"
# Its own scratch folder: SwiftPM locks a build folder against a second build in it.
swift build -c release --product steward --scratch-path .build-release > "$WORK/release-build.log" 2>&1 &
RELEASE_BUILD=$!
# The compatibility suite's venv is made meanwhile too: mostly downloads and unpacking, off the critical path.
VENV="$ROOT/compat/.venv"
(
    if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
    nice "$VENV/bin/pip" install -q --disable-pip-version-check -r compat/requirements.txt
) > "$WORK/venv.log" 2>&1 &
VENV_SETUP=$!
swift build --build-tests

log "fuzzing (libFuzzer with the address sanitizer; ${STEWARD_FUZZ_SECONDS:-10} s a target), beside the release build"
FUZZ_STATUS=0
bash Fuzz/run.sh "${STEWARD_FUZZ_SECONDS:-10}" || FUZZ_STATUS=$?
RELEASE_STATUS=0
wait "$RELEASE_BUILD" || RELEASE_STATUS=$?
tail -n 3 "$WORK/release-build.log"
if [ "$RELEASE_STATUS" -ne 0 ]; then
    grep -E "error|warning:" "$WORK/release-build.log" | head -n 100 || true
    echo "the release build failed (exit $RELEASE_STATUS)"
    exit 1
fi
if [ "$FUZZ_STATUS" -ne 0 ]; then echo "fuzzing failed (exit $FUZZ_STATUS)"; exit 1; fi

log "swift test (SQLite and PostgreSQL)"
swift test --skip-build

log "compatibility suite (real mlflow client; SQLite and PostgreSQL)"
if ! wait "$VENV_SETUP"; then
    cat "$WORK/venv.log"
    echo "installing the compatibility suite's Python packages failed"
    exit 1
fi
# Against the release build: the binary the README runs. Two workers, each taking whole files (a file's servers
# are module fixtures); every server, database and port is a test's own.
STEWARD_BINARY="$ROOT/.build-release/release/steward" "$VENV/bin/python" -m pytest compat -q -p no:cacheprovider -n 2 --dist loadfile

log "all tests passed"
