"""Artifacts stream through the server: a 1 GiB upload and download never sit in the server's memory."""

import hashlib
import os

import pytest
import requests

GIB = 1 << 30
CHUNK = 1 << 20


def peak_resident_bytes(pid: int) -> int:
    """The process's high-water mark of resident memory (VmHWM), in bytes."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def test_one_gib_upload_and_download_stream(backend, steward):
    if backend.kind != "sqlite":
        pytest.skip("artifact storage does not depend on the database; once is enough")
    pid = steward.process.pid
    before = peak_resident_bytes(pid)
    pattern = os.urandom(CHUNK)
    sent = hashlib.sha256()

    def body():
        for index in range(GIB // CHUNK):
            chunk = bytes([index % 251]) + pattern[1:]
            sent.update(chunk)
            yield chunk

    url = f"{steward.url}/api/2.0/mlflow-artifacts/artifacts/streaming/run/artifacts/big.bin"
    response = requests.put(url, data=body(), timeout=600)
    assert response.status_code == 200, response.text
    after_upload = peak_resident_bytes(pid)

    received = hashlib.sha256()
    size = 0
    with requests.get(url, stream=True, timeout=600) as download:
        assert download.status_code == 200
        assert int(download.headers["Content-Length"]) == GIB
        for chunk in download.iter_content(CHUNK):
            received.update(chunk)
            size += len(chunk)
    after_download = peak_resident_bytes(pid)

    print(f"peak resident: before {before >> 20} MiB, after upload {after_upload >> 20} MiB, after download {after_download >> 20} MiB")
    assert size == GIB
    assert received.hexdigest() == sent.hexdigest()
    # A server that buffered the artifact would grow by at least 1 GiB; streaming keeps growth to buffers.
    assert after_upload - before < 256 << 20, f"upload grew peak memory by {(after_upload - before) >> 20} MiB"
    assert after_download - before < 256 << 20, f"download grew peak memory by {(after_download - before) >> 20} MiB"
    listing = requests.get(f"{steward.url}/api/2.0/mlflow-artifacts/artifacts", params={"path": "streaming/run/artifacts"}).json()
    assert listing["files"] == [{"path": "big.bin", "is_dir": False, "file_size": GIB}]
    assert requests.delete(url).status_code == 200
