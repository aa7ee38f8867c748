"""The model registry, prompt registry and model cards, driven by the real mlflow client against steward serve."""

import os
import subprocess
import warnings

import mlflow
import numpy as np
import pandas as pd
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException, RestException
from sklearn.linear_model import LogisticRegression

from conftest import BINARY

# A small separable problem: the label is whether x0 + x1 > 1.
FEATURES = np.array([[0.0, 0.0], [1.0, 1.0], [0.2, 0.1], [0.9, 0.8], [0.1, 0.3], [0.7, 0.9], [0.0, 0.4], [1.0, 0.6]] * 4)
LABELS = (FEATURES.sum(axis=1) > 1).astype(int)
PROBE = np.array([[0.0, 0.1], [1.0, 0.9], [0.05, 0.2], [0.95, 1.0]])


def train_and_register(name, c, with_dataset=False):
    """Trains in a run, logs params, a metric and (optionally) the training data, and registers the model."""
    with mlflow.start_run() as run:
        if with_dataset:
            frame = pd.DataFrame(FEATURES, columns=["x0", "x1"]).assign(label=LABELS)
            mlflow.log_input(mlflow.data.from_pandas(frame, name="sums", targets="label"), context="training")
        model = LogisticRegression(C=c).fit(FEATURES, LABELS)
        mlflow.log_params({"C": c, "solver": model.solver})
        mlflow.log_metric("train_accuracy", float(model.score(FEATURES, LABELS)))
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=name, input_example=FEATURES[:2])
    return run.info.run_id, info, model


def test_sklearn_model_through_the_registry(tracking, unique):
    client = MlflowClient()
    mlflow.set_experiment(f"registry-{unique}")
    name = f"sums-{unique}"

    run_id, info, model = train_and_register(name, 1.0)
    first = client.get_model_version(name, "1")
    assert first.status == "READY"
    assert first.run_id == run_id
    assert first.source == f"models:/{info.model_id}"
    assert str(info.registered_model_version) == "1"

    client.set_registered_model_alias(name, "candidate", "1")
    assert client.get_model_version_by_alias(name, "candidate").version == "1"
    by_alias = mlflow.pyfunc.load_model(f"models:/{name}@candidate")
    assert list(by_alias.predict(PROBE)) == [0, 1, 0, 1]
    by_version = mlflow.sklearn.load_model(f"models:/{name}/1")
    assert list(by_version.predict(PROBE)) == list(model.predict(PROBE))
    assert np.allclose(by_version.predict_proba(PROBE), model.predict_proba(PROBE))

    _, _, second_model = train_and_register(name, 0.01)
    assert client.get_model_version(name, "2").status == "READY"
    client.set_registered_model_alias(name, "candidate", "2")
    assert client.get_model_version_by_alias(name, "candidate").version == "2"
    assert client.get_model_version(name, "1").aliases == []
    moved = mlflow.sklearn.load_model(f"models:/{name}@candidate")
    assert np.allclose(moved.predict_proba(PROBE), second_model.predict_proba(PROBE))
    assert mlflow.sklearn.load_model(f"models:/{name}/latest").C == 0.01

    client.set_registered_model_alias(name, "shadow", "1")
    client.delete_registered_model_alias(name, "shadow")
    with pytest.raises(MlflowException):
        client.get_model_version_by_alias(name, "shadow")

    client.set_registered_model_tag(name, "team", "risk")
    client.set_model_version_tag(name, "2", "validated", "yes")
    client.update_registered_model(name, description="Flags sums over one")
    client.update_model_version(name, "2", description="Smaller C")
    registered = client.get_registered_model(name)
    assert registered.tags == {"team": "risk"}
    assert registered.description == "Flags sums over one"
    assert registered.aliases == {"candidate": "2"}
    assert client.get_model_version(name, "2").tags == {"validated": "yes"}
    assert client.get_model_version(name, "2").description == "Smaller C"
    client.delete_model_version_tag(name, "2", "validated")
    assert client.get_model_version(name, "2").tags == {}

    versions = client.search_model_versions(f"name = '{name}'", order_by=["version_number DESC"])
    assert [v.version for v in versions] == ["2", "1"]
    assert [v.version for v in client.search_model_versions(f"run_id = '{run_id}'")] == ["1"]
    found = client.search_registered_models(f"name LIKE 'sums-{unique[:4]}%'")
    assert name in [m.name for m in found]
    assert [m.name for m in client.search_registered_models(f"name LIKE 'sums-{unique}' AND tags.team = 'risk'")] == [name]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        # Production is governed (see test_governance.py); Staging moves freely and archives the same way.
        client.transition_model_version_stage(name, "1", "Staging")
        client.transition_model_version_stage(name, "2", "Staging", archive_existing_versions=True)
        assert client.get_model_version(name, "1").current_stage == "Archived"
        assert [v.version for v in client.get_latest_versions(name, stages=["Staging"])] == ["2"]

    client.delete_model_version(name, "1")
    assert [v.version for v in client.search_model_versions(f"name = '{name}'")] == ["2"]
    _, _, _ = train_and_register(name, 0.5)
    assert client.get_model_version(name, "3").status == "READY"  # the deleted number is not reused

    client.delete_registered_model(name)
    with pytest.raises(RestException) as gone:
        client.get_registered_model(name)
    assert gone.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_register_model_from_a_run_and_rename(tracking, unique):
    client = MlflowClient()
    mlflow.set_experiment(f"register-{unique}")
    with mlflow.start_run() as run:
        mlflow.sklearn.log_model(LogisticRegression().fit(FEATURES, LABELS), name="model")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", f"from-run-{unique}")
    assert version.version == "1" and version.run_id == run.info.run_id
    loaded = mlflow.pyfunc.load_model(f"models:/from-run-{unique}/1")
    assert list(loaded.predict(PROBE)) == [0, 1, 0, 1]
    client.rename_registered_model(f"from-run-{unique}", f"renamed-{unique}")
    assert client.get_model_version(f"renamed-{unique}", "1").run_id == run.info.run_id
    assert list(mlflow.pyfunc.load_model(f"models:/renamed-{unique}/1").predict(PROBE)) == [0, 1, 0, 1]


