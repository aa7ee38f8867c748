"""Artifacts in an S3-compatible store (moto's server): `steward serve --artifacts s3://bucket/prefix --s3-endpoint …`
serves `mlflow-artifacts:/` as the local folder does. The real mlflow client logs and reads artifacts of every size
around the multipart boundary (the key of each object is checked in the bucket, where MLflow's own proxy has written
wrong keys), a model goes through the registry and back, paths never leave the prefix, a large upload streams
through the server in bounded memory, deletes remove every object below a path, and registered test sets are kept
under the prefix's `files/`, out of the artifact routes' reach."""

import hashlib
import os
import tempfile
from pathlib import Path

import mlflow
import numpy as np
import pytest
import requests
from sklearn.linear_model import LogisticRegression

from conftest import Backend, start_server
from moto_s3 import CREDENTIALS, MotoS3

PART = 8 << 20  # the store's part size: uploads larger than this are multipart
PREFIX = "team/steward"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    moto = MotoS3("steward-artifacts", str(tmp_path_factory.mktemp("moto")))
    yield moto
    moto.stop()


@pytest.fixture(scope="module")
def server(s3):
    backend = Backend("sqlite")
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    try:
        server = start_server(backend.data_dir(), extra_args=["--artifacts", f"s3://{s3.bucket}/{PREFIX}", "--s3-endpoint", s3.endpoint])
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    mlflow.set_tracking_uri(server.url)
    mlflow.set_experiment("s3-artifacts")
    yield server
    code = server.stop()
    backend.cleanup()
    assert code == 0, server.log()


def payload(size, seed):
    return np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes()


def test_artifacts_of_every_size_round_trip_under_the_right_keys(server, s3):
    sizes = {"empty.bin": 0, "one.bin": 1, "under a part.bin": PART - 1, "one part.bin": PART, "over a part.bin": PART + 1,
             "ü 100%.bin": 2 * PART + 12345}
    folder = Path(tempfile.mkdtemp())
    for index, (name, size) in enumerate(sizes.items()):
        (folder / name).write_bytes(payload(size, index))
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(folder), artifact_path="sizes")
        mlflow.log_text("nested", "a/b/c/deep.txt")
    listed = {item.path: item.file_size for item in mlflow.artifacts.list_artifacts(run_id=run.info.run_id, artifact_path="sizes")}
    # As MLflow's server answers, a size of 0 is left out of the listing (proto3 JSON omits default values).
    assert listed == {f"sizes/{name}": size or None for name, size in sizes.items()}
    downloaded = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="sizes"))
    for name in sizes:
        assert (downloaded / name).read_bytes() == (folder / name).read_bytes(), name
    # Each object sits at exactly prefix/artifacts/<experiment>/<run>/artifacts/<path>, whole.
    base = f"{PREFIX}/artifacts/{run.info.experiment_id}/{run.info.run_id}/artifacts/"
    keys = s3.keys(base)
    assert keys == {**{base + "sizes/" + name: size for name, size in sizes.items()}, base + "a/b/c/deep.txt": 6}, keys
    assert s3.get(base + "sizes/ü 100%.bin") == (folder / "ü 100%.bin").read_bytes()
    assert [item.path for item in mlflow.artifacts.list_artifacts(run_id=run.info.run_id, artifact_path="a/b")] == ["a/b/c"]


def test_a_model_goes_through_the_registry_and_back(server, s3):
    features = np.random.default_rng(3).normal(size=(200, 3))
    labels = (features[:, 0] > 0).astype(int)
    with mlflow.start_run():
        mlflow.sklearn.log_model(LogisticRegression().fit(features, labels), name="model", registered_model_name="s3-churn",
                                 input_example=features[:2])
    loaded = mlflow.pyfunc.load_model("models:/s3-churn/1")
    assert list(loaded.predict(features[:20])) == list(labels[:20])
    assert any(key.endswith("/MLmodel") for key in s3.keys(f"{PREFIX}/artifacts/"))


def test_paths_never_leave_the_prefix(server, s3):
    s3.put("outside/secret.txt", b"not Steward's")
    s3.put(f"{PREFIX}/files-secret.txt", b"beside the artifacts")
    api = server.url + "/api/2.0/mlflow-artifacts/artifacts"
    for path in ["..%2Foutside%2Fsecret.txt", "%2E%2E/%2E%2E/outside/secret.txt", "x/../../secret.txt", "%252E%252E/secret.txt"]:
        # A client that resolves dots itself sends the last one to another route: a 404, also writing nothing.
        assert requests.put(f"{api}/{path}", data=b"x").status_code in (400, 404), path
        assert requests.get(f"{api}/{path}").status_code in (400, 404), path
    for path in ["..", "../..", "../outside", "/outside"]:
        assert requests.get(api, params={"path": path}).status_code == 400, path
    assert "secret" not in requests.get(api).text
    assert not [key for key in s3.keys() if "secret" in key and key not in ("outside/secret.txt", f"{PREFIX}/files-secret.txt")]
    assert all(key.startswith(PREFIX + "/") or key == "outside/secret.txt" for key in s3.keys()), s3.keys()
    assert s3.get("outside/secret.txt") == b"not Steward's"


def test_a_large_upload_streams_in_bounded_memory(server, s3):
    size, chunk = 320 << 20, 1 << 20
    status = Path(f"/proc/{server.process.pid}/status")

    def kib(field):
        return next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith(field + ":"))

    Path(f"/proc/{server.process.pid}/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current size
    before = kib("VmRSS")
    digest = hashlib.sha256()

    def body():
        block = payload(chunk, 9)
        for _ in range(size // chunk):
            digest.update(block)
            yield block

    url = server.url + "/api/2.0/mlflow-artifacts/artifacts/large/upload.bin"
    assert requests.put(url, data=body(), timeout=600).status_code == 200
    grown = (kib("VmHWM") - before) / 1024
    assert grown <= 64, f"the server grew by {grown:.0f} MiB for a {size >> 20} MiB upload"
    assert s3.keys(f"{PREFIX}/artifacts/large/") == {f"{PREFIX}/artifacts/large/upload.bin": size}
    fetched = hashlib.sha256()
    with requests.get(url, stream=True, timeout=600) as answer:
        assert answer.headers["Content-Length"] == str(size)
        for piece in answer.iter_content(1 << 20):
            fetched.update(piece)
    assert fetched.hexdigest() == digest.hexdigest()


def test_deletes_and_test_sets(server, s3):
    api = server.url + "/api/2.0/mlflow-artifacts/artifacts"
    for path in ["gone/a.txt", "gone/deeper/b.txt", "gone-not/c.txt"]:
        assert requests.put(f"{api}/{path}", data=b"x").status_code == 200
    assert requests.delete(f"{api}/gone").status_code == 200
    assert sorted(s3.keys(f"{PREFIX}/artifacts/gone")) == [f"{PREFIX}/artifacts/gone-not/c.txt"]
    # A registered test set is one of Steward's files: under files/, named by its content, not an artifact.
    system = requests.post(server.url + "/api/v1/systems", json={"name": "s3-scoring", "purpose": "Scores"}).json()["system"]
    csv = b"label,score\n1,0.9\n0,0.2\n1,0.7\n0,0.4\n"
    registered = requests.post(server.url + f"/api/v1/systems/{system['id']}/datasets", params={"name": "holdout"}, data=csv)
    assert registered.status_code in (200, 201), registered.text
    assert s3.keys(f"{PREFIX}/files/") == {f"{PREFIX}/files/datasets/{hashlib.sha256(csv).hexdigest()}.csv": len(csv)}
    assert "datasets" not in requests.get(api).text
