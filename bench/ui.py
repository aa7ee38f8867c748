"""How fast the web UI's pages render from a realistic store, against what MLflow's own UI waits for.

The store: 1,000 AI systems of mixed tiers and owners, 200 of them with a registered model and version; 100,000 runs
in 10 experiments, each run with 5 parameters and 5 metrics, one of them with a 10,000-step metric history; a month
of inference events (one a minute, 43,200) for one system; a prompt of 20 versions. Each page is then asked for, one
request at a time over one connection (wrk, signed in), and its p50 and p99 printed. Target: every page under 100 ms
at p99. The portfolio CSV, a download of the whole register, is timed the same way and printed apart.

The anchor is MLflow's tracking server with one experiment of 10,000 such runs: its UI's runs table asks `POST /ajax-api/2.0/mlflow/runs/search`
for 100 runs and then draws them in the browser; the ratio printed is that request's time against Steward's whole
rendered runs page (which includes the search).

    swift build -c release --product steward
    python3 -m venv bench/.venv && bench/.venv/bin/pip install -r bench/requirements.txt
    bench/.venv/bin/python bench/ui.py
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from router import ROOT, free_port, wrk

RUNS, EXPERIMENTS, SYSTEMS, MODELS = 100_000, 10, 1_000, 200


def request(url, method="GET", body=None, headers=None, raw=False):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    call = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(call, timeout=120) as response:
        text = response.read()
        return text if raw else json.loads(text or b"{}")


def start_steward(binary):
    data = tempfile.mkdtemp(prefix="steward-bench-ui-")
    process = subprocess.Popen([binary, "serve", "--data", data, "--port", "0", "--analysis-interval", "0", "--log-level", "warning"],
                               stdout=subprocess.PIPE, text=True)
    url = re.search(r"listening on (http://\S+)", process.stdout.readline()).group(1)
    return process, url, data


def start_mlflow(venv, folder):
    port = free_port()
    process = subprocess.Popen([str(Path(venv, "bin", "mlflow")), "server", "--host", "127.0.0.1", "--port", str(port),
                                "--backend-store-uri", f"sqlite:///{folder}/mlflow.db", "--workers", "1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            request(url + "/health", raw=True)
            return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the MLflow server did not start")


def populate_runs(url, headers, runs=RUNS, experiment_count=EXPERIMENTS, workers=8):
    """`runs` runs spread over `experiment_count` experiments, each with parameters and metrics; returns the
    experiment ids, the last one's id and a run of it with a 10,000-step metric history."""
    experiments = [request(url + "/api/2.0/mlflow/experiments/create", "POST", {"name": f"bench-{i}"}, headers)["experiment_id"]
                   for i in range(experiment_count)]
    started = int(time.time() * 1000) - 86_400_000

    def one(index):
        experiment = experiments[index % experiment_count]
        run = request(url + "/api/2.0/mlflow/runs/create", "POST",
                      {"experiment_id": experiment, "start_time": started + index, "run_name": f"run-{index}"}, headers)["run"]["info"]["run_id"]
        rng = random.Random(index)
        request(url + "/api/2.0/mlflow/runs/log-batch", "POST", {
            "run_id": run,
            "params": [{"key": k, "value": str(v)} for k, v in
                       [("learning_rate", rng.choice([0.01, 0.03, 0.1])), ("max_depth", rng.randint(2, 12)), ("n_estimators", rng.choice([100, 300])),
                        ("subsample", rng.choice([0.7, 0.9, 1.0])), ("features", rng.choice(["all", "top50"]))]],
            "metrics": [{"key": k, "value": rng.random(), "timestamp": started + index, "step": 0}
                        for k in ("auc", "accuracy", "log_loss", "precision", "recall")]}, headers)
        return experiment, run

    with ThreadPoolExecutor(workers) as pool:
        created = list(pool.map(one, range(runs)))
    experiment, run = created[-1]
    # One run with a long metric history: a month of training curves would look like this.
    for start in range(0, 10_000, 1000):
        request(url + "/api/2.0/mlflow/runs/log-batch", "POST", {"run_id": run, "metrics": [
            {"key": "loss", "value": 1 / (1 + step) + random.random() * 0.01, "timestamp": started + step, "step": step}
            for step in range(start, start + 1000)]}, headers)
    return experiments, experiment, run