def test_sources_outside_the_server_are_refused_and_create_nothing(tracking, unique):
    client = MlflowClient()
    experiment = mlflow.set_experiment(f"sources-{unique}")
    with mlflow.start_run() as run:
        pass
    run_id = run.info.run_id
    name = f"guarded-{unique}"
    client.create_registered_model(name)
    sources = [
        "file:///etc/passwd",
        "/etc/passwd",
        "../../../../etc",
        "http://169.254.169.254/latest/meta-data/",
        "https://attacker.example/model",
        f"runs:/{run_id}/../../../../etc",
        f"runs:/{run_id}/%2e%2e/%2e%2e/%2e%2e/etc",
        f"runs:/{run_id}/%252e%252e%252f%252e%252e",
        f"mlflow-artifacts:/{experiment.experiment_id}/{run_id}/artifacts/../../../etc",
        "mlflow-artifacts://attacker.example/1/x/artifacts",
    ]
    for source in sources:
        with pytest.raises(MlflowException) as refused:
            client.create_model_version(name, source, run_id=run_id)
        assert refused.value.error_code == "INVALID_PARAMETER_VALUE", source
        with pytest.raises(MlflowException) as as_prompt:
            client.create_model_version(name, source, tags={"mlflow.prompt.is_prompt": "true", "mlflow.prompt.text": "x"})
        assert as_prompt.value.error_code == "INVALID_PARAMETER_VALUE", source
    assert client.search_model_versions(f"name = '{name}'") == []
    assert client.get_registered_model(name).latest_versions == []


def test_prompt_registry(tracking, unique):
    name = f"greeting-{unique}"
    first = mlflow.genai.register_prompt(name=name, template="Hello {{ name }}, welcome to {{place}}!", commit_message="first")
    assert first.version == 1
    chat = [{"role": "system", "content": "You greet people from {{place}}."}, {"role": "user", "content": "Hi, I am {{name}}."}]
    second = mlflow.genai.register_prompt(name=name, template=chat, commit_message="as chat")
    assert second.version == 2

    mlflow.genai.set_prompt_alias(name, alias="live", version=1)
    by_alias = mlflow.genai.load_prompt(f"prompts:/{name}@live")
    assert by_alias.version == 1
    assert by_alias.format(name="Ann", place="Oslo") == "Hello Ann, welcome to Oslo!"
    by_version = mlflow.genai.load_prompt(f"prompts:/{name}/2")
    assert by_version.format(name="Bo", place="Lima") == [
        {"role": "system", "content": "You greet people from Lima."},
        {"role": "user", "content": "Hi, I am Bo."},
    ]
    latest = mlflow.genai.load_prompt(f"prompts:/{name}@latest")
    assert latest.version == 2 and latest.template == chat

    mlflow.genai.set_prompt_alias(name, alias="live", version=2)
    assert mlflow.genai.load_prompt(f"prompts:/{name}@live").version == 2

    found = mlflow.genai.search_prompts(filter_string=f"name LIKE 'greeting-{unique}%'")
    assert [p.name for p in found] == [name]
    # Prompts stay out of model searches.
    assert name not in [m.name for m in MlflowClient().search_registered_models(f"name LIKE 'greeting-{unique}%'")]

    rendered = requests.post(f"{tracking.url}/api/v1/prompts/{name}/render", json={"version": "1", "variables": {"name": "Cy"}})
    assert rendered.status_code == 400
    assert rendered.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "place" in rendered.json()["message"]
    rendered = requests.post(f"{tracking.url}/api/v1/prompts/{name}/render", json={"alias": "live", "variables": {"name": "Cy", "place": "Rome"}})
    assert rendered.status_code == 200
    assert rendered.json()["messages"][0] == {"role": "system", "content": "You greet people from Rome."}


