"""Steward against MLflow on the same machine, in the same run.

Starts an `mlflow server` (SQLite store, proxied artifacts, default workers) and `steward serve` (release build,
embedded SQLite), gives both the same data, drives both with wrk, and prints requests/s, p50 and p99 for each
and the ratio. Scenarios:

  (a) runs/log-batch with 10 metrics per request, 16 connections;
  (b) runs/search over 2,000 and over 100,000 runs: `metrics.rmse < 0.5 and params.model = 'tree'`, ordered by
      the metric, 100 results.

Search data is written straight into each server's SQLite file (the same deterministic runs for both, in each
server's own schema), because creating 100,000 runs through MLflow's API would take most of an hour.
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url, process, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server at {url} exited with {process.returncode}")
        try:
            if requests.get(url + "/health", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not become healthy")


class Server:
    def __init__(self, name, args, url, db_path, log_path, env=None):
        self.name = name
        self.url = url
        self.db_path = db_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        wait_healthy(url, self.process)

    def api(self, path, body=None, method="POST"):
        response = requests.request(method, f"{self.url}/api/2.0/mlflow/{path}", json=body, timeout=600)
        response.raise_for_status()
        return response.json()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def start_mlflow(work, venv):
    port = free_port()
    folder = work / "mlflow"
    folder.mkdir()
    db = folder / "mlflow.db"
    args = [
        str(venv / "bin" / "mlflow"), "server", "--backend-store-uri", f"sqlite:///{db}",
        "--artifacts-destination", str(folder / "artifacts"), "--host", "127.0.0.1", "--port", str(port),
    ]
    return Server("mlflow", args, f"http://127.0.0.1:{port}", db, work / "mlflow.log")


def start_steward(work, binary):
    port = free_port()
    data = work / "steward"
    args = [str(binary), "serve", "--data", str(data), "--port", str(port), "--log-level", "warning"]
    return Server("steward", args, f"http://127.0.0.1:{port}", data / "steward.sqlite", work / "steward.log")


def run_wrk(script, url, args, connections, duration, threads=2, timeout="30s"):
    threads = min(threads, connections)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", timeout, "-s", str(script), url, "--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"WRK_RESULT (\{.*\})", output)
    if not match:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# ---------------------------------------------------------------- search data

def generate_runs(count, seed):
    """Deterministic runs: three metrics, five params (model is tree/linear/forest), three tags."""
    rng = random.Random(seed)
    runs = []
    for index in range(count):
        run_id = uuid.UUID(int=rng.getrandbits(128)).hex
        start = 1_700_000_000_000 + index * 1000
        runs.append({
            "run_id": run_id,
            "name": f"run-{index}",
            "start": start,
            "end": start + 500,
            "metrics": {"rmse": rng.random(), "mae": rng.random(), "r2": rng.random()},
            "params": {
                "model": rng.choice(["tree", "linear", "forest"]), "depth": str(rng.randint(1, 12)), "lr": f"{rng.random():.4f}",
                "seed": str(index), "n_estimators": str(rng.choice([10, 50, 100, 200])),
            },
            "tags": {"mlflow.user": "bench", "team": rng.choice(["a", "b", "c"])},
        })
    return runs


def seed_mlflow(db_path, experiment_id, runs):
    connection = sqlite3.connect(db_path, timeout=60)
    with connection:
        connection.executemany(
            "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, "
            "source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time) "
            "VALUES (?, ?, 'LOCAL', '', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?, NULL)",
            [(r["run_id"], r["name"], r["start"], r["end"], f"mlflow-artifacts:/{experiment_id}/{r['run_id']}/artifacts", int(experiment_id)) for r in runs],
        )
        connection.executemany(
            "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, 0, 0)",
            [(k, v, r["start"], r["run_id"]) for r in runs for k, v in r["metrics"].items()],
        )
        connection.executemany(
            "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, 0, 0, ?)",
            [(k, v, r["start"], r["run_id"]) for r in runs for k, v in r["metrics"].items()],
        )
        connection.executemany(
            "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
            [(k, v, r["run_id"]) for r in runs for k, v in r["params"].items()],
        )
        connection.executemany(
            "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
            [(k, v, r["run_id"]) for r in runs for k, v in list(r["tags"].items()) + [("mlflow.runName", r["name"])]],
        )
    connection.close()


def seed_steward(db_path, experiment_id, runs):
    connection = sqlite3.connect(db_path, timeout=60)
    with connection:
        connection.executemany(
            "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, deleted_time, lifecycle_stage, artifact_uri) "
            "VALUES (?, ?, ?, 'bench', 'FINISHED', ?, ?, NULL, 'active', ?)",
            [(r["run_id"], int(experiment_id), r["name"], r["start"], r["end"], f"mlflow-artifacts:/{experiment_id}/{r['run_id']}/artifacts") for r in runs],
        )
        connection.executemany(
            "INSERT INTO metrics (run_uuid, key, value, is_nan, timestamp_ms, step) VALUES (?, ?, ?, 0, ?, 0)",
            [(r["run_id"], k, v, r["start"]) for r in runs for k, v in r["metrics"].items()],
        )
        connection.executemany(
            "INSERT INTO latest_metrics (run_uuid, experiment_id, key, value, is_nan, timestamp_ms, step) VALUES (?, ?, ?, ?, 0, ?, 0)",
            [(r["run_id"], int(experiment_id), k, v, r["start"]) for r in runs for k, v in r["metrics"].items()],
        )
        connection.executemany(
            "INSERT INTO params (run_uuid, experiment_id, key, value) VALUES (?, ?, ?, ?)",
            [(r["run_id"], int(experiment_id), k, v) for r in runs for k, v in r["params"].items()],
        )
        connection.executemany(
            "INSERT INTO tags (run_uuid, experiment_id, key, value) VALUES (?, ?, ?, ?)",
            [(r["run_id"], int(experiment_id), k, v) for r in runs for k, v in list(r["tags"].items()) + [("mlflow.runName", r["name"])]],
        )
    connection.close()


def count_history(server, run_id, key):
    """How many observations of `key` the run holds, paging through its history."""
    count, token = 0, None
    while True:
        params = {"run_id": run_id, "metric_key": key, "max_results": 25000}
        if token:
            params["page_token"] = token
        page = requests.get(f"{server.url}/api/2.0/mlflow/metrics/get-history", params=params, timeout=600).json()
        count += len(page.get("metrics", []))
        token = page.get("next_page_token")
        if not token:
            return count


def search_names(server, experiment_id):
    body = {
        "experiment_ids": [experiment_id], "filter": "metrics.rmse < 0.5 and params.model = 'tree'",
        "max_results": 100, "order_by": ["metrics.rmse ASC"],
    }
    return [run["info"]["run_id"] for run in server.api("runs/search", body).get("runs", [])]


# ---------------------------------------------------------------- report

def line(label, result):
    rps = f"{result['rps']:.1f}" if result["rps"] >= 1 else f"{result['rps']:.3g}"
    return (f"  {label:<8} {rps:>10} req/s   p50 {result['p50_us'] / 1000:>8.2f} ms   p99 {result['p99_us'] / 1000:>8.2f} ms"
            f"   non-2xx {result['non_2xx']}  socket errors {result['socket_errors']}")


def compare(title, mlflow_result, steward_result, target):
    ratio = steward_result["rps"] / mlflow_result["rps"] if mlflow_result["rps"] else float("inf")
    print(f"\n{title}")
    print(line("mlflow", mlflow_result))
    print(line("steward", steward_result))
    verdict = "meets" if ratio >= target else "BELOW"
    print(f"  ratio    {ratio:>10.1f}x  (target >= {target}x: {verdict})")
    return {"title": title, "mlflow": mlflow_result, "steward": steward_result, "ratio": ratio, "target": target}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steward-binary", default=str(ROOT / ".build" / "release" / "steward"))
    parser.add_argument("--venv", default=str(BENCH / ".venv"))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "20")))
    parser.add_argument("--large-runs", type=int, default=100_000)
    parser.add_argument("--small-runs", type=int, default=2_000)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="steward-bench-"))
    print(f"work folder {work}; {os.cpu_count()} cores; wrk duration {args.duration}s per measurement")
    results = []
    mlflow = steward = None
    try:
        mlflow = start_mlflow(work, Path(args.venv))
        steward = start_steward(work, Path(args.steward_binary))

        # (a) log-batch
        targets = {}
        for server in (mlflow, steward):
            experiment = server.api("experiments/create", {"name": "bench-log-batch"})["experiment_id"]
            targets[server.name] = server.api("runs/create", {"experiment_id": experiment})["run"]["info"]["run_id"]
        measured = {}
        warmups = {}
        for server in (mlflow, steward):
            # Each invocation gets its own step range, so the measurement never repeats the warm-up's rows.
            warmups[server.name] = run_wrk(BENCH / "logbatch.lua", server.url, [targets[server.name], "1000000000000"], 16, 3)
            measured[server.name] = run_wrk(BENCH / "logbatch.lua", server.url, [targets[server.name], "2000000000000"], 16, args.duration)
        results.append(compare("(a) runs/log-batch, 10 metrics per request, 16 connections", measured["mlflow"], measured["steward"], 150))
        acknowledged = sum(result["requests"] - result["non_2xx"] for result in (warmups["steward"], measured["steward"]))
        stored = count_history(steward, targets["steward"], "m0")
        verdict = "none lost" if stored >= acknowledged else "LOST WRITES"
        print(
            f"  check    steward holds {stored} observations of m0; wrk saw {acknowledged} requests acknowledged, each logging one"
            f" ({verdict}; requests in flight when wrk stopped are stored but not counted)")

        # (b) search
        for count, label in ((args.small_runs, "2,000"), (args.large_runs, "100,000")):
            runs = generate_runs(count, seed=count)
            ids = {}
            for server, seed in ((mlflow, seed_mlflow), (steward, seed_steward)):
                experiment = server.api("experiments/create", {"name": f"bench-search-{count}"})["experiment_id"]
                seed(server.db_path, experiment, runs)
                ids[server.name] = experiment
            started = time.monotonic()
            mlflow_names = search_names(mlflow, ids["mlflow"])
            mlflow_latency = time.monotonic() - started
            same = mlflow_names == search_names(steward, ids["steward"])
            print(f"\n  one MLflow search over {label} runs took {mlflow_latency:.2f} s")
            measured = {}
            run_wrk(BENCH / "search.lua", steward.url, [ids["steward"]], 4, 3)  # warm-up
            measured["steward"] = run_wrk(BENCH / "search.lua", steward.url, [ids["steward"]], 16, args.duration)
            if mlflow_latency * 4 < args.duration:
                run_wrk(BENCH / "search.lua", mlflow.url, [ids["mlflow"]], 4, 3)  # warm-up
                measured["mlflow"] = run_wrk(BENCH / "search.lua", mlflow.url, [ids["mlflow"]], 16, args.duration)
                note = "16 connections each"
            else:
                # A request takes longer than the measuring window: give MLflow one connection per worker and a
                # window long enough for each to finish a few requests.
                window = int(max(args.duration, mlflow_latency * 3 + 10))
                measured["mlflow"] = run_wrk(BENCH / "search.lua", mlflow.url, [ids["mlflow"]], 4, window, timeout=f"{window}s")
                note = f"steward 16 connections for {args.duration}s; mlflow 4 connections (one per worker) for {window}s"
            results.append(compare(
                f"(b) runs/search over {label} runs, metric < and param = filter, order by metric, 100 results ({note})",
                measured["mlflow"], measured["steward"], 20))
            print(f"  check    both servers return the same 100 runs in the same order: {same}")
            results[-1]["same_results"] = same
    finally:
        for server in (steward, mlflow):
            if server:
                server.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