def populate_register(url, headers):
    """1,000 systems, 200 with a registered model and version; a month of minute events for the first one; a prompt
    of 20 versions (a 60-line template edited a few lines at a time) linked to the second."""
    tiers = [{"domain": "credit"}, {"customer_facing": True}, {}, {"domain": "employment", "autonomous_actions": True}]
    systems = []
    for i in range(SYSTEMS):
        body = {"name": f"system-{i:04d}", "purpose": "Scores applications" if i % 2 else "Answers customers",
                "business_owner": f"team-{i % 37}", "technical_owner": f"ml-{i % 11}", "questionnaire": tiers[i % 4]}
        systems.append(request(url + "/api/v1/systems", "POST", body, headers)["system"]["id"])
    experiment = request(url + "/api/2.0/mlflow/experiments/create", "POST", {"name": "registered"}, headers)["experiment_id"]
    for i in range(MODELS):
        name = f"model-{i:03d}"
        run = request(url + "/api/2.0/mlflow/runs/create", "POST", {"experiment_id": experiment}, headers)["run"]["info"]["run_id"]
        request(url + "/api/2.0/mlflow/registered-models/create", "POST", {"name": name}, headers)
        request(url + "/api/2.0/mlflow/model-versions/create", "POST", {"name": name, "source": f"runs:/{run}/model", "run_id": run}, headers)
        request(url + f"/api/v1/systems/{systems[i]}/models", "POST", {"name": name, "kind": "model"}, headers)
    # Registered as the mlflow client's register_prompt does it.
    request(url + "/api/2.0/mlflow/registered-models/create", "POST",
            {"name": "support-answer", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]}, headers)
    lines = [f"Rule {n}: answer {{{{ customer }}}} about {{{{ topic }}}} in at most {n + 2} sentences." for n in range(60)]
    for version in range(20):
        lines[(version * 7) % 60] = f"Rule {(version * 7) % 60}: revised in version {version + 1}, cite {{{{ source }}}}."
        request(url + "/api/2.0/mlflow/model-versions/create", "POST",
                {"name": "support-answer", "source": "dummy-source",
                 "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}, {"key": "_mlflow_prompt_type", "value": "text"},
                          {"key": "mlflow.prompt.text", "value": "\n".join(lines)}]}, headers)
    request(url + f"/api/v1/systems/{systems[1]}/models", "POST", {"name": "support-answer", "kind": "prompt"}, headers)
    now = int(time.time() * 1000)
    minutes = 30 * 24 * 60
    for start in range(0, minutes, 10_000):
        lines = "\n".join(json.dumps({"request_id": f"m{m}", "time": now - (minutes - m) * 60_000, "latency_ms": 20 + (m * 7919) % 180,
                                      "error": m % 97 == 0, "cost_usd": 0.0004, "features": {"amount": (m * 31) % 5000, "channel": "web" if m % 3 else "app"}})
                          for m in range(start, min(start + 10_000, minutes)))
        request(url + f"/api/v1/systems/{systems[0]}/events", "POST", lines.encode(), headers)
    return systems


