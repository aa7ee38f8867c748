"""Production monitoring over real HTTP, on SQLite and PostgreSQL: the retailer's demand model. A reference from
"2019" demand, then a "2020" window where demand fell and the store mix changed: the data-drift alert fires once,
the webhooks get signed notices (never following a redirect), the retraining pipeline is called with the drifted
features, and the alert resolves once a reference from the new data is set."""

import hashlib
import hmac
import json
import signal
import time

import numpy as np
import pytest
import requests

from conftest import Backend, BACKENDS, start_server
from loopback import LoopbackServer
from test_governance import ok, start_governed, steward_cli

SECRET = "monitoring-test-secret"


class Receiver(LoopbackServer):
    """A webhook receiver on loopback that keeps every request; /redirect answers 302 to /elsewhere, /slow never
    answers."""

    def __init__(self):
        self.requests = []
        super().__init__()
        self.url = self.base_url

    def answer(self, path, headers, body):
        self.requests.append((path, headers, body))
        if path == "/slow":
            time.sleep(60)
            return None
        if path == "/redirect":
            return 302, {"Location": "/elsewhere"}, b""
        return 204, {}, b""

    def at(self, path):
        return [(headers, json.loads(body)) for got, headers, body in self.requests if got == path]


def demand(rows, shifted, seed):
    rng = np.random.default_rng(seed)
    units = (40 if shifted else 100) + 30 * rng.random(rows)
    price = 5 + rng.integers(0, 300, rows) / 100
    stores = rng.choice(["north", "south", "online"] if shifted else ["north", "south", "east"], rows)
    return list(zip(units.round(), price, stores))


def as_csv(rows):
    return "units,price,store\n" + "".join(f"{u},{p},{s}\n" for u, p, s in rows)


@pytest.fixture(params=BACKENDS)
def retail(request, monkeypatch):
    monkeypatch.setenv("STEWARD_WEBHOOK_SECRET", SECRET)
    backend = Backend(request.param)
    governed = start_governed(backend, "retail", extra_args=["--allow-endpoint-host", "127.0.0.1", "--alert-interval", "0"])
    receiver = Receiver()
    yield governed, receiver
    receiver.close()
    code = governed.server.stop()
    backend.cleanup()
    assert code == 0, governed.server.log()


