"""One Steward replica on PostgreSQL against the same server on SQLite, and authentication on against off.

Scenario: runs/log-batch with 10 metrics per request at 16 connections (bench/logbatch.lua, as in bench.py), against
four servers started one after another from the same release build:

  sqlite   auth off      the embedded default
  sqlite   auth on       every request carries the admin's bearer token
  postgres auth off      PostgreSQL 15 on loopback with its default settings (fsync on, synchronous_commit on)
  postgres auth on

and prints requests/s, p50, p99 and the server's CPU time per request for each, with the ratios issue 19 sets
targets for: PostgreSQL at least 50% of SQLite's throughput with p99 at most 20 ms, and authentication on at least
90% of off, on each engine. The four are measured in `--rounds` rounds (three by default), each round in another
order, and the ratios are taken from each configuration's medians: on a shared machine one measurement's speed
drifts by more than the difference between auth on and off. Every server is checked afterwards for lost writes
(each acknowledged request logged one observation of m0).

PostgreSQL: a private cluster in the work folder (initdb from Debian's postgresql package, run as the postgres
user when this runs as root), unless --postgres-url names a server whose user may create databases.
"""

import argparse
import glob
import os
import statistics
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import requests

from bench import BENCH, ROOT, Server, free_port, run_wrk


class PrivatePostgres:
    """A PostgreSQL cluster of its own in `folder`, stopped by `stop()`."""

    def __init__(self, folder):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name))
        if not bins:
            raise SystemExit("PostgreSQL is not installed: apt-get install postgresql, or pass --postgres-url")
        self.bin = Path(bins[-1])
        self.data = folder / "pg" / "data"
        self.data.parent.mkdir(parents=True)
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
            os.chmod(folder, 0o755)
        self.port = free_port()
        subprocess.run([*self.as_postgres, str(self.bin / "initdb"), "-D", str(self.data), "-U", "steward", "--auth=trust"],
                       check=True, stdout=subprocess.DEVNULL)
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c max_connections=200"
        subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.data.parent / "server.log"),
                        "-w", "-o", options, "start"], check=True, stdout=subprocess.DEVNULL)
        self.url = f"postgres://steward@127.0.0.1:{self.port}/postgres"
        self.version = subprocess.run([str(self.bin / "postgres"), "--version"], capture_output=True, text=True).stdout.split()[2]

    def stop(self):
        subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def create_database(admin_url):
    """A fresh database on the server `admin_url` names; returns its URL."""
    name = "bench_" + uuid.uuid4().hex[:12]
    host_part = admin_url.rsplit("/", 1)[0]
    subprocess.run(["psql", admin_url, "-qc", f"CREATE DATABASE {name}"], check=True)
    return f"{host_part}/{name}"


def drop_database(admin_url, store_url):
    """Drops a measured database, so that the server holds one at a time, as a deployment's does: left behind, each
    run's database adds its hundreds of files to later checkpoints' fsyncs (1,772 files in one checkpoint of a run
    without drops), which stall the commits of the measurement running meanwhile."""
    name = store_url.rsplit("/", 1)[1]
    subprocess.run(["psql", admin_url, "-qc", f"DROP DATABASE {name} WITH (FORCE)"], check=False)


def start(work, binary, label, store_url, auth):
    port = free_port()
    data = work / label
    args = [str(binary), "serve", "--data", str(data), "--port", str(port), "--log-level", "warning", "--auth", "on" if auth else "off"]
    if store_url:
        args += ["--store", store_url]
    server = Server(label, args, f"http://127.0.0.1:{port}", None, work / f"{label}.log")
    server.token = (data / "admin-token").read_text().strip() if auth else None
    return server


def call(server, path, body=None, method="POST"):
    headers = {"Authorization": f"Bearer {server.token}"} if server.token else {}
    fields = {"params": body} if method == "GET" else {"json": body}
    response = requests.request(method, f"{server.url}/api/2.0/mlflow/{path}", headers=headers, timeout=600, **fields)
    response.raise_for_status()
    return response.json()


def stored_observations(server, run_id):
    count, token = 0, None
    while True:
        page = call(server, "metrics/get-history", {"run_id": run_id, "metric_key": "m0", "max_results": 25000,
                                                    **({"page_token": token} if token else {})}, method="GET")
        count += len(page.get("metrics", []))
        token = page.get("next_page_token")
        if not token:
            return count