def page_times(url, cookie, duration):
    """p50 and p99 (ms) of one page at one connection."""
    os.environ["STEWARD_COOKIE"] = cookie
    result = wrk(url, 1, duration, 1, script=str(ROOT / "bench" / "ui.lua"))
    return result["p50"], result["p99"], result["errors"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--steward-binary", default=str(ROOT / ".build" / "release" / "steward"))
    parser.add_argument("--mlflow-venv", default=str(ROOT / "bench" / ".venv"))
    parser.add_argument("--skip-mlflow", action="store_true")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs in Steward's store (fewer: a quicker look at the other pages)")
    args = parser.parse_args()

    steward, url, data = start_steward(args.steward_binary)
    mlflow = None
    folder = tempfile.mkdtemp(prefix="steward-bench-ui-mlflow-")
    try:
        token = Path(data, "admin-token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        began = time.time()
        systems = populate_register(url, headers)
        experiments, experiment, run = populate_runs(url, headers, runs=args.runs)
        print(f"populated Steward in {time.time() - began:.0f} s")
        parsed = urllib.parse.urlparse(url)
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        connection.request("POST", "/ui/sign-in", body=urllib.parse.urlencode({"token": token}),
                           headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": url})
        cookie = re.search(r"steward_session=[^;]+", connection.getresponse().getheader("Set-Cookie") or "")
        connection.close()
        if cookie is None:
            raise RuntimeError("signing in gave no session cookie")
        pages = {
            "register": "/ui/", "register (filtered)": "/ui/?tier=high&owner=team-3", "register (last page)": "/ui/?page=10",
            "system (30 days of events)": f"/ui/systems/{systems[0]}?window=30d", "system (no events)": f"/ui/systems/{systems[7]}",
            "documentation (Annex IV)": f"/ui/systems/{systems[0]}/documentation", "model": "/ui/models/model-000",
            "model version": "/ui/models/model-000/versions/1", "model card": "/ui/models/model-000/versions/1/card",
            "prompt (diff of versions 3 and 20)": "/ui/models/support-answer?from=3&to=20",
            "approvals": "/ui/approvals", "incidents": "/ui/incidents",
            "audit": "/ui/audit", "experiments": "/ui/experiments", "runs (10,000 in the experiment)": f"/ui/experiments/{experiment}",
            "run (10,000-step chart)": f"/ui/experiments/{experiment}/runs/{run}",
        }
        # A download of the whole register, every system worked out: not a page, so not held to the pages' target.
        downloads = {"portfolio CSV (all 1,000 systems)": "/ui/register.csv"}
        results = {name: page_times(url + path, cookie.group(0), args.duration) for name, path in pages.items()}
        downloaded = {name: page_times(url + path, cookie.group(0), args.duration) for name, path in downloads.items()}
        anchor = None
        if not args.skip_mlflow:
            mlflow, mlflow_url = start_mlflow(args.mlflow_venv, folder)
            # One experiment as large as each of Steward's (10,000 runs): the search the table waits for.
            print("populating MLflow's server with an experiment of 10,000 runs")
            _, mlflow_experiment, _ = populate_runs(mlflow_url, {}, runs=RUNS // EXPERIMENTS, experiment_count=1)
            os.environ["SEARCH_BODY"] = json.dumps({"experiment_ids": [mlflow_experiment], "max_results": 100,
                                                    "order_by": ["attributes.start_time DESC"]})
            searched = wrk(mlflow_url + "/ajax-api/2.0/mlflow/runs/search", 1, args.duration, 1, script=str(ROOT / "bench" / "ui.lua"))
            anchor = (searched["p50"], searched["p99"])
    finally:
        for process in (steward, mlflow):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)

    print(f"{'page':34} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, (p50, p99, errors) in results.items():
        print(f"{name:34} {p50:8.2f} {p99:8.2f} {errors:8d}")
    worst = max(p99 for _, p99, _ in results.values())
    print(f"slowest page p99 {worst:.2f} ms (target: under 100 ms)")
    for name, (p50, p99, errors) in downloaded.items():
        print(f"{name:34} {p50:8.2f} {p99:8.2f} {errors:8d}")
    if anchor:
        ours = results["runs (10,000 in the experiment)"]
        print(f"MLflow's runs search for its UI (100 of 10,000 runs): p50 {anchor[0]:.2f} ms, p99 {anchor[1]:.2f} ms; "
              f"Steward's whole runs page / MLflow's search alone at p50 = {ours[0] / anchor[0]:.2f}")


if __name__ == "__main__":
    main()