def test_retailer_drift_alert_webhooks_retraining_and_resolution(retail):
    governed, receiver = retail
    system = ok(governed.call("carol", "POST", "/api/v1/systems", json={"name": "store-demand", "purpose": "Forecasts demand per store"}))["system"]
    sid = system["id"]
    ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/datasets", params={"name": "demand-2019"}, data=as_csv(demand(3000, False, 1))))
    reference = ok(governed.call("carol", "PUT", f"/api/v1/systems/{sid}/reference", json={"dataset": "demand-2019"}))["reference"]
    assert reference["version"] == 1 and sorted(reference["features"]) == ["price", "store", "units"]

    rules = f"""
window: 1h
conditions:
  - drift_share < 0.5
  - psi.units <= 0.25
  - latency_p95_ms <= 250
webhooks: [{receiver.url}/alerts, {receiver.url}/redirect]
retraining_webhook: {receiver.url}/retrain
"""
    refused = governed.call("carol", "PUT", f"/api/v1/systems/{sid}/alerts/rules", data=rules)
    assert refused.status_code == 403  # contributors may not change alert rules
    outside = governed.call("rita", "PUT", f"/api/v1/systems/{sid}/alerts/rules", data=rules.replace(receiver.url + "/alerts", "http://10.1.2.3/x"))
    assert outside.status_code == 403 and "allow-endpoint-host" in outside.json()["message"]
    stored = ok(governed.call("rita", "PUT", f"/api/v1/systems/{sid}/alerts/rules", data=rules))["rules"]
    assert stored["conditions"] == ["drift_share < 0.5", "psi.units <= 0.25", "latency_p95_ms <= 250"]

    now = int(time.time() * 1000)
    events = "\n".join(json.dumps({"request_id": f"e{i}", "time": now - 5000, "features": {"units": u, "price": p, "store": s},
                                   "prediction": u, "latency_ms": 20 + i % 50})
                       for i, (u, p, s) in enumerate(demand(2000, True, 2)))
    assert ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/events", data=events))["accepted"] == 2000

    first = ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/alerts/evaluate"))
    assert sorted(a["rule"] for a in first["fired"]) == ["drift_share < 0.5", "psi.units <= 0.25"]
    assert all(a["category"] == "data" and a["status"] == "firing" for a in first["fired"])

    notices = receiver.at("/alerts")
    assert [n["event"] for _, n in notices] == ["alert.fired", "alert.fired"]
    for headers, notice in notices:
        raw = [body for path, h, body in receiver.requests if path == "/alerts" and h["X-Steward-Signature"] == headers["X-Steward-Signature"]][0]
        expected = hmac.new(SECRET.encode(), f"{headers['X-Steward-Timestamp']}.".encode() + raw, hashlib.sha256).hexdigest()
        assert headers["X-Steward-Signature"] == "sha256=" + expected
        assert notice["system_id"] == sid and notice["alert"]["system_id"] == sid
    assert len(receiver.at("/redirect")) == 2 and receiver.at("/elsewhere") == []
    retrain = receiver.at("/retrain")
    assert len(retrain) == 1
    request = retrain[0][1]
    assert request["system_id"] == sid and "units" in request["drifted_features"] and "store" in request["drifted_features"]
    assert request["drift"]["units"] > 0.25 and request["reference_version"] == 1

    deliveries = ok(governed.call("cora", "GET", f"/api/v1/systems/{sid}/webhook-deliveries"))["deliveries"]
    redirected = [d for d in deliveries if d["url"].endswith("/redirect")]
    assert {d["status"] for d in redirected} == {302} and all(d["error"] == "HTTP 302" for d in redirected)
    assert all(d["status"] == 204 and d["attempts"] == 1 for d in deliveries if not d["url"].endswith("/redirect"))

    # Prometheus: per-system counters and histograms, and the gauges of the last evaluation.
    exposition = governed.call("vic", "GET", "/metrics").text
    assert f'steward_inference_events_total{{system_id="{sid}"}} 2000' in exposition
    assert f'steward_inference_latency_milliseconds_count{{system_id="{sid}"}} 2000' in exposition
    assert f'steward_alerts_firing_count{{system_id="{sid}",category="data"}} 2' in exposition
    assert f'steward_drift_feature_value{{system_id="{sid}",feature="units",method="psi"}}' in exposition

    again = ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/alerts/evaluate"))
    assert again["fired"] == [] and len(again["firing"]) == 2  # no duplicates while the drift lasts
    assert len(receiver.at("/retrain")) == 1

    # The command line shows the same drift, with its values.
    status = steward_cli(governed.server.data, governed.server.store, "monitor", "status", sid, "--window", "1h")
    assert status.returncode == 0, status.stderr
    drift_line = next(line for line in status.stdout.splitlines() if line.startswith("drift"))
    assert "(DRIFTED, at 50%)" in drift_line and "reference v1" in drift_line, drift_line
    units = float(drift_line.split("units psi ")[1].split(" ")[0].rstrip(","))
    assert units == pytest.approx(request["drift"]["units"], rel=1e-3), drift_line

    # Retrained on the new data: a new reference settles the drift and the alerts resolve.
    ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/datasets", params={"name": "demand-2020"}, data=as_csv(demand(3000, True, 3))))
    ok(governed.call("carol", "PUT", f"/api/v1/systems/{sid}/reference", json={"dataset": "demand-2020"}))
    settled = ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/alerts/evaluate"))
    assert sorted(a["rule"] for a in settled["resolved"]) == ["drift_share < 0.5", "psi.units <= 0.25"] and settled["firing"] == []
    assert [n["event"] for _, n in receiver.at("/alerts")][-2:] == ["alert.resolved", "alert.resolved"]
    history = ok(governed.call("vic", "GET", f"/api/v1/systems/{sid}/alerts"))["alerts"]
    assert len(history) == 2 and all(a["status"] == "resolved" and a["resolved_at"] for a in history)
    audit = ok(governed.call("cora", "GET", "/api/v1/audit", params={"system": sid}))["events"]
    actions = [e["action"] for e in audit]
    assert actions.count("alert.fired") == 2 and actions.count("alert.resolved") == 2 and "alerts.rules" in actions