def measure(server, duration):
    experiment = call(server, "experiments/create", {"name": "bench-stores"})["experiment_id"]
    run_id = call(server, "runs/create", {"experiment_id": experiment})["run"]["info"]["run_id"]
    extra = [server.token] if server.token else []
    warmup = run_wrk(BENCH / "logbatch.lua", server.url, [run_id, "1000000000000", *extra], 16, 3)
    cpu = cpu_seconds(server.process.pid)
    result = run_wrk(BENCH / "logbatch.lua", server.url, [run_id, "2000000000000", *extra], 16, duration)
    result["cpu_us"] = (cpu_seconds(server.process.pid) - cpu) * 1e6 / max(result["requests"], 1)
    acknowledged = sum(r["requests"] - r["non_2xx"] for r in (warmup, result))
    stored = stored_observations(server, run_id)
    result["lost"] = stored < acknowledged
    return result


def cpu_seconds(pid):
    """User and system CPU time a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def row(label, result):
    lost = "  LOST WRITES" if result.get("lost") else ""
    errors = f"  ({result['non_2xx']} non-2xx, {result['socket_errors']} socket errors)" if result.get("non_2xx") or result.get("socket_errors") else ""
    print(f"  {label:<22} {result['rps']:>8,.0f} req/s   p50 {result['p50_us'] / 1000:>6.1f} ms   p99 {result['p99_us'] / 1000:>6.1f} ms"
          f"   CPU {result['cpu_us']:>4.0f} µs/req{errors}{lost}")


def median(runs):
    """Each figure's median over a configuration's rounds; lost writes if any round lost one."""
    merged = {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_us", "p99_us", "cpu_us")}
    merged["lost"] = any(run["lost"] for run in runs)
    return merged


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steward-binary", default=str(ROOT / ".build" / "release" / "steward"))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "20")))
    parser.add_argument("--postgres-url", help="a PostgreSQL server to use instead of a private cluster")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="measure one engine")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each configuration, in alternating orders")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="steward-bench-stores-"))
    print(f"work folder {work}; {os.cpu_count()} cores; wrk duration {args.duration}s per measurement; log-batch, 10 metrics, 16 connections")
    postgres = None
    rounds = {}
    try:
        engines = [args.only] if args.only else ["sqlite", "postgres"]
        if "postgres" in engines and not args.postgres_url:
            postgres = PrivatePostgres(work)
            print(f"PostgreSQL {postgres.version} on 127.0.0.1:{postgres.port}, default settings")
        admin_url = args.postgres_url or (postgres.url if postgres else None)
        configurations = [(engine, auth) for engine in engines for auth in (False, True)]
        for round_number in range(args.rounds):
            print(f"round {round_number + 1} of {args.rounds}")
            order = configurations if round_number % 2 == 0 else configurations[::-1]
            for engine, auth in order:
                label = f"{engine} auth {'on' if auth else 'off'}"
                store_url = create_database(admin_url) if engine == "postgres" else None
                server = start(work, Path(args.steward_binary), f"{label.replace(' ', '-')}-{round_number}", store_url, auth)
                try:
                    result = measure(server, args.duration)
                finally:
                    server.stop()
                    if store_url:
                        drop_database(admin_url, store_url)
                rounds.setdefault(label, []).append(result)
                row(label, result)
    finally:
        if postgres:
            postgres.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nmedians of {args.rounds} rounds")
    results = {label: median(runs) for label, runs in rounds.items()}
    for engine, auth in configurations:
        label = f"{engine} auth {'on' if auth else 'off'}"
        row(label, results[label])
    print()
    for engine in engines:
        off, on = results[f"{engine} auth off"], results[f"{engine} auth on"]
        ratio = on["rps"] / off["rps"]
        print(f"  {engine}: auth on at {ratio:.0%} of auth off (target >= 90%: {'met' if ratio >= 0.9 else 'NOT MET'})")
    if len(engines) == 2:
        for auth in ("off", "on"):
            sqlite, pg = results[f"sqlite auth {auth}"], results[f"postgres auth {auth}"]
            ratio = pg["rps"] / sqlite["rps"]
            met = ratio >= 0.5 and pg["p99_us"] <= 20_000
            print(f"  auth {auth}: PostgreSQL at {ratio:.0%} of SQLite, p99 {pg['p99_us'] / 1000:.1f} ms"
                  f" (target >= 50% and <= 20 ms: {'met' if met else 'NOT MET'})")


if __name__ == "__main__":
    main()
