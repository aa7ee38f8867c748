"""Governance with authentication on: users and roles, the AI register, promotion gates, approvals, rollback and the
audit chain, driven by the real mlflow client and the native /api/v1 routes, once per storage backend."""

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import warnings
from contextlib import closing
from dataclasses import dataclass

import mlflow
import numpy as np
import pytest
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn import metrics as m
from sklearn.linear_model import LogisticRegression

from conftest import BACKENDS, BINARY, Backend, StewardServer, start_server
from loopback import LoopbackServer
from test_deployments import ModelServer

FEATURES = np.array([[0.0, 0.0], [1.0, 1.0], [0.2, 0.1], [0.9, 0.8], [0.1, 0.3], [0.7, 0.9], [0.0, 0.4], [1.0, 0.6]] * 4)
LABELS = (FEATURES.sum(axis=1) > 1).astype(int)

USERS = {"carol": "contributor", "rita": "reviewer", "cora": "compliance", "vic": "viewer"}
# What a first version of a high-tier model lacks (staged_rollout holds for a first release: no champion to stage it against).
HIGH_CONTROLS = {
    "model_card", "monitoring_configured",
    "evaluation_gate_passed", "human_review",
    "bias_testing_gate_passed", "explainability_artifact", "regulatory_review",
}
VERSION_EVIDENCE = ["explainability"]
CREDIT_GATE = "name: credit\nconditions:\n  - roc_auc >= 0.6\n  - fairness.sex.dp_ratio >= 0.5\n"
CREDIT = {"domain": "credit", "customer_facing": True, "autonomous_actions": False, "safety_critical": False, "personal_data": True}


@dataclass
class Governed:
    """A server with `--auth on` and a token for the admin and for each user in USERS."""

    server: StewardServer
    tokens: dict

    def call(self, user, method, path, **kwargs):
        """A native request as `user` (None: no credentials)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        headers.update(kwargs.pop("headers", {}))
        return requests.request(method, self.server.url + path, headers=headers, timeout=60, **kwargs)


def ok(response):
    assert response.status_code in (200, 201), f"{response.request.method} {response.url}: {response.status_code} {response.text}"
    return response.json()


def refused(response, status=403, code="PERMISSION_DENIED"):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.status_code} {response.text}"
    assert response.json()["error_code"] == code
    return response.json()["message"]


def steward_cli(data, store, *args):
    return subprocess.run([BINARY, *args, "--data", data] + (["--store", store] if store else []), capture_output=True, text=True, timeout=120)


def start_governed(backend, name="governed", extra_args=()):
    """Creates the first admin with the CLI, starts the server with auth on, and creates the other users over HTTP."""
    data, store = backend.data_dir(name), backend.store_url()
    os.makedirs(data, exist_ok=True)
    created = steward_cli(data, store, "users", "create", "root-admin", "--role", "admin")
    assert created.returncode == 0, created.stderr
    admin = [line for line in created.stdout.splitlines() if line.strip()][-1].strip()
    server = start_server(data, store, extra_args=["--auth", "on", *extra_args])
    try:
        governed = Governed(server, {"root-admin": admin})
        for user, role in USERS.items():
            body = ok(governed.call("root-admin", "POST", "/api/v1/users", json={"name": user, "role": role}))
            assert body["user"]["name"] == user and body["user"]["role"] == role
            governed.tokens[user] = body["token"]
        return governed
    except BaseException:
        server.process.kill()
        raise


@pytest.fixture(scope="module", params=BACKENDS)
def governed(request):
    backend = Backend(request.param)
    governed = start_governed(backend, extra_args=["--allow-endpoint-host", "127.0.0.1", "--analysis-interval", "0"])
    yield governed
    code = governed.server.stop()
    backend.cleanup()
    assert code == 0, f"steward did not shut down cleanly (exit {code}):\n{governed.server.log()}"


@pytest.fixture()
def login(governed, monkeypatch):
    """Points the mlflow client at the governed server; `login(user)` switches who it speaks as (Basic, token as password)."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", governed.server.url)
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    mlflow.set_tracking_uri(governed.server.url)

    def as_user(user):
        monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", user)
        monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", governed.tokens[user])

    yield as_user
    while mlflow.active_run():
        mlflow.end_run()


def train_and_register(name, c):
    with mlflow.start_run():
        model = LogisticRegression(C=c).fit(FEATURES, LABELS)
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=name, input_example=FEATURES[:2])
    return str(info.registered_model_version)


def create_system(governed, user, name, model=None):
    system = ok(governed.call(user, "POST", "/api/v1/systems", json={
        "name": name, "purpose": "Scores consumer credit applications", "out_of_scope_uses": ["employment decisions"],
        "business_owner": "carol", "technical_owner": "carol", "status": "development",
        "data_sources": [{"name": "applications", "kind": "table", "personal_data": True}],
        "known_limitations": ["thin-file applicants"], "review_due": "2027-06-30", "questionnaire": CREDIT,
    }))["system"]
    if model:
        ok(governed.call(user, "POST", f"/api/v1/systems/{system['id']}/models", json={"name": model, "kind": "model"}))
    return system


def add_evidence(governed, user, system_id, kind, model=None, version=None):
    body = {"type": kind, "reference": f"s3://evidence/{system_id}/{kind}-{version or 'system'}.html",
            "digest": hashlib.sha256(f"{kind} {model} {version}".encode()).hexdigest()}
    if model:
        body |= {"model": model, "version": version}
    evidence = ok(governed.call(user, "POST", f"/api/v1/systems/{system_id}/evidence", json=body))["evidence"]
    assert evidence["author"] == user and evidence["id"]
    return evidence