def test_the_scheduler_evaluates_each_system_on_its_own_schedule(monkeypatch):
    """The server checks rules hourly by default; one system asks for every ten seconds and gets its alerts on its own,
    the other (same events, no `every`) is left for the hour."""
    monkeypatch.setenv("STEWARD_WEBHOOK_SECRET", SECRET)
    backend = Backend("sqlite")
    governed = start_governed(backend, "scheduled", extra_args=["--alert-interval", "1h"])
    try:
        systems = []
        for name, every in [("chat", "every: 10s\n"), ("search", "")]:
            sid = ok(governed.call("carol", "POST", "/api/v1/systems", json={"name": name, "purpose": "Answers questions"}))["system"]["id"]
            ok(governed.call("rita", "PUT", f"/api/v1/systems/{sid}/alerts/rules",
                             data=f"window: 1h\n{every}conditions: ['latency_p95_ms <= 100', 'flagged_rate <= 0.1']\n"))
            now = int(time.time() * 1000)
            events = [{"request_id": f"q{i}", "time": now - 1000, "latency_ms": 300, "safety_flags": ["toxicity"] if i < 5 else []}
                      for i in range(20)]
            ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/events", json=events))
            systems.append(sid)
        chat, search = systems
        deadline = time.time() + 30
        firing = []
        while time.time() < deadline and len(firing) < 2:
            time.sleep(0.5)
            firing = ok(governed.call("vic", "GET", f"/api/v1/systems/{chat}/alerts", params={"status": "firing"}))["alerts"]
        assert sorted((a["category"], a["rule"]) for a in firing) == [("performance", "latency_p95_ms <= 100"), ("safety", "flagged_rate <= 0.1")]
        assert firing[0]["value"] in (300, 0.25)
        assert ok(governed.call("vic", "GET", f"/api/v1/systems/{search}/alerts"))["alerts"] == []
        bad = governed.call("rita", "PUT", f"/api/v1/systems/{search}/alerts/rules", data="every: 1s\nconditions: ['error_rate <= 0.1']\n")
        assert bad.status_code == 400 and bad.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    finally:
        code = governed.server.stop()
        backend.cleanup()
    assert code == 0, governed.server.log()


def test_a_system_whose_webhook_hangs_holds_up_no_other(monkeypatch):
    """One system's webhook never answers (its evaluation waits out the first attempt's timeout, the dispatcher the
    retries); another system's rules are still checked on their own schedule meanwhile, and the server still stops
    promptly."""
    monkeypatch.setenv("STEWARD_WEBHOOK_SECRET", SECRET)
    backend = Backend("sqlite")
    governed = start_governed(backend, "isolated", extra_args=["--alert-interval", "1h", "--allow-endpoint-host", "127.0.0.1"])
    receiver = Receiver()
    try:
        def system(name, rules):
            sid = ok(governed.call("carol", "POST", "/api/v1/systems", json={"name": name, "purpose": "Answers questions"}))["system"]["id"]
            ok(governed.call("rita", "PUT", f"/api/v1/systems/{sid}/alerts/rules", data=rules))
            return sid

        def firing(sid):
            return ok(governed.call("vic", "GET", f"/api/v1/systems/{sid}/alerts", params={"status": "firing"}))["alerts"]

        stuck = system("stuck", f"window: 1h\nevery: 10s\nconditions: ['error_rate <= 0.1']\nwebhooks: [{receiver.url}/slow]\n")
        other = system("other", "window: 1h\nevery: 10s\nconditions: ['requests <= 5']\n")
        now = int(time.time() * 1000)
        ok(governed.call("carol", "POST", f"/api/v1/systems/{stuck}/events",
                         json=[{"request_id": f"s{i}", "time": now - 1000, "error": True} for i in range(10)]))
        deadline = time.time() + 25
        while time.time() < deadline and not firing(stuck):
            time.sleep(0.5)
        assert firing(stuck)
        deadline = time.time() + 5
        while time.time() < deadline and not receiver.at("/slow"):
            time.sleep(0.2)
        assert len(receiver.at("/slow")) == 1  # called, and left waiting
        # The stuck system's evaluation now waits out a 10 s timeout; the other is due again in 10 s.
        ok(governed.call("carol", "POST", f"/api/v1/systems/{other}/events",
                         json=[{"request_id": f"o{i}", "time": int(time.time() * 1000) - 1000} for i in range(10)]))
        started = time.time()
        while time.time() < started + 20 and not firing(other):
            time.sleep(0.5)
        assert [a["rule"] for a in firing(other)] == ["requests <= 5"], "the other system waited for the stuck one"
        stopping = time.time()
        code = governed.server.stop()
        assert code == 0 and time.time() - stopping < 15, governed.server.log()
    finally:
        governed.server.stop()
        receiver.close()
        backend.cleanup()


