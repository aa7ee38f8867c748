"""From a training run to production through Steward's gate: train a scikit-learn model, log and register it with
the mlflow client, evaluate it on a held-out test set through Steward, and let the gate decide whether it may be
promoted — once with a good model (promoted), once with a weak one (refused, the champion stays).

Needs a running `steward serve` and two API tokens, one of a contributor (who trains) and one of a reviewer (who
sets the gate and approves):

    STEWARD_URL=http://127.0.0.1:5000 STEWARD_CONTRIBUTOR_TOKEN=stw_… STEWARD_REVIEWER_TOKEN=stw_… \\
        python examples/churn_gate.py

Prints one line per step and exits 0 when both outcomes are as expected.
"""

import hashlib
import os
import sys
import uuid

import mlflow
import numpy as np
import requests
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

URL = os.environ["STEWARD_URL"].rstrip("/")
CONTRIBUTOR = os.environ["STEWARD_CONTRIBUTOR_TOKEN"]
REVIEWER = os.environ["STEWARD_REVIEWER_TOKEN"]
SUFFIX = uuid.uuid4().hex[:8]
MODEL = f"churn-{SUFFIX}"


def api(token, method, path, **kwargs):
    response = requests.request(method, URL + path, headers={"Authorization": f"Bearer {token}"}, timeout=60, **kwargs)
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
    return response.json()


def customers(seed):
    """Synthetic customers: tenure, monthly charge, support calls, region; churn depends on the first three."""
    rng = np.random.default_rng(seed)
    n = 3000
    tenure = rng.integers(1, 72, n)
    charge = rng.normal(70, 20, n)
    calls = rng.poisson(1.5, n)
    region = rng.choice(["north", "south"], n)
    logit = -1.5 - 0.04 * tenure + 0.02 * (charge - 70) + 0.6 * calls
    churn = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return np.column_stack([tenure, charge, calls]), churn, region


def train_and_register(features, labels, shuffle):
    """Logs a run with the model and registers it; `shuffle` trains on permuted labels (a model that learnt nothing)."""
    if shuffle:
        labels = np.random.default_rng(3).permutation(labels)
    with mlflow.start_run(run_name="weak" if shuffle else "good"):
        model = LogisticRegression(max_iter=1000).fit(features, labels)
        mlflow.log_param("shuffled_labels", shuffle)
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=MODEL, input_example=features[:2])
    return model, str(info.registered_model_version)


def evaluate(system_id, model, version, features, labels, region):
    """Scores the held-out set and sends the predictions to Steward, which computes the metrics and runs the gate."""
    scores = model.predict_proba(features)[:, 1]
    rows = ["churned,p_churn,region"] + [f"{y},{float(p)!r},{r}" for y, p, r in zip(labels, scores, region)]
    body = "\n".join(rows) + "\n"
    params = {"system": system_id, "model": MODEL, "version": version, "task": "binary", "label": "churned", "score": "p_churn",
              "sensitive": "region", "name": "churn-holdout"}
    evaluation = api(CONTRIBUTOR, "POST", "/api/v1/evaluations", params=params, data=body)["evaluation"]
    assert evaluation["dataset_digest"] == hashlib.sha256(body.encode()).hexdigest()
    return evaluation


def monitor(system_id, features, region):
    """Monitoring as the medium tier needs it, which Steward observes rather than takes on trust: the training data as
    the reference profile drift is measured against, and alert rules (a reviewer's to set)."""
    rows = ["tenure,monthly_charge,support_calls,region"] + [f"{t},{c!r},{k},{r}" for (t, c, k), r in zip(features.tolist(), region)]
    api(CONTRIBUTOR, "POST", f"/api/v1/systems/{system_id}/datasets", params={"name": "churn-training"}, data="\n".join(rows) + "\n")
    api(CONTRIBUTOR, "PUT", f"/api/v1/systems/{system_id}/reference", json={"dataset": "churn-training"})
    api(REVIEWER, "PUT", f"/api/v1/systems/{system_id}/alerts/rules",
        data="window: 24h\nconditions:\n  - drift_share < 0.3\n  - error_rate <= 0.05\n  - latency_p95_ms <= 250\n")


def prepare(system_id, version):
    """What the medium tier asks for besides the gate: a card and a reviewer's approval. Its staged rollout is observed:
    a first release has no champion to stage it against, a later version must win a canary against it first."""
    api(CONTRIBUTOR, "PATCH", f"/api/v1/models/{MODEL}/versions/{version}/card", json={"intended_use": "Retention offers"})
    approval = api(CONTRIBUTOR, "POST", f"/api/v1/systems/{system_id}/approvals", json={"model": MODEL, "version": version})["approval"]
    api(REVIEWER, "POST", f"/api/v1/approvals/{approval['id']}/decisions", json={"decision": "approve", "comment": "looks right"})


def main():
    os.environ["MLFLOW_TRACKING_TOKEN"] = CONTRIBUTOR
    mlflow.set_tracking_uri(URL)
    mlflow.set_experiment(f"churn-{SUFFIX}")
    client = MlflowClient()
    features, labels, region = customers(42)
    train_x, test_x, train_y, test_y, train_region, test_region = train_test_split(features, labels, region, test_size=0.3, random_state=0)

    system = api(CONTRIBUTOR, "POST", "/api/v1/systems", json={
        "name": f"churn-{SUFFIX}", "purpose": "Pick customers for retention offers", "business_owner": "retention team",
        "questionnaire": {"customer_facing": True}})["system"]
    monitor(system["id"], train_x, train_region)
    print(f"system {system['id']} registered, risk tier {system['risk_tier']}, monitored against its training data")

    good, version = train_and_register(train_x, train_y, shuffle=False)
    api(CONTRIBUTOR, "POST", f"/api/v1/systems/{system['id']}/models", json={"name": MODEL})
    gate = "name: churn\nconditions:\n  - roc_auc >= 0.7\n  - fairness.region.dp_ratio >= 0.7\n  - roc_auc >= champion.roc_auc * 0.98\n"
    api(REVIEWER, "PUT", f"/api/v1/systems/{system['id']}/gate", data=gate)
    evaluation = evaluate(system["id"], good, version, test_x, test_y, test_region)
    print(f"version {version}: roc_auc {evaluation['metrics']['roc_auc']:.3f}, gate {'passed' if evaluation['gate_passed'] else 'failed'}")
    prepare(system["id"], version)
    client.set_registered_model_alias(MODEL, "production", version)
    print(f"version {version} promoted to production")

    weak, weak_version = train_and_register(train_x, train_y, shuffle=True)
    evaluation = evaluate(system["id"], weak, weak_version, test_x, test_y, test_region)
    print(f"version {weak_version}: roc_auc {evaluation['metrics']['roc_auc']:.3f}, gate {'passed' if evaluation['gate_passed'] else 'failed'}")
    prepare(system["id"], weak_version)
    try:
        client.set_registered_model_alias(MODEL, "production", weak_version)
    except MlflowException as refusal:
        print(f"version {weak_version} refused: {refusal.message}")
    else:
        sys.exit("the weak model was promoted")
    champion = client.get_model_version_by_alias(MODEL, "production").version
    print(f"production still serves version {champion}")
    if evaluation["gate_passed"] or champion != version:
        sys.exit("unexpected outcome")


if __name__ == "__main__":
    main()