def evaluate(governed, user, system_id, model, version, threshold=0.5):
    """Scores the registered version on the test set and posts the predictions to Steward, which runs the gate."""
    scores = mlflow.sklearn.load_model(f"models:/{model}/{version}").predict_proba(FEATURES)[:, 1]
    rows = ["label,score,sex"] + [f"{label},{float(score)!r},{'fm'[(index // 2) % 2]}" for index, (label, score) in enumerate(zip(LABELS, scores))]
    params = {"system": system_id, "model": model, "version": version, "task": "binary", "label": "label", "score": "score",
              "sensitive": "sex", "threshold": threshold, "name": "credit-holdout"}
    response = governed.call(user, "POST", "/api/v1/evaluations", params=params, data="\n".join(rows) + "\n")
    return ok(response)["evaluation"]


def satisfy_version(governed, system_id, model, version):
    """Everything a high-tier version needs besides system-level monitoring: card, a passing gate, evidence and both approvals."""
    ok(governed.call("carol", "PATCH", f"/api/v1/models/{model}/versions/{version}/card", json={"intended_use": "Credit decisions"}))
    assert evaluate(governed, "carol", system_id, model, version)["gate_passed"]
    for kind in VERSION_EVIDENCE:
        add_evidence(governed, "carol", system_id, kind, model, version)
    approval = ok(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/approvals",
                                json={"model": model, "version": version, "alias": "production"}))["approval"]
    for reviewer in ["rita", "cora"]:
        ok(governed.call(reviewer, "POST", f"/api/v1/approvals/{approval['id']}/decisions", json={"decision": "approve", "comment": "ok"}))
    return approval


