"""Starts a real `steward serve` for the compatibility suite, once per storage backend.

The server is the binary the build produced (STEWARD_BINARY, default .build/debug/steward), on a fresh
temporary data folder and a free port. With STEWARD_TEST_POSTGRES_URL set (an admin URL such as
postgres://steward@127.0.0.1:5432/postgres), every test also runs against a fresh PostgreSQL database.
"""

import os
import re
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
BINARY = os.environ.get("STEWARD_BINARY", str(ROOT / ".build" / "debug" / "steward"))
POSTGRES_ADMIN_URL = os.environ.get("STEWARD_TEST_POSTGRES_URL", "")
BANNER = re.compile(r"listening on (http://\S+)")


@dataclass
class StewardServer:
    """A running server: its URL, data folder and store URL, and the process to stop."""

    url: str
    data: str
    store: str | None
    process: subprocess.Popen
    log_path: str

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        return self.process.returncode

    def log(self):
        return Path(self.log_path).read_text(errors="replace")


def start_server(data: str, store: str | None = None, extra_args=()) -> StewardServer:
    """Starts `steward serve` on a free port and waits until /health answers."""
    args = [BINARY, "serve", "--data", data, "--port", "0", *extra_args]
    if store:
        args += ["--store", store]
    log_path = os.path.join(data + "-server.log")
    log = open(log_path, "w")
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True)
    deadline = time.time() + 60
    url = None
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                raise RuntimeError(f"steward exited with {process.returncode}: {Path(log_path).read_text()}")
            continue
        match = BANNER.search(line)
        if match:
            url = match.group(1)
            break
    if url is None:
        process.kill()
        raise RuntimeError("steward did not print its banner in time")
    while time.time() < deadline:
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return StewardServer(url, data, store, process, log_path)
        except requests.ConnectionError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("steward did not become healthy in time")


def run_psql(sql: str):
    subprocess.run(["psql", POSTGRES_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, capture_output=True)


class Backend:
    """A storage backend for one server: a temp folder, plus a fresh PostgreSQL database when asked."""

    def __init__(self, kind: str):
        self.kind = kind
        self.folder = tempfile.mkdtemp(prefix=f"steward-compat-{kind}-")
        self.database = None

    def store_url(self):
        if self.kind != "postgres":
            return None
        if self.database is None:
            self.database = "steward_compat_" + uuid.uuid4().hex[:12]
            run_psql(f"CREATE DATABASE {self.database}")
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        return f"{base}/{self.database}"

    def data_dir(self, name="data"):
        return os.path.join(self.folder, name)

    def cleanup(self):
        if self.database:
            run_psql(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")


BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_ADMIN_URL else [])


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    b = Backend(request.param)
    yield b
    b.cleanup()


@pytest.fixture(scope="session")
def steward(backend):
    server = start_server(backend.data_dir(), backend.store_url())
    yield server
    code = server.stop()
    assert code == 0, f"steward did not shut down cleanly (exit {code}):\n{server.log()}"


@pytest.fixture()
def tracking(steward, monkeypatch):
    """Points the mlflow client at the server for one test."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", steward.url)
    mlflow.set_tracking_uri(steward.url)
    yield steward
    while mlflow.active_run():
        mlflow.end_run()


@pytest.fixture()
def unique():
    return uuid.uuid4().hex[:8]