class FlakyReceiver(LoopbackServer):
    """Answers 503 while `down`, then 204; keeps every request with the status it got."""

    def __init__(self):
        self.down = True
        self.requests = []
        super().__init__()

    def answer(self, path, headers, body):
        status = 503 if self.down else 204
        self.requests.append((path, headers, json.loads(body), status))
        return status, {}, b""


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_notification_survives_a_server_killed_while_it_waits_for_a_retry(kind, monkeypatch):
    """The alert fires while the receiver is down; the notification waits in the outbox for its retry, the server is
    killed (SIGKILL), the receiver comes back, and the restarted server delivers it: once, with the same delivery id."""
    monkeypatch.setenv("STEWARD_WEBHOOK_SECRET", SECRET)
    backend = Backend(kind)
    arguments = ["--allow-endpoint-host", "127.0.0.1", "--alert-interval", "0", "--webhook-retry-delays", "2s,2s,2s,2s,2s,2s,2s,2s"]
    governed = start_governed(backend, "outbox", extra_args=arguments)
    receiver = FlakyReceiver()
    restarted = None
    try:
        sid = ok(governed.call("carol", "POST", "/api/v1/systems", json={"name": "pager", "purpose": "Answers questions"}))["system"]["id"]
        ok(governed.call("rita", "PUT", f"/api/v1/systems/{sid}/alerts/rules",
                         data=f"window: 1h\nconditions: ['error_rate <= 0.1']\nwebhooks: [{receiver.base_url}/hook]\n"))
        now = int(time.time() * 1000)
        ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/events",
                         json=[{"request_id": f"k{i}", "time": now - 1000, "error": True} for i in range(10)]))
        evaluation = ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/alerts/evaluate"))
        assert [a["rule"] for a in evaluation["fired"]] == ["error_rate <= 0.1"]
        [delivery] = evaluation["deliveries"]
        assert delivery["status"] == 503 and delivery["attempts"] == 1 and delivery["next_attempt_at"] > delivery["delivered_at"]

        assert governed.server.stop(signal.SIGKILL) == -signal.SIGKILL
        receiver.down = False
        restarted = start_server(governed.server.data, governed.server.store, extra_args=["--auth", "on", *arguments])
        headers = {"Authorization": f"Bearer {governed.tokens['cora']}"}
        deadline = time.time() + 30
        while time.time() < deadline and not any(status == 204 for *_, status in receiver.requests):
            time.sleep(0.2)
        delivered = [(h, body) for path, h, body, status in receiver.requests if status == 204]
        assert len(delivered) == 1, restarted.log()
        assert delivered[0][1]["event"] == "alert.fired" and delivered[0][1]["system_id"] == sid
        ids = {h["X-Steward-Delivery"] for _, h, _, _ in receiver.requests}
        assert ids == {delivery["id"]}
        # The receiver logs its 204 before the server has read the answer and recorded it: wait for the record.
        def deliveries():
            return ok(requests.get(f"{restarted.url}/api/v1/systems/{sid}/webhook-deliveries", headers=headers, timeout=60))["deliveries"]

        log = deliveries()
        while time.time() < deadline and [d["status"] for d in log] != [204]:
            time.sleep(0.1)
            log = deliveries()
        assert [(d["id"], d["status"], d.get("next_attempt_at")) for d in log] == [(delivery["id"], 204, None)]
        assert log[0]["attempts"] == len(receiver.requests) >= 2
        time.sleep(2.5)
        assert len(receiver.requests) == log[0]["attempts"]  # delivered once; nothing is sent again
        assert restarted.stop() == 0, restarted.log()
    finally:
        governed.server.stop(signal.SIGKILL)
        if restarted:
            restarted.stop(signal.SIGKILL)
        receiver.close()
        backend.cleanup()


