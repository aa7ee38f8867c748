"""The MLflow tracking flows a data scientist runs, driven by the real mlflow client against steward serve."""

import json
import math
import os
import tempfile

import mlflow
import pandas as pd
import pytest
import requests
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException, RestException


def test_experiments(tracking, unique):
    client = MlflowClient()
    name = f"exp-{unique}"
    experiment = mlflow.set_experiment(name)
    assert experiment.name == name
    assert experiment.artifact_location == f"mlflow-artifacts:/{experiment.experiment_id}"
    assert client.get_experiment(experiment.experiment_id).name == name
    assert client.get_experiment_by_name(name).experiment_id == experiment.experiment_id
    assert client.get_experiment_by_name(f"missing-{unique}") is None
    assert client.get_experiment("0").name == "Default"

    with pytest.raises(RestException) as duplicate:
        client.create_experiment(name)
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"

    client.set_experiment_tag(experiment.experiment_id, "team", "ml")
    assert client.get_experiment(experiment.experiment_id).tags["team"] == "ml"
    client.delete_experiment_tag(experiment.experiment_id, "team")
    assert "team" not in client.get_experiment(experiment.experiment_id).tags

    client.rename_experiment(experiment.experiment_id, f"renamed-{unique}")
    found = client.search_experiments(filter_string=f"name LIKE 'renamed-{unique}%'")
    assert [e.experiment_id for e in found] == [experiment.experiment_id]

    client.delete_experiment(experiment.experiment_id)
    assert client.get_experiment(experiment.experiment_id).lifecycle_stage == "deleted"
    deleted = client.search_experiments(view_type=ViewType.DELETED_ONLY, filter_string=f"name = 'renamed-{unique}'")
    assert len(deleted) == 1
    client.restore_experiment(experiment.experiment_id)
    assert client.get_experiment(experiment.experiment_id).lifecycle_stage == "active"


def test_experiment_search_pages(tracking, unique):
    client = MlflowClient()
    ids = [client.create_experiment(f"page-{unique}-{i}", tags={"batch": unique}) for i in range(5)]
    first = client.search_experiments(filter_string=f"tags.batch = '{unique}'", max_results=2, order_by=["name ASC"])
    assert [e.name for e in first] == [f"page-{unique}-0", f"page-{unique}-1"]
    assert first.token
    rest = []
    token = first.token
    while token:
        page = client.search_experiments(filter_string=f"tags.batch = '{unique}'", max_results=2, order_by=["name ASC"], page_token=token)
        rest += [e.name for e in page]
        token = page.token
    assert rest == [f"page-{unique}-{i}" for i in range(2, 5)]
    assert sorted(ids) == sorted(e.experiment_id for e in client.search_experiments(filter_string=f"tags.batch = '{unique}'"))


def test_fluent_run_with_params_metrics_tags_and_steps(tracking, unique):
    mlflow.set_experiment(f"fluent-{unique}")
    with mlflow.start_run(run_name="first") as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"depth": 3, "model": "tree"})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.91, "nan_metric": float("nan"), "inf_metric": float("inf")})
        mlflow.set_tag("team", "ml")
        mlflow.set_tags({"stage": "dev", "owner": "alice"})
    client = MlflowClient()
    fetched = client.get_run(run.info.run_id)
    assert fetched.info.status == "FINISHED"
    assert fetched.info.run_name == "first"
    assert fetched.info.end_time is not None
    assert fetched.data.params == {"alpha": "0.5", "depth": "3", "model": "tree"}
    assert fetched.data.metrics["loss"] == pytest.approx(0.2)
    assert math.isnan(fetched.data.metrics["nan_metric"])
    assert fetched.data.metrics["inf_metric"] == float("inf")
    assert fetched.data.tags["team"] == "ml" and fetched.data.tags["owner"] == "alice"
    assert fetched.data.tags["mlflow.runName"] == "first"
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, round(m.value, 6)) for m in history] == [(s, round(1.0 / (s + 1), 6)) for s in range(5)]

    with pytest.raises(MlflowException) as changed:
        client.log_param(run.info.run_id, "alpha", 0.7)
    assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
    client.log_param(run.info.run_id, "alpha", 0.5)

    client.log_batch(
        run.info.run_id,
        metrics=[Metric("batch_m", float(i), 1000 + i, i) for i in range(20)],
        params=[Param("bp", "1")],
        tags=[RunTag("bt", "x")],
    )
    assert client.get_run(run.info.run_id).data.metrics["batch_m"] == 19.0
    client.delete_tag(run.info.run_id, "bt")
    assert "bt" not in client.get_run(run.info.run_id).data.tags


