"""The deployment router against nginx's `split_clients` sticky proxy, in front of the same fast model endpoint (nginx
answering a fixed pyfunc prediction), in one run on this machine with wrk.

Both routers split 90/10 by the `X-Steward-Unit` header over keep-alive upstream connections; Steward also records
every request as an inference event, one per row (nginx records nothing). The requests (bench/router.lua) look like a
pricing service's: twelve mixed columns with missing values, one row mostly and batches of 2 to 8 in a fifth of them. Reported: throughput at `--connections` connections for
the endpoint alone, nginx's proxy and Steward, and the latency each router adds over calling the endpoint directly
at one connection (p50, p99). Targets: Steward's added p99 at most 1 ms, and at least 50% of nginx's throughput.

    swift build -c release --product steward
    python3 bench/router.py --duration 20
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = str(ROOT / "bench" / "router.lua")
ANSWER = '{"predictions": [0]}'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_conf(folder, body):
    conf = Path(folder) / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    {body}
}}
""")
    return str(conf)


def start_nginx(body):
    folder = tempfile.mkdtemp(prefix="steward-bench-nginx-")
    process = subprocess.Popen(["nginx", "-c", nginx_conf(folder, body), "-p", folder], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    if process.poll() is not None:
        raise RuntimeError(Path(folder, "error.log").read_text())
    return process


def wrk(url, connections, duration, threads=2, script=LUA):
    output = subprocess.run(
        ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{duration}s", "--latency"]
        + (["-s", script] if script else []) + [url],
        capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)

    def latency(percent):
        value, unit = re.search(rf"\s{percent}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"rate": rate, "requests": requests, "p50": latency(50), "p99": latency(99), "errors": int(errors.group(1)) if errors else 0}


def call(url, method="GET", body=None, token=None, content_type="application/json"):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": content_type})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


POLICY = b"""version: 1
protected_aliases: [production]
controls:
  model_card: {check: model_card}
tiers:
  low: []
  medium: [model_card]
  high: [model_card]
  critical: [model_card]
"""


def start_steward(binary, endpoint):
    data = tempfile.mkdtemp(prefix="steward-bench-router-")
    process = subprocess.Popen(
        [binary, "serve", "--data", data, "--port", "0", "--allow-endpoint-host", "127.0.0.1", "--analysis-interval", "0",
         "--log-level", "warning"], stdout=subprocess.PIPE, text=True)
    url = re.search(r"listening on (http://\S+)", process.stdout.readline()).group(1)
    token = Path(data, "admin-token").read_text().strip()
    call(url + "/api/v1/policy", "PUT", POLICY, token, "application/yaml")
    api = url + "/api/2.0/mlflow"
    call(api + "/registered-models/create", "POST", {"name": "pricing-model"}, token)
    run = call(api + "/runs/create", "POST", {"experiment_id": "0"}, token)["run"]["info"]["run_id"]
    for _ in range(2):
        call(api + "/model-versions/create", "POST", {"name": "pricing-model", "source": f"runs:/{run}/model", "run_id": run}, token)
    system = call(url + "/api/v1/systems", "POST", {"name": "pricing", "purpose": "Prices", "models": ["pricing-model"]}, token)["system"]["id"]
    call(url + f"/api/v1/systems/{system}/promote", "POST", {"model": "pricing-model", "version": "1", "alias": "production"}, token)
    arms = [{"model": "pricing-model", "version": str(v), "endpoint": endpoint, "weight": w} for v, w in ((1, 90), (2, 10))]
    deployment = call(url + f"/api/v1/systems/{system}/deployments", "POST", {"mode": "canary", "arms": arms}, token)["deployment"]["id"]
    return process, url, token, system, deployment, data


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--steward-binary", default=str(ROOT / ".build" / "release" / "steward"))
    args = parser.parse_args()
    if not shutil.which("nginx"):
        raise SystemExit("nginx is needed (apt-get install nginx-light).")

    endpoint_port, proxy_port = free_port(), free_port()
    endpoint = start_nginx(f"""
    server {{
        listen 127.0.0.1:{endpoint_port} backlog=4096;
        location /invocations {{ default_type application/json; return 200 '{ANSWER}'; }}
    }}""")
    proxy = start_nginx(f"""
    upstream champion {{ server 127.0.0.1:{endpoint_port}; keepalive 64; }}
    upstream challenger {{ server 127.0.0.1:{endpoint_port}; keepalive 64; }}
    split_clients "${{http_x_steward_unit}}" $arm {{ 10% challenger; * champion; }}
    server {{
        listen 127.0.0.1:{proxy_port} backlog=4096;
        location /serve/pricing/invocations {{
            proxy_pass http://$arm/invocations;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}""")
    endpoint_url = f"http://127.0.0.1:{endpoint_port}/invocations"
    steward, url, token, system, deployment, data = start_steward(args.steward_binary, endpoint_url)
    targets = {"endpoint": endpoint_url, "nginx": f"http://127.0.0.1:{proxy_port}/serve/pricing/invocations",
               "steward": f"{url}/serve/pricing/invocations"}
    try:
        results = {}
        for name, target in targets.items():
            results[name] = {
                "warm-up": wrk(target, args.connections, 3),  # connections, pools, caches
                "loaded": wrk(target, args.connections, args.duration), "single": wrk(target, 1, max(5, args.duration // 2), 1)}
        # The HTTP server's own ceiling here: Steward's cheapest route (GET /health, no body, no upstream, no event).
        wrk(url + "/health", args.connections, 2, script=None)
        health = wrk(url + "/health", args.connections, args.duration, script=None)
        # wrk counts the requests it saw answered; any still in flight when it stopped were served too.
        served = sum(run["requests"] for run in results["steward"].values())
        time.sleep(1)
        shown = call(url + f"/api/v1/deployments/{deployment}", token=token)["deployment"]
        recorded = sum(a["counts"]["requests"] for a in shown["arms"])
        share = shown["arms"][1]["counts"]["requests"] / max(recorded, 1)
    finally:
        for process in (endpoint, proxy, steward):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)

    print(f"{'':10} {'req/s @' + str(args.connections):>12} {'p50 ms':>8} {'p99 ms':>8} | {'1 conn p50':>10} {'p99':>8} {'non-2xx':>8}")
    for name, result in results.items():
        loaded, single = result["loaded"], result["single"]
        print(f"{name:10} {loaded['rate']:12.0f} {loaded['p50']:8.3f} {loaded['p99']:8.3f} | {single['p50']:10.3f} {single['p99']:8.3f} "
              f"{loaded['errors'] + single['errors']:8d}")
    direct, nginx, ours = results["endpoint"], results["nginx"], results["steward"]
    print(f"added latency at 1 connection: nginx p50 +{nginx['single']['p50'] - direct['single']['p50']:.3f} ms, "
          f"p99 +{nginx['single']['p99'] - direct['single']['p99']:.3f} ms; steward p50 +{ours['single']['p50'] - direct['single']['p50']:.3f} ms, "
          f"p99 +{ours['single']['p99'] - direct['single']['p99']:.3f} ms (target: p99 +1 ms at most)")
    print(f"for scale: Steward's GET /health answers {health['rate']:.0f} req/s @{args.connections} "
          f"({health['rate'] / nginx['loaded']['rate']:.2f} of nginx's proxy): the ceiling of any route through its HTTP stack")
    print(f"throughput: steward / nginx = {ours['loaded']['rate'] / nginx['loaded']['rate']:.2f} (target: 0.50 or more), "
          f"with {recorded} events recorded (one per row) for at least {served} requests served ({share:.1%} of the events on the challenger)")


if __name__ == "__main__":
    main()