def test_reference_from_the_training_file_logged_with_the_model_version(retail, monkeypatch, tmp_path):
    """The mlflow client logs the training CSV with the run and registers the model; the reference is made from that
    file, names the version, and drift over a window is merged from per-minute profiles (PSI and sketch Wasserstein)."""
    import mlflow
    from mlflow import MlflowClient

    governed, _ = retail
    monkeypatch.setenv("MLFLOW_TRACKING_URI", governed.server.url)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "carol")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", governed.tokens["carol"])
    mlflow.set_tracking_uri(governed.server.url)
    mlflow.set_experiment("demand-training")  # not whatever an earlier test left active in this process
    train = tmp_path / "train.csv"
    train.write_text(as_csv(demand(3000, False, 1)))
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(train), artifact_path="data")
    client = MlflowClient()
    client.create_registered_model("demand")
    version = client.create_model_version("demand", f"runs:/{run.info.run_id}/data", run_id=run.info.run_id).version

    sid = ok(governed.call("carol", "POST", "/api/v1/systems", json={"name": "demand", "purpose": "Forecasts demand"}))["system"]["id"]
    missing = governed.call("carol", "PUT", f"/api/v1/systems/{sid}/reference", json={"model": "demand", "model_version": version,
                                                                                       "artifact_path": "data/absent.csv"})
    assert missing.status_code == 404 and missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    escape = governed.call("carol", "PUT", f"/api/v1/systems/{sid}/reference", json={"run_id": run.info.run_id,
                                                                                      "artifact_path": "../../etc/passwd"})
    assert escape.status_code == 400
    reference = ok(governed.call("carol", "PUT", f"/api/v1/systems/{sid}/reference",
                                 json={"model": "demand", "model_version": version, "artifact_path": "data/train.csv"}))["reference"]
    assert reference["model"] == "demand" and reference["model_version"] == int(version)
    assert reference["source"] == f"runs:/{run.info.run_id}/data/train.csv" and sorted(reference["features"]) == ["price", "store", "units"]
    units = reference["features"]["units"]
    assert units["sketch"]["count"] == 3000 and len(units["bin_counts"]) == 10

    now = int(time.time() * 1000)
    rows = demand(1200, True, 2)
    # Two batches over three minutes, with a retried event: stored once, profiled once.
    lines = [json.dumps({"request_id": f"e{i}", "time": now - 150_000 + i * 100, "features": {"units": u, "price": p, "store": s}})
             for i, (u, p, s) in enumerate(rows)]
    assert ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/events", data="\n".join(lines[:700])))["accepted"] == 700
    second = ok(governed.call("carol", "POST", f"/api/v1/systems/{sid}/events", data="\n".join(lines[699:])))
    assert second["accepted"] == 500 and second["duplicates"] == 1

    psi = ok(governed.call("vic", "GET", f"/api/v1/systems/{sid}/drift", params={"window": "1h"}))
    assert psi["window"]["events"] == 1200 and psi["window"]["reference_version"] == 1
    assert now - 3_600_000 - 60_000 < psi["window"]["from"] <= time.time() * 1000 - 3_600_000 <= psi["window"]["to"] - 3_600_000 + 5_000
    features = {f["feature"]: f for f in psi["drift"]["features"]}
    assert features["units"]["drifted"] and features["units"]["current_count"] == 1200
    assert features["store"]["new_categories"] == ["online"]

    wasserstein = ok(governed.call("vic", "GET", f"/api/v1/systems/{sid}/drift", params={"window": "1h", "method": "wasserstein_normed"}))
    by_name = {f["feature"]: f for f in wasserstein["drift"]["features"]}
    assert by_name["units"]["method"] == "wasserstein_normed" and by_name["store"]["method"] == "jensen_shannon"
    # Units moved from U(100, 130) to U(40, 70): 60 apart over a standard deviation of about 8.7.
    assert by_name["units"]["statistic"] == pytest.approx(60 / np.std(np.array([r[0] for r in demand(3000, False, 1)])), rel=0.02)
    refused = governed.call("vic", "GET", f"/api/v1/systems/{sid}/drift", params={"window": "1h", "method": "ks"})
    assert refused.status_code == 400 and refused.json()["error_code"] == "INVALID_PARAMETER_VALUE"