def test_unnamed_runs_get_a_server_name_and_lifecycle_works(tracking, unique):
    mlflow.set_experiment(f"names-{unique}")
    client = MlflowClient()
    run = client.create_run(mlflow.get_experiment_by_name(f"names-{unique}").experiment_id)
    assert run.info.run_name and len(run.info.run_name.split("-")) == 3
    client.set_terminated(run.info.run_id, status="FAILED")
    assert client.get_run(run.info.run_id).info.status == "FAILED"
    client.delete_run(run.info.run_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    with pytest.raises(MlflowException) as refused:
        client.log_metric(run.info.run_id, "m", 1.0)
    assert refused.value.error_code == "INVALID_PARAMETER_VALUE"
    client.restore_run(run.info.run_id)
    client.log_metric(run.info.run_id, "m", 1.0)


def test_run_links_the_client_prints_lead_to_a_page(tracking, unique, capsys):
    mlflow.set_experiment(f"links-{unique}")
    with mlflow.start_run() as run:
        mlflow.log_param("p", 1)
    printed = capsys.readouterr()
    link = f"{tracking.url}/#/experiments/{run.info.experiment_id}/runs/{run.info.run_id}"
    # The client announces the run at this address (when it prints it); a browser asks the server for "/".
    assert link in printed.out + printed.err or "View run" not in printed.out + printed.err
    page = requests.get(link, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/api/v1/openapi.json" in page.text and "Steward" in page.text


def test_artifacts(tracking, unique, tmp_path):
    mlflow.set_experiment(f"artifacts-{unique}")
    source = tmp_path / "src"
    (source / "sub" / "deep").mkdir(parents=True)
    (source / "a.txt").write_text("hello")
    (source / "sub" / "b.txt").write_text("bee")
    (source / "sub" / "deep" / "c.bin").write_bytes(os.urandom(300_000))
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(source / "a.txt"))
        mlflow.log_artifact(str(source / "a.txt"), artifact_path="copies")
        mlflow.log_artifacts(str(source / "sub"), artifact_path="tree")
        mlflow.log_dict({"k": [1, 2]}, "config/params.json")
        mlflow.log_text("some notes", "notes.md")
    client = MlflowClient()
    top = {f.path: f.is_dir for f in client.list_artifacts(run.info.run_id)}
    assert top == {"a.txt": False, "config": True, "copies": True, "notes.md": False, "tree": True}
    assert [f.path for f in client.list_artifacts(run.info.run_id, "tree")] == ["tree/b.txt", "tree/deep"]
    deep = client.list_artifacts(run.info.run_id, "tree/deep")
    assert [(f.path, f.file_size) for f in deep] == [("tree/deep/c.bin", 300_000)]

    target = tmp_path / "download"
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="tree", dst_path=str(target))
    assert (target / "tree" / "b.txt").read_text() == "bee"
    assert (target / "tree" / "deep" / "c.bin").read_bytes() == (source / "sub" / "deep" / "c.bin").read_bytes()
    assert os.path.isdir(local)
    single = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="a.txt", dst_path=str(tmp_path / "one"))
    assert open(single).read() == "hello"
    assert mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/config/params.json") == {"k": [1, 2]}
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/notes.md") == "some notes"


def test_dataset_inputs(tracking, unique):
    mlflow.set_experiment(f"datasets-{unique}")
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [4.0, 5.0, 6.0]})
    dataset = mlflow.data.from_pandas(frame, name="train-set", targets="y")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
    fetched = MlflowClient().get_run(run.info.run_id)
    inputs = fetched.inputs.dataset_inputs
    assert len(inputs) == 1
    assert inputs[0].dataset.name == "train-set"
    assert inputs[0].dataset.digest == dataset.digest
    assert json.loads(inputs[0].dataset.profile)["num_rows"] == 3
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"
    experiment_id = fetched.info.experiment_id
    found = MlflowClient().search_runs([experiment_id], f"datasets.digest = '{dataset.digest}' and datasets.context = 'training'")
    assert [r.info.run_id for r in found] == [run.info.run_id]


