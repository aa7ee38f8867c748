"""`steward backup` and `steward restore`: a backup taken while the server serves, restored into a new folder, gives
a server that answers the same runs, models, artifacts and audit chain (which verifies); what came after the
backup is not in it. A restore never writes outside its folder, never over a store, and refuses a file that is
not a Steward backup."""

import os
import subprocess
import zipfile

import mlflow
import numpy as np
import pytest
import requests

from conftest import BINARY, Backend, start_server


def cli(*args):
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=300)


def snapshot(url, experiment_id):
    """What a client sees of a store: runs with params and metrics, model versions, the audit chain."""
    runs = requests.post(url + "/api/2.0/mlflow/runs/search", json={"experiment_ids": [experiment_id], "max_results": 1000}).json()["runs"]
    models = requests.get(url + "/api/2.0/mlflow/registered-models/search").json()["registered_models"]
    audit = requests.get(url + "/api/v1/audit", params={"limit": 1000}).json()
    return {
        "runs": sorted((r["info"]["run_id"], sorted((p["key"], p["value"]) for p in r["data"].get("params", [])),
                        sorted((m["key"], m["value"]) for m in r["data"].get("metrics", []))) for r in runs),
        "models": sorted((m["name"], sorted(v["version"] for v in m.get("latest_versions", []))) for m in models),
        "audit": [(e["sequence"], e["hash"]) for e in audit["events"]],
    }


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    backend = Backend("sqlite")
    server = start_server(backend.data_dir())
    yield server, tmp_path_factory.mktemp("backups")
    assert server.stop() == 0, server.log()
    backend.cleanup()


def test_a_backup_taken_while_serving_restores_the_same_store(original):
    server, folder = original
    mlflow.set_tracking_uri(server.url)
    experiment = mlflow.set_experiment("backed-up").experiment_id
    blob = np.random.default_rng(5).integers(0, 256, 3 << 20, dtype=np.uint8).tobytes()
    for index in range(3):
        with mlflow.start_run() as run:
            mlflow.log_params({"index": index, "kind": "before"})
            for step in range(20):
                mlflow.log_metric("loss", 1 / (step + 1 + index), step=step)
            mlflow.log_text(f"notes {index}", "notes/readme.txt")
            mlflow.log_dict({"blob": index}, "config/ü config.json")
        client = mlflow.MlflowClient()
        if index == 0:
            client.create_registered_model("backed-up-model")
        client.create_model_version("backed-up-model", f"runs:/{run.info.run_id}/notes", run_id=run.info.run_id)
    (folder / "blob.bin").write_bytes(blob)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(folder / "blob.bin"), "data")
    blob_run = run.info.run_id
    system = requests.post(server.url + "/api/v1/systems", json={"name": "backed-up", "purpose": "Scores", "models": ["backed-up-model"]})
    assert system.status_code == 201, system.text
    before = snapshot(server.url, experiment)
    assert len(before["audit"]) >= 2

    archive = folder / "steward-backup.zip"
    made = cli("backup", "--data", server.data, "--to", str(archive))
    assert made.returncode == 0, made.stderr
    assert "Backed up the database and" in made.stdout
    with mlflow.start_run():
        mlflow.log_param("kind", "after the backup")
    # Writing over a file is refused.
    again = cli("backup", "--data", server.data, "--to", str(archive))
    assert again.returncode != 0 and "exists" in again.stderr

    restored_dir = str(folder / "restored")
    restored = cli("restore", "--from", str(archive), "--data", restored_dir)
    assert restored.returncode == 0, restored.stderr
    assert "The audit chain verifies" in restored.stdout
    copy = start_server(restored_dir)
    try:
        assert snapshot(copy.url, experiment) == before
        verified = requests.get(copy.url + "/api/v1/audit/verify").json()
        assert verified["intact"] is True, verified
        mlflow.set_tracking_uri(copy.url)
        downloaded = mlflow.artifacts.download_artifacts(run_id=blob_run, artifact_path="data/blob.bin")
        assert open(downloaded, "rb").read() == blob
        first = next(run_id for run_id, params, _ in before["runs"] if ("kind", "before") in params)
        assert open(mlflow.artifacts.download_artifacts(run_id=first, artifact_path="config/ü config.json")).read().startswith("{")
    finally:
        assert copy.stop() == 0, copy.log()
    # The restored folder holds a store now: a second restore into it is refused.
    twice = cli("restore", "--from", str(archive), "--data", restored_dir)
    assert twice.returncode != 0 and "already holds a Steward store" in twice.stderr


