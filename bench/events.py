"""Inference-event ingestion: `POST /api/v1/systems/{id}/events` into a fresh `steward serve` (SQLite, the
embedded default) from concurrent clients sending JSON Lines batches. Prints events per second, sustained over
the whole run, and checks that every accepted event is stored. Ingestion profiles every batch per minute (its
operation, and with the reference profile the system has unless --no-reference, its features); afterwards the
drift over the window must count every stored event.

    bench/.venv/bin/python bench/events.py [--events 200000] [--batch 20000] [--clients 4] [--no-reference]
        [--steward-binary .build/release/steward]
"""

import argparse
import concurrent.futures
import json
import random
import socket
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def batch(start, count, now):
    rng = random.Random(start)
    lines = []
    for index in range(start, start + count):
        lines.append(json.dumps({
            "request_id": f"r{index}", "time": now - rng.randrange(3_600_000), "model": "demand", "model_version": 3,
            "features": {"store": rng.choice(["north", "south", "east", "west"]), "temp": round(rng.gauss(12, 5), 3),
                         "promo": rng.random() < 0.2, "price": round(rng.uniform(1, 9), 2)},
            "prediction": round(rng.uniform(50, 150), 2), "latency_ms": round(rng.lognormvariate(3, 0.4), 2), "cost_usd": 0.0004}))
    return ("\n".join(lines) + "\n").encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-reference", action="store_true", help="ingest without a reference profile (operation profiles only)")
    parser.add_argument("--steward-binary", default=str(ROOT / ".build" / "release" / "steward"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        server = subprocess.Popen([args.steward_binary, "serve", "--data", data, "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    requests.get(url + "/health", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            system = requests.post(url + "/api/v1/systems", json={"name": "demand", "purpose": "Forecasts store demand"},
                                   auth=("bench", ""), timeout=30).json()["system"]["id"]
            if not args.no_reference:
                rng = random.Random(0)
                train = "store,temp,promo,price,prediction\n" + "".join(
                    f"{rng.choice(['north', 'south', 'east'])},{rng.gauss(10, 5):.3f},{rng.random() < 0.3},{rng.uniform(1, 9):.2f},"
                    f"{rng.uniform(50, 150):.2f}\n" for _ in range(50_000))
                requests.post(f"{url}/api/v1/systems/{system}/datasets", params={"name": "train"}, data=train, auth=("bench", ""),
                              timeout=60).raise_for_status()
                requests.put(f"{url}/api/v1/systems/{system}/reference", json={"dataset": "train"}, auth=("bench", ""),
                             timeout=60).raise_for_status()
            now = int(time.time() * 1000)
            bodies = [batch(start, min(args.batch, args.events - start), now) for start in range(0, args.events, args.batch)]
            size = sum(len(body) for body in bodies)

            def post(body):
                reply = requests.post(f"{url}/api/v1/systems/{system}/events", data=body, auth=("bench", ""), timeout=600)
                reply.raise_for_status()
                return reply.json()["accepted"]

            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
                accepted = sum(pool.map(post, bodies))
            seconds = time.perf_counter() - started
            if not args.no_reference:
                drift = requests.get(f"{url}/api/v1/systems/{system}/drift", params={"window": "2h"}, auth=("bench", ""), timeout=600)
                drift.raise_for_status()
                profiled = drift.json()["window"]["events"]
        finally:
            server.terminate()
            server.wait()
        stored = sqlite3.connect(Path(data) / "steward.sqlite").execute("SELECT COUNT(*) FROM inference_events").fetchone()[0]
    print(f"{args.events:,} events in batches of {args.batch:,} ({size / len(bodies) / 1e6:.1f} MB each), {args.clients} clients")
    print(f"steward: {accepted / seconds:,.0f} events/s ({seconds:.2f} s); accepted {accepted:,}, stored {stored:,}")
    if stored != accepted:
        raise SystemExit("stored events differ from accepted ones")
    if not args.no_reference:
        print(f"drift over the window counts {profiled:,} events from the stored window profiles")
        if profiled != stored:
            raise SystemExit("the window profiles do not count every stored event")


if __name__ == "__main__":
    main()