def test_search_runs_filters_order_pages_and_dataframe(tracking, unique):
    experiment_id = mlflow.set_experiment(f"search-{unique}").experiment_id
    expected = {}
    for i in range(12):
        with mlflow.start_run(run_name=f"run-{i:02d}") as run:
            mlflow.log_params({"model": "tree" if i % 2 == 0 else "linear", "i": i})
            mlflow.log_metric("rmse", i / 10)
            if i % 3 == 0:
                mlflow.set_tag("flag", "yes")
            expected[i] = run.info.run_id
    client = MlflowClient()

    tree = client.search_runs([experiment_id], "metrics.rmse < 0.5 and params.model = 'tree'", order_by=["metrics.rmse DESC"])
    assert [r.info.run_name for r in tree] == ["run-04", "run-02", "run-00"]
    flagged = client.search_runs([experiment_id], "tags.flag = 'yes'", order_by=["attributes.run_name ASC"])
    assert [r.info.run_name for r in flagged] == ["run-00", "run-03", "run-06", "run-09"]
    assert len(client.search_runs([experiment_id], "tags.flag IS NULL and params.model LIKE 'lin%'")) == 4
    assert client.search_runs([experiment_id], "tags.flag != 'yes'") == []
    assert len(client.search_runs([experiment_id], "params.model ILIKE 'TREE'")) == 6
    assert [r.info.run_id for r in client.search_runs([experiment_id], f"attributes.run_id IN ('{expected[1]}', '{expected[2]}')", order_by=["run_name"])] == [expected[1], expected[2]]
    assert len(client.search_runs([experiment_id], "attributes.status = 'FINISHED' and metrics.rmse >= 1.0")) == 2

    names = []
    token = None
    while True:
        page = client.search_runs([experiment_id], "", order_by=["metrics.rmse ASC"], max_results=5, page_token=token)
        names += [r.info.run_name for r in page]
        token = page.token
        if not token:
            break
    assert names == [f"run-{i:02d}" for i in range(12)]

    frame = mlflow.search_runs(experiment_ids=[experiment_id], filter_string="params.model = 'linear'", order_by=["metrics.rmse DESC"])
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["tags.mlflow.runName"]) == ["run-11", "run-09", "run-07", "run-05", "run-03", "run-01"]
    assert list(frame["metrics.rmse"]) == pytest.approx([1.1, 0.9, 0.7, 0.5, 0.3, 0.1])
    assert {"run_id", "params.model", "params.i", "start_time", "status"} <= set(frame.columns)


def test_errors_keep_mlflow_codes(tracking, unique):
    client = MlflowClient()
    with pytest.raises(MlflowException) as missing:
        client.get_run("0" * 32)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    mlflow.set_experiment(f"errors-{unique}")
    with pytest.raises(MlflowException) as bad_filter:
        mlflow.search_runs(filter_string="params.a == == '1'")
    assert bad_filter.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as or_filter:
        mlflow.search_runs(filter_string="metrics.a > 1 OR metrics.b > 1")
    assert or_filter.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as duplicate:
        client.create_experiment(f"errors-{unique}")
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"
    with mlflow.start_run() as run:
        pass
    # The client splits large batches itself; a raw request over the limit gets MLflow's error and writes nothing.
    too_many = requests.post(
        f"{tracking.url}/api/2.0/mlflow/runs/log-batch",
        json={"run_id": run.info.run_id, "metrics": [{"key": f"m{i}", "value": 1.0, "timestamp": 1} for i in range(1001)]},
    )
    assert too_many.status_code == 400
    assert too_many.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "m0" not in client.get_run(run.info.run_id).data.metrics


def test_bulk_interval_history(tracking, unique):
    import requests

    mlflow.set_experiment(f"bulk-{unique}")
    with mlflow.start_run() as run:
        for step in range(50):
            mlflow.log_metric("curve", float(step), step=step)
    response = requests.get(
        f"{tracking.url}/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval",
        params={"run_ids": run.info.run_id, "metric_key": "curve", "max_results": 10},
    )
    assert response.status_code == 200
    steps = [m["step"] for m in response.json()["metrics"]]
    assert len(steps) == 10 and steps[0] == 0 and steps[-1] == 49
