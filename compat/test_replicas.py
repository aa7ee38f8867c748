"""Three `steward serve` replicas on one PostgreSQL database and one S3 store (moto's server), under load from the real
mlflow client and from event producers spread across all three; one replica is killed with SIGKILL during the load and
restarted. Afterwards, on every replica: each acknowledged run, metric, param and artifact is there; each acknowledged
event is counted; the audit chain verifies; the alert fired once and its webhook notice was delivered once; no
scheduled alert evaluation ran twice; and the deployment router sends each unit to the same arm."""

import json
import os
import re
import signal
import threading
import time
import uuid

import mlflow
import numpy as np
import pytest
import requests
from mlflow.entities import Metric, Param
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

from conftest import POSTGRES_ADMIN_URL, Backend, start_server
from loopback import LoopbackServer
from moto_s3 import CREDENTIALS, MotoS3

pytestmark = pytest.mark.skipif(not POSTGRES_ADMIN_URL, reason="replicas share a PostgreSQL database (STEWARD_TEST_POSTGRES_URL)")

SECRET = "replica-test-secret"
MODEL = "replicated-model"
ALERT_INTERVAL_MS = 2000
# Every version may serve: what is under test is the router's agreement, not the policy.
POLICY = """
version: 1
protected_aliases: [production]
controls:
  evaluation_gate_passed: {check: gate, gate: all}
serving:
  challenger: []
tiers:
  low: []
  medium: []
  high: []
  critical: []
"""
RNG = np.random.default_rng(11)
FEATURES = RNG.normal(size=(200, 3))
LABELS = (FEATURES[:, 0] > 0).astype(int)


class Receiver(LoopbackServer):
    """A webhook receiver that keeps every notice with its delivery id."""

    def __init__(self):
        self.notices = []
        self.lock = threading.Lock()
        super().__init__()

    def answer(self, path, headers, body):
        with self.lock:
            self.notices.append((headers.get("X-Steward-Delivery"), json.loads(body)))
        return 204, {}, b""


class ScoringModel(LoopbackServer):
    """A model server speaking MLflow's pyfunc protocol."""

    def answer(self, path, headers, body):
        rows = json.loads(body)["dataframe_records"]
        return self.json_reply({"predictions": [0.5 for _ in rows]})


class Replicas:
    """Three servers on one store; `kill(i)` and `restart(i)` act on one of them."""

    def __init__(self, backend, s3):
        self.store = backend.store_url()
        self.args = ["--auth", "on", "--allow-endpoint-host", "127.0.0.1", "--alert-interval", f"{ALERT_INTERVAL_MS // 1000}s",
                     "--analysis-interval", "0", "--artifacts", f"s3://{s3.bucket}/steward", "--s3-endpoint", s3.endpoint]
        self.data = [backend.data_dir(f"replica-{index}") for index in range(3)]
        self.servers = [None, None, None]
        # The first replica makes the admin; the others start on a store that has users already.
        self.start(0)
        self.token = open(os.path.join(self.data[0], "admin-token")).read().strip()
        self.start(1)
        self.start(2)

    def start(self, index):
        os.makedirs(self.data[index], exist_ok=True)
        self.servers[index] = start_server(self.data[index], self.store, extra_args=self.args)

    def url(self, index):
        return self.servers[index].url

    def call(self, index, method, path, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, self.url(index) + path, headers=headers, timeout=60, **kwargs)

    def stop(self):
        codes = [server.stop() for server in self.servers if server]
        return codes


def ok(response):
    assert response.status_code in (200, 201), f"{response.request.method} {response.url}: {response.status_code} {response.text}"
    return response.json()


@pytest.fixture()
def cluster(monkeypatch, tmp_path):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("STEWARD_WEBHOOK_SECRET", SECRET)
    # A request to the killed replica fails at once instead of being retried for minutes.
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
    s3 = MotoS3("steward-replicas", str(tmp_path))
    backend = Backend("postgres")
    replicas = receiver = model = None
    try:
        replicas = Replicas(backend, s3)
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", replicas.token)
        receiver, model = Receiver(), ScoringModel()
        yield replicas, receiver, model, s3
        codes = replicas.stop()
        assert codes == [0, 0, 0], [server.log() for server in replicas.servers]
    finally:
        if replicas:
            for server in replicas.servers:
                if server:
                    server.stop(signal.SIGKILL)
        for stand_in in (receiver, model):
            if stand_in:
                stand_in.close()
        s3.stop()
        backend.cleanup()