def card_command(steward, name, version, fmt):
    args = [BINARY, "card", name, version, "--format", fmt, "--data", steward.data]
    if steward.store:
        args += ["--store", steward.store]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def test_model_card_shows_what_the_client_logged(tracking, unique, tmp_path):
    client = MlflowClient()
    mlflow.set_experiment(f"card-{unique}")
    name = f"carded-{unique}"
    run_id, _, _ = train_and_register(name, 0.5, with_dataset=True)
    client.set_registered_model_alias(name, "candidate", "1")
    run = client.get_run(run_id)
    digest = run.inputs.dataset_inputs[0].dataset.digest
    accuracy = run.data.metrics["train_accuracy"]

    response = requests.patch(
        f"{tracking.url}/api/v1/models/{name}/versions/1/card", json={"limitations": "Only two features", "intended_use": "Demonstrations"}
    )
    assert response.status_code == 200
    card = requests.get(f"{tracking.url}/api/v1/models/{name}/versions/1/card").json()["model_card"]
    assert {p["key"]: p["value"] for p in card["model_parameters"]["hyperparameters"]} == {"C": "0.5", "solver": "lbfgs"}
    assert card["model_parameters"]["data"][0]["digest"] == digest
    assert card["model_parameters"]["data"][0]["name"] == "sums"
    metrics = card["quantitative_analysis"]["performance_metrics"]
    assert [(m["type"], m["value"]) for m in metrics] == [("train_accuracy", accuracy)]
    assert card["deployment"]["aliases"] == ["candidate"]
    assert card["considerations"]["limitations"] == "Only two features"
    assert card["lineage"]["run_id"] == run_id

    markdown = requests.get(f"{tracking.url}/api/v1/models/{name}/versions/1/card", headers={"Accept": "text/markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert digest in markdown.text and "| C | 0.5 |" in markdown.text

    printed = card_command(tracking, name, "1", "markdown")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith(f"# Model card: {name} version 1")
    assert digest in printed.stdout and "candidate" in printed.stdout
    missing = card_command(tracking, name, "9", "markdown")
    assert missing.returncode != 0 and "not found" in missing.stderr

    # The HTML card, rendered by a real browser.
    chromium = os.environ.get("STEWARD_TEST_CHROMIUM", "chromium")
    page = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + str(tmp_path / "profile"), "--dump-dom",
         f"{tracking.url}/api/v1/models/{name}/versions/1/card?format=html"],
        capture_output=True, text=True, timeout=120,
    )
    assert page.returncode == 0, page.stderr[-2000:]
    dom = page.stdout
    assert f'<span id="model-name">{name}</span>' in dom
    for text in [digest, "candidate", "train_accuracy", "Only two features", "Demonstrations", run_id, "<td>C</td><td>0.5</td>"]:
        assert text in dom, text


def test_registry_history_over_http(tracking, unique):
    client = MlflowClient()
    mlflow.set_experiment(f"history-{unique}")
    name = f"tracked-{unique}"
    train_and_register(name, 1.0)
    train_and_register(name, 2.0)
    client.set_registered_model_alias(name, "prod", "1")
    client.set_registered_model_alias(name, "prod", "2")
    client.delete_registered_model_alias(name, "prod")
    events = requests.get(f"{tracking.url}/api/v1/models/{name}/history").json()["events"]
    assert [(e["kind"], e.get("version"), e.get("from_version")) for e in events if e["kind"].startswith("alias")] == [
        ("alias_set", "1", None),
        ("alias_set", "2", "1"),
        ("alias_deleted", "2", None),
    ]