def monitor(governed, system_id):
    """What the monitoring control observes: the training data as reference profile, and alert rules (a reviewer's)."""
    rows = "income,age,sex\n" + "".join(f"{a!r},{b!r},{'fm'[i % 2]}\n" for i, (a, b) in enumerate(FEATURES.tolist()))
    ok(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/datasets", params={"name": "training"}, data=rows))
    ok(governed.call("carol", "PUT", f"/api/v1/systems/{system_id}/reference", json={"dataset": "training"}))
    ok(governed.call("rita", "PUT", f"/api/v1/systems/{system_id}/alerts/rules", data="conditions: ['drift_share < 0.3', 'error_rate <= 0.05']"))


def controls(governed, system_id, model, version):
    return ok(governed.call("carol", "GET", f"/api/v1/systems/{system_id}/controls", params={"model": model, "version": version}))


def denied(call):
    """Runs an mlflow client call that must be refused, and returns the exception."""
    with pytest.raises(MlflowException) as caught:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            call()
    assert caught.value.error_code == "PERMISSION_DENIED", str(caught.value)
    return caught.value


def normalised(action):
    return re.sub(r"[^a-z]", "", action.lower())


def audit_verify(data, store):
    result = steward_cli(data, store, "audit", "verify")
    return result.returncode, result.stdout + result.stderr


def test_high_risk_credit_scoring_promotion(governed, login, unique, tmp_path):
    login("carol")
    client = MlflowClient()
    mlflow.set_experiment(f"credit-{unique}")
    name = f"credit-model-{unique}"

    system = create_system(governed, "carol", f"credit-scoring-{unique}")
    assert system["risk_tier"] == "high" and system["tier_source"] == "questionnaire"
    system_id = system["id"]
    assert train_and_register(name, 1.0) == "1"
    ok(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/models", json={"name": name, "kind": "model"}))
    assert name in [m["name"] for m in ok(governed.call("vic", "GET", f"/api/v1/systems/{system_id}"))["system"]["models"]]

    gaps = controls(governed, system_id, name, "1")
    assert gaps["tier"] == "high"
    assert set(gaps["missing"]) == HIGH_CONTROLS
    assert {c["name"] for c in gaps["controls"] if not c["satisfied"]} == HIGH_CONTROLS

    for attempt in [
        lambda: client.set_registered_model_alias(name, "production", "1"),
        lambda: client.transition_model_version_stage(name, "1", "Production"),
    ]:
        message = str(denied(attempt))
        for control in HIGH_CONTROLS:
            assert control in message, message
    message = refused(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/promote",
                                    json={"model": name, "version": "1", "alias": "production"}))
    for control in HIGH_CONTROLS:
        assert control in message, message
    assert client.get_registered_model(name).aliases == {}
    assert client.get_model_version(name, "1").current_stage == "None"

    ok(governed.call("carol", "PATCH", f"/api/v1/models/{name}/versions/1/card", json={"intended_use": "Credit decisions"}))
    refused(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/evidence", json={"type": "monitoring", "reference": "dashboards"}),
            400, "INVALID_PARAMETER_VALUE")
    monitor(governed, system_id)
    for kind in VERSION_EVIDENCE:
        add_evidence(governed, "carol", system_id, kind, name, "1")
    refused(governed.call("carol", "PUT", f"/api/v1/systems/{system_id}/gate", data=CREDIT_GATE))
    ok(governed.call("rita", "PUT", f"/api/v1/systems/{system_id}/gate", data=CREDIT_GATE))
    evaluation = evaluate(governed, "carol", system_id, name, "1")
    assert evaluation["gate_passed"] and evaluation["metrics"]["fairness.sex.f.selection_rate"] >= 0
    run = MlflowClient().get_run(evaluation["run_id"])
    assert run.data.metrics["roc_auc"] == pytest.approx(evaluation["metrics"]["roc_auc"])
    assert run.inputs.dataset_inputs[0].dataset.name == "credit-holdout"
    assert set(controls(governed, system_id, name, "1")["missing"]) == {"human_review", "regulatory_review"}

    approval = ok(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/approvals",
                                json={"model": name, "version": "1", "alias": "production"}))["approval"]
    decisions = f"/api/v1/approvals/{approval['id']}/decisions"
    refused(governed.call("carol", "POST", decisions, json={"decision": "approve", "comment": "my own model"}))
    refused(governed.call("vic", "POST", decisions, json={"decision": "approve", "comment": "looks fine"}))
    assert set(controls(governed, system_id, name, "1")["missing"]) == {"human_review", "regulatory_review"}
    ok(governed.call("rita", "POST", decisions, json={"decision": "approve", "comment": "reviewed"}))
    ok(governed.call("cora", "POST", decisions, json={"decision": "approve", "comment": "compliant"}))
    assert controls(governed, system_id, name, "1")["missing"] == []

    client.set_registered_model_alias(name, "production", "1")
    assert client.get_model_version_by_alias(name, "production").version == "1"

    assert train_and_register(name, 0.5) == "2"
    satisfy_version(governed, system_id, name, "2")
    # Version 1 is in production, so version 2 must first win a canary against it: observed, and no record can say so.
    assert controls(governed, system_id, name, "2")["missing"] == ["staged_rollout"]
    refused(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/evidence",
                          json={"type": "staged_rollout", "reference": "ci/canary", "model": name, "version": "2"}), 400, "INVALID_PARAMETER_VALUE")
    assert "staged_rollout" in refused(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/promote",
                                                     json={"model": name, "version": "2", "alias": "production"}))
    servers = [ModelServer(v, governed.server.url, governed.tokens["carol"], str(tmp_path), model=name) for v in ("1", "2")]
    try:
        for server in servers:
            server.wait()
        arms = [{"model": name, "version": v, "endpoint": server.url, "weight": 50} for v, server in zip(("1", "2"), servers)]
        canary = ok(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/deployments", json={
            "mode": "canary", "arms": arms, "analysis": {"steps": [50, 100], "minimum_units": 100, "max_latency_ratio": 1000}}))["deployment"]
        # The policy counts a win decided on at least 100 units a step; 300 units split 50/50 give each arm ~150.
        for i in range(300):
            row = {"dataframe_split": {"columns": ["0", "1"], "data": [[float(x) for x in FEATURES[i % len(FEATURES)]]]}}
            served = governed.call("carol", "POST", f"/serve/{system_id}/invocations", json=row, headers={"X-Steward-Unit": f"applicant-{i}"})
            assert served.status_code == 200, served.text
        # The analysis finds the challenger no worse and graduates it through the promotion decision.
        graduated = ok(governed.call("carol", "POST", f"/api/v1/deployments/{canary['id']}/analysis"))["deployment"]
        assert (graduated["state"], graduated["won_arm"]) == ("graduated", "challenger"), graduated
    finally:
        for server in servers:
            server.stop()
    assert controls(governed, system_id, name, "2")["missing"] == []
    assert client.get_model_version_by_alias(name, "production").version == "2"

    rolled = ok(governed.call("rita", "POST", f"/api/v1/systems/{system_id}/rollback", json={"model": name, "alias": "production"}))
    assert (str(rolled["from_version"]), str(rolled["to_version"])) == ("2", "1")
    assert client.get_model_version_by_alias(name, "production").version == "1"

    login("rita")
    assert train_and_register(name, 0.25) == "3"
    own = ok(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/approvals",
                           json={"model": name, "version": "3", "alias": "production"}))["approval"]
    message = refused(governed.call("rita", "POST", f"/api/v1/approvals/{own['id']}/decisions", json={"decision": "approve"}))
    assert "may not approve" in message, message
    assert "human_review" in controls(governed, system_id, name, "3")["missing"]

    refused(governed.call("vic", "GET", "/api/v1/audit", params={"system": system_id}))
    events = sorted(ok(governed.call("cora", "GET", "/api/v1/audit", params={"system": system_id}))["events"], key=lambda e: e["sequence"])
    assert all(e["system_id"] == system_id for e in events)
    outcomes = [(normalised(e["action"]), e["outcome"]) for e in events]
    assert any("promot" in action and outcome == "refused" for action, outcome in outcomes), outcomes
    assert any("promot" in action and outcome == "allowed" for action, outcome in outcomes), outcomes
    assert sum("evidence" in action and outcome == "allowed" for action, outcome in outcomes) >= 2 * len(VERSION_EVIDENCE), outcomes
    assert {"carol", "rita", "cora"} <= {e["actor"] for e in events if "approv" in normalised(e["action"]) and e["outcome"] == "allowed"}
    assert any("rollback" in action and outcome == "allowed" for action, outcome in outcomes), outcomes
    assert any(e["actor"] == "rita" and "rollback" in normalised(e["action"]) for e in events)

    chain = sorted(ok(governed.call("cora", "GET", "/api/v1/audit"))["events"], key=lambda e: e["sequence"])
    assert len(chain) >= len(events)
    for previous, event in zip(chain, chain[1:]):
        assert event["sequence"] == previous["sequence"] + 1
        assert event["prev_hash"] == previous["hash"], event["sequence"]

    code, output = audit_verify(governed.server.data, governed.server.store)
    assert code == 0, output
    verified = re.search(r"verified (\d+) events", output)
    assert verified and int(verified.group(1)) >= len(chain), output

    listed = steward_cli(governed.server.data, governed.server.store, "systems", "list")
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split("\t") == ["ID", "NAME", "TIER", "MATURITY", "CONTROLS BY MODEL AND TARGET"]
    assert any(row.split("\t")[0] == system["id"] and row.split("\t")[2] == "high" for row in rows), listed.stdout