def evaluations_counted(replicas, system_id):
    """steward_alerts_evaluations_total for the system, summed over the replicas (a killed one's count is lost)."""
    total = 0
    pattern = re.compile(r'^steward_alerts_evaluations_total\{system_id="' + re.escape(system_id) + r'"\} (\d+)', re.M)
    for index in range(3):
        exposition = replicas.call(index, "GET", "/metrics").text
        total += sum(int(found) for found in pattern.findall(exposition))
    return total


def test_replicas_under_load_with_one_killed(cluster):
    replicas, receiver, model, s3 = cluster

    # The system, its model (two versions, their artifacts in S3) and an A/B deployment, set up through different replicas.
    ok(replicas.call(0, "PUT", "/api/v1/policy", data=POLICY, headers={"Content-Type": "application/yaml"}))
    mlflow.set_tracking_uri(replicas.url(1))
    mlflow.set_experiment("replicated-training")
    for flip in (False, True):
        with mlflow.start_run():
            labels = 1 - LABELS if flip else LABELS
            mlflow.sklearn.log_model(LogisticRegression().fit(FEATURES, labels), name="model", registered_model_name=MODEL)
    system_id = ok(replicas.call(2, "POST", "/api/v1/systems", json={"name": "replicated", "purpose": "Scores", "models": [MODEL]}))["system"]["id"]
    ok(replicas.call(0, "POST", f"/api/v1/systems/{system_id}/promote", json={"model": MODEL, "version": "1", "alias": "production"}))
    endpoint = model.base_url + "/invocations"
    ok(replicas.call(1, "POST", f"/api/v1/systems/{system_id}/deployments", json={
        "mode": "ab", "arms": [{"model": MODEL, "version": version, "endpoint": endpoint, "weight": 50} for version in ("1", "2")]}))
    rules_at = int(time.time() * 1000)
    ok(replicas.call(2, "PUT", f"/api/v1/systems/{system_id}/alerts/rules",
                     data=f"window: 1h\nconditions: ['error_rate <= 0.1']\nwebhooks: [{receiver.base_url}/hook]\n"))

    # The load: mlflow clients and event producers on every replica, for twelve seconds; replica 1 dies at four and is
    # back at seven. Only what a replica acknowledged is recorded as written.
    stop = threading.Event()
    lock = threading.Lock()
    acknowledged = {"runs": {}, "events": 0, "failures": 0}
    experiment_id = MlflowClient(replicas.url(0)).create_experiment(f"replicated-load-{uuid.uuid4().hex[:8]}")

    def trainer(worker):
        index = worker % 3
        while not stop.is_set():
            client = MlflowClient(replicas.url(index))
            try:
                run_id = client.create_run(experiment_id).info.run_id
            except Exception:
                with lock:
                    acknowledged["failures"] += 1
                time.sleep(0.2)
                continue
            written = {"steps": [], "params": {}, "artifacts": {}}
            with lock:
                acknowledged["runs"][run_id] = written
            for step in range(20):
                if stop.is_set():
                    break
                try:
                    params = [Param("worker", str(worker))] if step == 0 else []
                    client.log_batch(run_id, metrics=[Metric("loss", 1.0 / (step + 1), int(time.time() * 1000), step)], params=params)
                    with lock:
                        written["steps"].append(step)
                        written["params"].update({p.key: p.value for p in params})
                    if step % 5 == 4:
                        text = f"worker {worker} run {run_id} step {step}\n" * (1 + step)
                        client.log_text(run_id, text, f"notes/step-{step}.txt")
                        with lock:
                            written["artifacts"][f"notes/step-{step}.txt"] = text
                except Exception:
                    with lock:
                        acknowledged["failures"] += 1
                    time.sleep(0.1)

    def producer(index):
        batch = 0
        while not stop.is_set():
            batch += 1
            now = int(time.time() * 1000)
            events = [{"request_id": f"r{index}-{batch}-{i}", "time": now - 500, "error": i % 2 == 0, "latency_ms": 10 + i}
                      for i in range(20)]
            try:
                reply = replicas.call(index, "POST", f"/api/v1/systems/{system_id}/events", json=events)
                if reply.status_code == 200:
                    with lock:
                        acknowledged["events"] += reply.json()["accepted"]
            except requests.RequestException:
                with lock:
                    acknowledged["failures"] += 1
                time.sleep(0.1)
            time.sleep(0.05)

    threads = [threading.Thread(target=trainer, args=(worker,)) for worker in range(6)]
    threads += [threading.Thread(target=producer, args=(index,)) for index in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(4)
        assert replicas.servers[1].stop(signal.SIGKILL) == -signal.SIGKILL
        time.sleep(3)
        replicas.start(1)
        time.sleep(5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    runs = acknowledged["runs"]
    assert acknowledged["failures"] > 0, "the killed replica refused some requests"
    assert sum(len(run["steps"]) for run in runs.values()) > 100 and acknowledged["events"] > 500

    # Every acknowledged write is there, read through each replica in turn.
    for position, (run_id, written) in enumerate(sorted(runs.items())):
        client = MlflowClient(replicas.url(position % 3))
        run = client.get_run(run_id)
        assert {key: run.data.params[key] for key in written["params"]} == written["params"]
        steps = {metric.step for metric in client.get_metric_history(run_id, "loss")}
        assert set(written["steps"]) <= steps, (run_id, sorted(set(written["steps"]) - steps))
        for path, text in written["artifacts"].items():
            with open(client.download_artifacts(run_id, path)) as downloaded:
                assert downloaded.read() == text, (run_id, path)
    stored = s3.keys("steward/artifacts/")
    assert sum(1 for key in stored if "/notes/step-" in key) >= sum(len(run["artifacts"]) for run in runs.values())

    # Every acknowledged event is counted (requests in flight when the replica died may be stored without an answer).
    status = ok(replicas.call(0, "GET", f"/api/v1/systems/{system_id}/monitoring/status", params={"window": "1h"}))
    counted = status["status"]["performance"]["requests"]
    assert counted >= acknowledged["events"], (counted, acknowledged["events"])

    # The alert fires once, on whichever replica's turn came first, and its notice is delivered once.
    deadline = time.time() + 30
    while time.time() < deadline and not receiver.notices:
        time.sleep(0.2)
    time.sleep(3 * ALERT_INTERVAL_MS / 1000)  # more turns on every replica: none may fire it again
    with receiver.lock:
        notices = list(receiver.notices)
    assert [notice["event"] for _, notice in notices] == ["alert.fired"], notices
    assert len({delivery for delivery, _ in notices}) == len(notices)
    alerts = ok(replicas.call(1, "GET", f"/api/v1/systems/{system_id}/alerts"))["alerts"]
    assert [(alert["rule"], alert["status"]) for alert in alerts] == [("error_rate <= 0.1", "firing")]
    deliveries = ok(replicas.call(2, "GET", f"/api/v1/systems/{system_id}/webhook-deliveries"))["deliveries"]
    assert [(delivery["status"], delivery["attempts"]) for delivery in deliveries] == [(204, 1)]

    # No scheduled evaluation ran twice: across the replicas, at most one evaluation per turn since the rules were set.
    # (Counted first: every evaluation counted then was of a turn due by the end.)
    evaluations = evaluations_counted(replicas, system_id)
    ended_at = int(time.time() * 1000)
    turns = ended_at // ALERT_INTERVAL_MS - rules_at // ALERT_INTERVAL_MS
    assert 1 <= evaluations <= turns, (evaluations, turns)

    # The audit chain verifies on every replica, and holds one firing of the alert.
    for index in range(3):
        verified = ok(replicas.call(index, "GET", "/api/v1/audit/verify"))
        assert verified["intact"] and verified["checked"] > 0, verified
    audit = ok(replicas.call(0, "GET", "/api/v1/audit", params={"system": system_id}))["events"]
    assert [event["action"] for event in audit].count("alert.fired") == 1

    # The router sends each unit to the same arm whichever replica it asks, and uses both arms.
    assignments = []
    for index in range(3):
        arms = {}
        for unit in range(40):
            served = replicas.call(index, "POST", f"/serve/{system_id}/invocations", headers={"X-Steward-Unit": f"customer-{unit}"},
                                   json={"dataframe_records": [{"a": 1.0, "b": 2.0, "c": 3.0}]})
            assert served.status_code == 200, served.text
            arms[unit] = served.headers["X-Steward-Arm"]
        assignments.append(arms)
    assert assignments[0] == assignments[1] == assignments[2]
    assert len(set(assignments[0].values())) == 2