def test_a_restore_refuses_what_is_not_a_steward_backup(original):
    _, folder = original
    cases = {
        "climbs": [("steward.sqlite", b"x"), ("artifacts/../../escaped.txt", b"x")],
        "elsewhere": [("steward.sqlite", b"x"), ("etc/passwd", b"x")],
        "absolute": [("/tmp/steward-absolute.txt", b"x")],
    }
    for name, entries in cases.items():
        path = folder / f"{name}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for entry, content in entries:
                archive.writestr(entry, content)
        target = folder / f"target-{name}"
        result = cli("restore", "--from", str(path), "--data", str(target))
        assert result.returncode != 0, (name, result.stdout)
        assert "not a place in a Steward data folder" in result.stderr, (name, result.stderr)
        assert not (target / "steward.sqlite").exists() and not (folder / "escaped.txt").exists()
    linked = folder / "link.zip"
    with zipfile.ZipFile(linked, "w") as archive:
        info = zipfile.ZipInfo("artifacts/link")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    result = cli("restore", "--from", str(linked), "--data", str(folder / "target-link"))
    assert result.returncode != 0 and "link" in result.stderr, result.stderr
    text = folder / "not.zip"
    text.write_text("hello")
    result = cli("restore", "--from", str(text), "--data", str(folder / "target-text"))
    assert result.returncode != 0 and "not a Steward backup" in result.stderr, result.stderr
    assert not os.path.exists("/tmp/steward-absolute.txt")


def test_artifacts_kept_outside_the_data_folder_are_backed_up_from_where_the_server_keeps_them(tmp_path):
    data, artifacts = str(tmp_path / "data"), str(tmp_path / "artifact-volume")
    server = start_server(data, extra_args=["--artifacts", artifacts])
    try:
        mlflow.set_tracking_uri(server.url)
        mlflow.set_experiment("elsewhere")
        with mlflow.start_run() as run:
            mlflow.log_text("kept on another volume", "notes/where.txt")
    finally:
        assert server.stop() == 0, server.log()
    assert os.listdir(artifacts)

    archive = tmp_path / "backup.zip"
    made = cli("backup", "--data", data, "--artifacts", artifacts, "--to", str(archive))
    assert made.returncode == 0, made.stderr
    with zipfile.ZipFile(archive) as zipped:
        assert any(name.startswith("artifacts/") and name.endswith("notes/where.txt") for name in zipped.namelist()), zipped.namelist()
    # Into the backup's own folders, never over the artifact folder it copies.
    inside = cli("backup", "--data", data, "--artifacts", artifacts, "--to", os.path.join(artifacts, "backup.zip"))
    assert inside.returncode != 0 and "outside" in inside.stderr, inside.stderr

    restored, restored_artifacts = str(tmp_path / "restored"), str(tmp_path / "restored-artifacts")
    result = cli("restore", "--from", str(archive), "--data", restored, "--artifacts", restored_artifacts)
    assert result.returncode == 0, result.stderr
    assert f"--artifacts {restored_artifacts}" in result.stdout
    assert not os.path.exists(os.path.join(restored, "artifacts")) or not os.listdir(os.path.join(restored, "artifacts"))
    copy = start_server(restored, extra_args=["--artifacts", restored_artifacts])
    try:
        mlflow.set_tracking_uri(copy.url)
        assert open(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="notes/where.txt")).read() == "kept on another volume"
    finally:
        assert copy.stop() == 0, copy.log()
    # The artifact folder now holds a store's artifacts: a second restore into it is refused.
    again = cli("restore", "--from", str(archive), "--data", str(tmp_path / "third"), "--artifacts", restored_artifacts)
    assert again.returncode != 0 and "already holds a Steward store" in again.stderr

    # Artifacts in S3: the database is backed up, and the command that copies the bucket printed.
    s3 = cli("backup", "--data", data, "--artifacts", "s3://ml-artifacts/steward", "--to", str(tmp_path / "s3.zip"))
    assert s3.returncode == 0, s3.stderr
    assert "aws s3 sync s3://ml-artifacts/steward" in s3.stdout
    with zipfile.ZipFile(tmp_path / "s3.zip") as zipped:
        assert zipped.namelist() == ["steward.sqlite"]
    # PostgreSQL and S3: nothing for this command to copy, and no file written.
    nothing = cli("backup", "--store", "postgres://steward@127.0.0.1:1/steward", "--artifacts", "s3://ml-artifacts/steward",
                  "--to", str(tmp_path / "nothing.zip"))
    assert nothing.returncode != 0 and "pg_dump" in nothing.stdout and "aws s3 sync" in nothing.stdout, nothing
    assert not (tmp_path / "nothing.zip").exists()