def test_model_in_no_system_cannot_reach_a_protected_alias(governed, login, unique):
    login("carol")
    client = MlflowClient()
    mlflow.set_experiment(f"loose-{unique}")
    name = f"loose-{unique}"
    assert train_and_register(name, 1.0) == "1"

    denied(lambda: client.set_registered_model_alias(name, "production", "1"))
    denied(lambda: client.set_registered_model_alias(name, "champion", "1"))
    denied(lambda: client.transition_model_version_stage(name, "1", "Production"))
    system = create_system(governed, "carol", f"other-{unique}")
    response = governed.call("carol", "POST", f"/api/v1/systems/{system['id']}/promote", json={"model": name, "version": "1", "alias": "production"})
    assert response.status_code in (400, 403), response.text
    assert response.json()["error_code"] in ("INVALID_PARAMETER_VALUE", "PERMISSION_DENIED")
    assert client.get_registered_model(name).aliases == {}

    client.set_registered_model_alias(name, "candidate", "1")
    assert client.get_model_version_by_alias(name, "candidate").version == "1"
    assert client.get_registered_model(name).aliases == {"candidate": "1"}


def tamper(store, data, sql):
    """Changes the audit table behind the server's back, dropping any guard trigger first as an attacker with the database could."""
    if store:
        done = subprocess.run(["psql", store, "-v", "ON_ERROR_STOP=1", "-c", f"ALTER TABLE audit_events DISABLE TRIGGER USER; {sql}"],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert re.search(r"^(UPDATE|DELETE) 1$", done.stdout, re.M), done.stdout
        return
    with closing(sqlite3.connect(os.path.join(data, "steward.sqlite"))) as db:
        triggers = db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'").fetchall()
        for (trigger,) in triggers:
            db.execute(f'DROP TRIGGER "{trigger}"')
        assert db.execute(sql).rowcount == 1
        db.commit()


@pytest.mark.parametrize("change, named", [
    ("UPDATE audit_events SET actor = 'mallory' WHERE sequence = 2", r"event\s+#?2\b"),
    ("DELETE FROM audit_events WHERE sequence = 3", r"event\s+#?[34]\b"),
], ids=["update", "delete"])
@pytest.mark.parametrize("engine", BACKENDS)
def test_audit_tampering_is_detected(engine, change, named, unique):
    backend = Backend(engine)
    try:
        governed = start_governed(backend, "tampered")
        try:
            system = create_system(governed, "carol", f"tampered-{unique}")
            for kind in ["continuous_audit", "human_in_the_loop", "continuous_audit"]:
                add_evidence(governed, "carol", system["id"], kind)
            ok(governed.call("cora", "POST", f"/api/v1/systems/{system['id']}/tier", json={"tier": "critical", "rationale": "Board decision"}))
            assert len(ok(governed.call("cora", "GET", "/api/v1/audit"))["events"]) >= 5
        finally:
            assert governed.server.stop() == 0, governed.server.log()
        data, store = governed.server.data, governed.server.store

        code, output = audit_verify(data, store)
        assert code == 0, output
        tamper(store, data, change)
        code, output = audit_verify(data, store)
        assert code != 0, output
        assert re.search(named, output, re.I), output
    finally:
        backend.cleanup()


def test_auth_required(governed, login, monkeypatch, unique):
    url = governed.server.url
    for path in ["/api/2.0/mlflow/experiments/search", "/api/v1/systems"]:
        refused(requests.get(url + path, params={"max_results": 10}, timeout=60), 401, "UNAUTHENTICATED")
        refused(requests.get(url + path, headers={"Authorization": "Bearer stw_not_a_real_token"}, timeout=60), 401, "UNAUTHENTICATED")
    refused(requests.get(url + "/api/v1/systems", auth=("carol", "stw_not_a_real_token"), timeout=60), 401, "UNAUTHENTICATED")
    refused(requests.get(url + "/api/v1/systems", auth=("vic", governed.tokens["carol"]), timeout=60), 401, "UNAUTHENTICATED")
    refused(governed.call("vic", "POST", "/api/2.0/mlflow/experiments/create", json={"name": f"viewer-{unique}"}))
    refused(governed.call("carol", "GET", "/api/v1/users"))
    assert requests.get(url + "/health", timeout=60).status_code == 200
    assert requests.get(url + "/version", timeout=60).status_code == 200

    me = ok(governed.call("carol", "GET", "/api/v1/whoami"))["user"]
    assert (me["name"], me["role"], me["authenticated"]) == ("carol", "contributor", True)
    basic = requests.get(url + "/api/v1/whoami", auth=("rita", governed.tokens["rita"]), timeout=60)
    assert ok(basic)["user"]["name"] == "rita"

    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", governed.tokens["carol"])
    experiment_id = MlflowClient().create_experiment(f"token-{unique}")
    mlflow.set_experiment(experiment_id=experiment_id)
    with mlflow.start_run() as run:
        mlflow.log_metric("auc", 0.91)
    assert MlflowClient().get_run(run.info.run_id).data.metrics == {"auc": 0.91}


def test_revoked_token_stops_the_mlflow_client(governed, monkeypatch, unique):
    """A token issued over HTTP works for the real mlflow client until its owner revokes it; then the same client
    gets 401 at once. The owner lists tokens by id (never the tokens) and may revoke only its own."""
    url = governed.server.url
    issued = ok(governed.call("carol", "POST", "/api/v1/users/carol/tokens", json={"label": f"ci-{unique}", "expires_in_days": 7}))
    token, token_id = issued["token"], issued["token_info"]["id"]
    assert issued["token_info"]["expires_at"] - issued["token_info"]["created_at"] == 7 * 86_400_000
    listed = ok(governed.call("carol", "GET", "/api/v1/users/carol/tokens"))["tokens"]
    assert [t["id"] for t in listed if t["label"] == f"ci-{unique}"] == [token_id]
    assert all("token" not in t and "token_digest" not in t for t in listed)

    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    client = MlflowClient(url)
    experiment_id = client.create_experiment(f"revoked-{unique}")

    refused(governed.call("vic", "DELETE", f"/api/v1/users/carol/tokens/{token_id}"))
    ok(governed.call("carol", "DELETE", f"/api/v1/users/carol/tokens/{token_id}"))
    with pytest.raises(MlflowException) as error:
        client.get_experiment(experiment_id)
    assert "401" in str(error.value) or "UNAUTHENTICATED" in str(error.value) or "Unauthorized" in str(error.value)
    refused(requests.get(url + "/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}, timeout=60), 401, "UNAUTHENTICATED")
    # The owner's other token still works; the revocation is in the audit log.
    assert ok(governed.call("carol", "GET", "/api/v1/whoami"))["user"]["name"] == "carol"
    events = ok(governed.call("root-admin", "GET", "/api/v1/audit", params={"actor": "carol"}))["events"]
    assert any(e["action"] == "token.revoke" and e["details"].get("token") == token_id for e in events)


def test_failing_gate_blocks_promotion_of_a_medium_tier_model(governed, login, unique):
    login("carol")
    client = MlflowClient()
    mlflow.set_experiment(f"churn-{unique}")
    name = f"churn-{unique}"
    system = ok(governed.call("carol", "POST", "/api/v1/systems", json={
        "name": f"churn-{unique}", "purpose": "Flags customers likely to leave", "questionnaire": {"customer_facing": True}}))["system"]
    assert system["risk_tier"] == "medium"
    system_id = system["id"]
    assert train_and_register(name, 1.0) == "1"
    ok(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/models", json={"name": name}))
    ok(governed.call("carol", "PATCH", f"/api/v1/models/{name}/versions/1/card", json={"intended_use": "Retention offers"}))
    monitor(governed, system_id)
    approval = ok(governed.call("carol", "POST", f"/api/v1/systems/{system_id}/approvals", json={"model": name, "version": "1"}))["approval"]
    ok(governed.call("rita", "POST", f"/api/v1/approvals/{approval['id']}/decisions", json={"decision": "approve"}))

    ok(governed.call("rita", "PUT", f"/api/v1/systems/{system_id}/gate", data="conditions: ['brier <= 0.0001', 'roc_auc >= 0.5']"))
    failed = evaluate(governed, "carol", system_id, name, "1")
    assert not failed["gate_passed"]
    assert [c["outcome"] for c in failed["gate"]["conditions"]] == ["failed", "passed"]
    message = str(denied(lambda: client.set_registered_model_alias(name, "production", "1")))
    assert "evaluation_gate_passed" in message and "human_review" not in message, message

    gate = ok(governed.call("rita", "PUT", f"/api/v1/systems/{system_id}/gate", data="conditions: ['brier <= 0.1', 'roc_auc >= 0.5']"))["gate"]
    assert gate["version"] == 2
    passed = evaluate(governed, "carol", system_id, name, "1")
    assert passed["gate_passed"] and passed["gate_version"] == 2
    client.set_registered_model_alias(name, "production", "1")
    assert client.get_model_version_by_alias(name, "production").version == "1"

    events = ok(governed.call("cora", "GET", "/api/v1/audit", params={"system": system_id}))["events"]
    gates = [e["details"]["gate"] for e in events if e["action"] == "evaluation"]
    assert gates == ["failed", "passed"]
    assert [e["outcome"] for e in events if e["action"] == "promotion"] == ["refused", "allowed"]
    card = ok(governed.call("vic", "GET", f"/api/v1/models/{name}/versions/1/card"))["model_card"]
    assert card["evaluation"]["gate_passed"] is True and card["evaluation"]["id"] == passed["id"]
    markdown = governed.call("vic", "GET", f"/api/v1/models/{name}/versions/1/card", params={"format": "markdown"}).text
    assert "## Evaluation gate" in markdown and "brier <= 0.1" in markdown


def test_example_churn_gate_runs(governed):
    """examples/churn_gate.py, the seed's companion notebook as a script: one model promoted, a weak one refused."""
    env = dict(os.environ, STEWARD_URL=governed.server.url, STEWARD_CONTRIBUTOR_TOKEN=governed.tokens["carol"],
               STEWARD_REVIEWER_TOKEN=governed.tokens["rita"])
    for name in ["MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_URI"]:
        env.pop(name, None)
    example = os.path.join(os.path.dirname(__file__), "..", "examples", "churn_gate.py")
    result = subprocess.run([sys.executable, example], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "promoted to production" in result.stdout and "refused" in result.stdout and "production still serves version 1" in result.stdout


def test_registered_test_sets_are_immutable_and_versioned(governed, login, unique):
    login("carol")
    mlflow.set_experiment(f"sets-{unique}")
    name = f"sets-{unique}"
    system = create_system(governed, "carol", f"sets-{unique}")
    assert train_and_register(name, 1.0) == "1"
    ok(governed.call("carol", "POST", f"/api/v1/systems/{system['id']}/models", json={"name": name}))
    scores = mlflow.sklearn.load_model(f"models:/{name}/1").predict_proba(FEATURES)[:, 1]
    body = "label,score,sex\n" + "".join(f"{y},{float(p)!r},{'fm'[(i // 2) % 2]}\n" for i, (y, p) in enumerate(zip(LABELS, scores)))
    path = f"/api/v1/systems/{system['id']}/datasets"
    first = ok(governed.call("carol", "POST", path, params={"name": "holdout"}, data=body))["dataset"]
    assert (first["version"], first["rows"], first["digest"]) == ("1", len(LABELS), hashlib.sha256(body.encode()).hexdigest())
    assert first["columns"] == [{"name": "label", "type": "integer"}, {"name": "score", "type": "double"}, {"name": "sex", "type": "string"}]
    assert ok(governed.call("carol", "POST", path, params={"name": "holdout"}, data=body))["dataset"]["version"] == "1"
    second = ok(governed.call("carol", "POST", path, params={"name": "holdout"}, data=body + f"1,0.9,f\n"))["dataset"]
    assert second["version"] == "2" and second["rows"] == len(LABELS) + 1
    refused(governed.call("vic", "POST", path, params={"name": "holdout"}, data=body))
    refused(governed.call("carol", "POST", path, params={"name": "bad"}, data="label\n"), 400, "INVALID_PARAMETER_VALUE")

    params = {"system": system["id"], "model": name, "version": "1", "task": "binary", "label": "label", "score": "score",
              "dataset": "holdout", "dataset_version": "1"}
    evaluation = ok(governed.call("carol", "POST", "/api/v1/evaluations", params=params))["evaluation"]
    assert evaluation["dataset_digest"] == first["digest"] and evaluation["rows"] == len(LABELS)
    run = MlflowClient().get_run(evaluation["run_id"])
    assert run.inputs.dataset_inputs[0].dataset.name == "holdout@v1"
    missing = governed.call("carol", "POST", "/api/v1/evaluations", params=params | {"dataset_version": "9"})
    assert missing.status_code == 404

    # The CI form: `steward evaluate --server` records the evaluation and exits 1 when the system's gate fails.
    test_set = os.path.join(governed.server.data, f"holdout-{unique}.csv")
    with open(test_set, "w") as out:
        out.write(body)
    command = [BINARY, "evaluate", "--server", governed.server.url, "--system", system["id"], "--model", name, "--model-version", "1",
               "--task", "binary", "--data", test_set, "--label", "label", "--score", "score", "--token", governed.tokens["carol"]]
    printed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    assert "roc_auc" in printed.stdout and "Recorded evaluation evl-" in printed.stdout, printed.stdout
    command.append("--json")
    recorded = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert recorded.returncode == 0, recorded.stderr
    assert json.loads(recorded.stdout)["run_id"]
    ok(governed.call("rita", "PUT", f"/api/v1/systems/{system['id']}/gate", data="conditions: ['brier <= 0.00001']"))
    gated = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert gated.returncode == 1 and json.loads(gated.stdout)["gate_passed"] is False

    # `steward gate check --server`: metrics computed offline are recorded as a reported evaluation and the
    # system's gate decides on them.
    metrics_path = os.path.join(governed.server.data, f"metrics-{unique}.json")
    check = [BINARY, "gate", "check", "--server", governed.server.url, "--system", system["id"], "--model", name, "--model-version", "1",
             "--task", "binary", "--metrics", metrics_path, "--token", governed.tokens["carol"]]
    with open(metrics_path, "w") as out:
        json.dump({"brier": 0.000001, "roc_auc": 0.91, "rows": 1200}, out)
    reported = subprocess.run(check, capture_output=True, text=True, timeout=120)
    assert reported.returncode == 0, reported.stdout + reported.stderr
    assert "brier <= 0.00001" in reported.stdout and "PASSED" in reported.stdout
    with open(metrics_path, "w") as out:
        json.dump({"brier": 0.2, "roc_auc": 0.91}, out)
    failing = subprocess.run(check + ["--json"], capture_output=True, text=True, timeout=120)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    recorded_failure = json.loads(failing.stdout)
    assert recorded_failure["gate_passed"] is False and recorded_failure["dataset_name"] == f"metrics-{unique}.json"
    run = MlflowClient().get_run(recorded_failure["run_id"])
    assert run.data.params["metrics_source"] == "reported" and run.data.metrics["brier"] == 0.2
    events = ok(governed.call("cora", "GET", "/api/v1/audit", params={"system": system["id"]}))["events"]
    assert [e["details"].get("metrics_source") for e in events if e["action"] == "evaluation"][-2:] == ["reported", "reported"]
    with open(metrics_path, "w") as out:
        json.dump({"brier": "low"}, out)
    refused_metrics = subprocess.run(check, capture_output=True, text=True, timeout=120)
    assert refused_metrics.returncode == 1 and "not a finite number" in refused_metrics.stderr
    viewer = subprocess.run(check[:-1] + [governed.tokens["vic"]], capture_output=True, text=True, timeout=120)
    assert viewer.returncode == 1 and viewer.stdout == ""


class PyfuncStandIn(LoopbackServer):
    """A served scikit-learn model speaking MLflow's pyfunc scoring protocol on loopback: POST /invocations with
    {"dataframe_split": {"columns", "data"}}, answer {"predictions": [...]}; counts the calls it gets."""

    def __init__(self, model):
        self.model = model
        self.calls = 0
        super().__init__()
        self.url = f"{self.base_url}/invocations"

    def answer(self, path, headers, body):
        self.calls += 1
        rows = np.array(json.loads(body)["dataframe_split"]["data"], dtype=float)
        return self.json_reply({"predictions": self.model.predict_proba(rows)[:, 1].tolist()})


class ChatJudgeStandIn(LoopbackServer):
    """An OpenAI-compatible chat-completions endpoint on loopback that grades 0.9 when the output contains the
    reference and 0.1 otherwise, keeping the requests it got."""

    def __init__(self):
        self.requests = []
        super().__init__()
        self.url = f"{self.base_url}/v1/chat/completions"

    def answer(self, path, headers, body):
        request = json.loads(body)
        self.requests.append(request)
        user = request["messages"][1]["content"]
        reference = re.search(r"Reference:\n(.*)\n\nOutput:", user, re.S).group(1)
        output = user.split("Output:\n", 1)[1]
        grade = "0.9" if reference in output else "0.1"
        return self.json_reply({"id": "chatcmpl-1", "object": "chat.completion", "model": request["model"],
                                "choices": [{"index": 0, "message": {"role": "assistant", "content": f"Score: {grade}"},
                                             "finish_reason": "stop"}]})


@pytest.mark.parametrize("engine", BACKENDS)
def test_evaluation_through_a_model_endpoint(engine, governed, unique, monkeypatch):
    """Steward calls a served model in batches only when an administrator allowed its host, and times the calls."""
    model = LogisticRegression().fit(FEATURES, LABELS)
    stand_in = PyfuncStandIn(model)
    backend = Backend(engine)
    try:
        allowed = start_governed(backend, "endpoint", extra_args=["--allow-endpoint-host", "127.0.0.1"])
        try:
            monkeypatch.setenv("MLFLOW_TRACKING_URI", allowed.server.url)
            monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", allowed.tokens["carol"])
            mlflow.set_tracking_uri(allowed.server.url)
            mlflow.set_experiment(f"endpoint-{unique}")
            name = f"served-{unique}"
            assert train_and_register(name, 1.0) == "1"
            system = create_system(allowed, "carol", f"served-{unique}", model=name)
            body = "x1,x2,label\n" + "".join(f"{a!r},{b!r},{y}\n" for (a, b), y in zip(FEATURES.tolist(), LABELS))
            ok(allowed.call("carol", "POST", f"/api/v1/systems/{system['id']}/datasets", params={"name": "holdout"}, data=body))
            params = {"system": system["id"], "model": name, "version": "1", "task": "binary", "label": "label", "dataset": "holdout",
                      "endpoint": stand_in.url, "feature": ["x1", "x2"], "output": "score", "batch": "10"}
            evaluation = ok(allowed.call("carol", "POST", "/api/v1/evaluations", params=params))["evaluation"]
            assert stand_in.calls == 4, "32 rows in batches of 10"
            expected = m.roc_auc_score(LABELS, model.predict_proba(FEATURES)[:, 1])
            assert evaluation["metrics"]["roc_auc"] == pytest.approx(expected, rel=1e-9)
            assert evaluation["metrics"]["latency_p95_ms"] > 0
            elsewhere = allowed.call("carol", "POST", "/api/v1/evaluations", params=params | {"endpoint": "http://169.254.169.254/latest"})
            assert elsewhere.status_code == 403 and "allow-endpoint-host" in elsewhere.json()["message"]

            # An LLM judge behind an OpenAI-compatible chat endpoint (a stand-in here) grades text outputs by a rubric.
            judge = ChatJudgeStandIn()
            try:
                answers = '{"reference": "Paris", "output": "The capital is Paris."}\n{"reference": "Rome", "output": "Milan"}\n'
                text_params = {"system": system["id"], "model": name, "version": "1", "task": "text", "label": "reference",
                               "prediction": "output", "format": "jsonl", "judge": judge.url, "judge_model": "grader-1",
                               "rubric": "Full marks when the output names the reference city."}
                judged = ok(allowed.call("carol", "POST", "/api/v1/evaluations", params=text_params, data=answers))["evaluation"]
                assert judged["metrics"]["judge_score"] == pytest.approx((0.9 + 0.1) / 2)
                assert judged["metrics"]["judge_score_min"] == pytest.approx(0.1) and judged["metrics"]["judge_pass_rate"] == 0.5
                assert judged["metrics"]["contains"] == 0.5
                assert [r["model"] for r in judge.requests] == ["grader-1", "grader-1"] and judge.requests[0]["temperature"] == 0
                assert "names the reference city" in judge.requests[0]["messages"][0]["content"]
            finally:
                judge.close()
        finally:
            allowed.server.stop()
    finally:
        backend.cleanup()
        stand_in.close()
    # The shared server allows 127.0.0.1 (for its deployments), not the name 'localhost'.
    refused_here = governed.call("carol", "POST", "/api/v1/evaluations",
                                 params=params | {"endpoint": stand_in.url.replace("127.0.0.1", "localhost")})
    assert refused_here.status_code == 403 and stand_in.calls == 4, "a server without the host allowed never calls it"


def low_tier_production(governed, name, unique):
    """A low-tier system whose model `name` (trained and registered by carol) is at production legitimately."""
    system = ok(governed.call("carol", "POST", "/api/v1/systems", json={"name": f"{name}-system", "purpose": "Ranks offers"}))["system"]
    assert system["risk_tier"] == "low"
    assert train_and_register(name, 1.0) == "1"
    ok(governed.call("carol", "POST", f"/api/v1/systems/{system['id']}/models", json={"name": name}))
    ok(governed.call("carol", "PATCH", f"/api/v1/models/{name}/versions/1/card", json={"intended_use": "Offer ranking"}))
    monitor(governed, system["id"])
    MlflowClient().set_registered_model_alias(name, "production", "1")
    return system["id"]


def test_an_approved_version_is_what_is_served(governed, login, unique):
    """Attack: overwrite, add or delete a file of the version at production through the artifact proxy."""
    login("carol")
    mlflow.set_experiment(f"immutable-{unique}")
    name = f"immutable-{unique}"
    system_id = low_tier_production(governed, name, unique)
    client = MlflowClient()
    version = client.get_model_version(name, "1")
    assert version.source.startswith("models:/m-"), version.source
    logged = client.get_logged_model(version.source.removeprefix("models:/"))
    expected = mlflow.sklearn.load_model(f"models:/{name}@production").predict_proba(FEATURES)

    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    login("rita")  # another user than the author, with write access
    repository = get_artifact_repository(logged.artifact_location)
    evil = os.path.join(governed.server.data, f"model-{unique}.skops")
    with open(evil, "wb") as out:
        out.write(b"not the reviewed weights")
    for attempt in [lambda: repository.log_artifact(evil), lambda: repository.delete_artifacts("MLmodel")]:
        with pytest.raises(Exception) as caught:
            attempt()
        assert "403" in str(caught.value) or "PERMISSION_DENIED" in str(caught.value), str(caught.value)
    path = logged.artifact_location.split("mlflow-artifacts:/", 1)[1]
    put = governed.call("rita", "PUT", f"/api/2.0/mlflow-artifacts/artifacts/{path}/model.skops", data=b"evil")
    assert "immutable" in refused(put)
    assert np.allclose(mlflow.sklearn.load_model(f"models:/{name}@production").predict_proba(FEATURES), expected)
    events = ok(governed.call("cora", "GET", "/api/v1/audit", params={"system": system_id}))["events"]
    assert sum(e["action"] in ("artifact.write", "artifact.delete") and e["outcome"] == "refused" for e in events) == 3

    card = ok(governed.call("vic", "GET", f"/api/v1/models/{name}/versions/1/card"))["model_card"]
    digest = card["model_details"]["content_digest"]
    assert digest.startswith("sha256:")
    promotion = [e for e in events if e["action"] == "promotion" and e["outcome"] == "allowed"][-1]
    assert promotion["details"]["content_digest"] == digest

    # Changed behind the server's back (on its disk): loading the version is refused, naming the change.
    stored = os.path.join(governed.server.data, "artifacts", path, "model.skops")
    original = open(stored, "rb").read()
    try:
        with open(stored, "wb") as out:
            out.write(b"tampered on disk")
        with pytest.raises(MlflowException) as caught:
            mlflow.sklearn.load_model(f"models:/{name}@production")
        assert caught.value.error_code == "DATA_LOSS" and "model.skops" in caught.value.message, caught.value.message
    finally:
        with open(stored, "wb") as out:
            out.write(original)
    assert np.allclose(mlflow.sklearn.load_model(f"models:/{name}@production").predict_proba(FEATURES), expected)


def test_a_rename_cannot_put_an_unreviewed_model_at_production(governed, login, unique):
    """Attack: rename the reviewed model away and one's own low-tier model into its name."""
    login("carol")
    mlflow.set_experiment(f"rename-{unique}")
    client = MlflowClient()
    name, evil = f"prod-model-{unique}", f"evil-{unique}"
    low_tier_production(governed, name, unique)
    low_tier_production(governed, evil, unique)
    served = client.get_model_version_by_alias(name, "production").run_id

    assert "production" in str(denied(lambda: client.rename_registered_model(name, f"{name}-old")))
    assert "production" in str(denied(lambda: client.rename_registered_model(evil, f"{name}-2")))
    denied(lambda: client.delete_registered_model(name))
    # Taking a model out of production is a reviewer's call; released, it is still renamed only by compliance.
    assert "reviewer" in str(denied(lambda: client.delete_registered_model_alias(evil, "production")))
    login("rita")
    client.delete_registered_model_alias(evil, "production")
    login("carol")
    denied(lambda: client.rename_registered_model(evil, f"{name}-2"))
    assert client.get_model_version_by_alias(name, "production").run_id == served

    login("cora")
    client.delete_registered_model_alias(name, "production")
    client.rename_registered_model(name, f"{name}-old")
    login("carol")
    denied(lambda: client.create_registered_model(name))
    with pytest.raises(MlflowException):
        client.get_registered_model(name)
