"""The LLM gateway against LiteLLM's proxy, in front of the same fast stand-in provider (nginx answering a fixed
OpenAI chat completion, or a fixed server-sent event stream), in one run on this machine with wrk.

The requests (bench/gateway.lua) look like a support assistant's: a system prompt, earlier turns of varied length
and a new question, each one different. Steward runs with a daily budget on the system (every call holds and
settles its cost), the answer cache on (every call is looked up; none repeats), and every call recorded as an
inference event. LiteLLM's proxy runs as installed from bench/requirements-litellm.txt, with no database (so no
budgets or spend logs of its own). Reported: throughput at `--connections` connections for the provider alone,
Steward and LiteLLM, answers and streams, and the latency each adds over calling the provider directly at one
connection (p50, p99). Targets: at one connection at most +0.5 ms p50 and +1 ms p99; at 16 connections at least
50% of the provider's direct throughput and at most +2 ms p99; the ratio to LiteLLM.

The time to the first streamed chunk is measured apart, one request at a time: a second stand-in (in this
process) sends a stream's first chunk at once and the rest 20 ms later, so a gateway that held the stream back
would show it; reported is the median and p99 of the time from sending the request to reading the first chunk
with text, directly and through each gateway. Target: at most +1 ms.

    swift build -c release --product steward
    python3 -m venv bench/.venv-litellm && bench/.venv-litellm/bin/pip install -r bench/requirements-litellm.txt
    python3 bench/gateway.py --duration 20
"""

import argparse
import http.client
import http.server
import json
import os
import socket
import statistics
import threading
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from router import ROOT, call, free_port, start_nginx, wrk

LUA = str(ROOT / "bench" / "gateway.lua")
COMPLETION = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1764547200, "model": "stand-in",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Your parcel left our warehouse yesterday and should "
                                         "arrive within two working days."}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 96, "completion_tokens": 18, "total_tokens": 114}}, separators=(",", ":"))


def sse():
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1764547200, "model": "stand-in"}
    words = "Your parcel left our warehouse yesterday and should arrive within two working days.".split()
    chunks = [dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])]
    chunks += [dict(base, choices=[{"index": 0, "delta": {"content": (" " if i else "") + w}, "finish_reason": None}])
               for i, w in enumerate(words)]
    chunks.append(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
    chunks.append(dict(base, choices=[], usage={"prompt_tokens": 96, "completion_tokens": len(words), "total_tokens": 96 + len(words)}))
    text = "".join(f"data: {json.dumps(c, separators=(',', ':'))}\\n\\n" for c in chunks) + "data: [DONE]\\n\\n"
    return text.replace("'", "\\'")


class SlowStreams:
    """A provider whose streams send their first chunk at once and the rest 20 ms later."""

    def __init__(self):
        chunks = [line + "\n\n" for line in sse().replace("\\'", "'").split("\\n\\n") if line]

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for index, chunk in enumerate(chunks):
                    data = chunk.encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                    if index == 1:
                        time.sleep(0.02)
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def first_chunk(url, key, model, count=200):
    """Milliseconds from sending a streamed chat completion to reading its first chunk with text, one at a time
    over one connection: (median, p99)."""
    parsed = urllib.request.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    connection.connect()
    # The request's head and body go in two writes: without this, Nagle's algorithm holds the body back until the
    # server's delayed acknowledgement, 40 ms.
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body = json.dumps({"model": model, "stream": True, "temperature": 0.7, "max_tokens": 200,
                       "messages": [{"role": "user", "content": "Where is my parcel?"}]})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    times = []
    for i in range(count + 20):
        started = time.perf_counter()
        connection.request("POST", parsed.path, body=body, headers=headers)
        response = connection.getresponse()
        assert response.status == 200, response.read()[:300]
        while True:
            line = response.readline()
            if not line:
                raise RuntimeError("the stream ended before a chunk with text")
            if line.startswith(b"data:") and b'"content":"' in line and b'"content":""' not in line:
                break
        if i >= 20:  # the first requests warm connections and caches
            times.append((time.perf_counter() - started) * 1000)
        response.read()
    connection.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def start_steward(binary, provider_port, slow_port):
    data = tempfile.mkdtemp(prefix="steward-bench-gateway-")
    process = subprocess.Popen(
        [binary, "serve", "--data", data, "--port", "0", "--allow-endpoint-host", "127.0.0.1", "--analysis-interval", "0",
         "--log-level", "warning"], stdout=subprocess.PIPE, text=True, env=dict(os.environ, BENCH_PROVIDER_KEY="sk-bench"))
    url = re.search(r"listening on (http://\S+)", process.stdout.readline()).group(1)
    token = Path(data, "admin-token").read_text().strip()
    configuration = f"""
cache: {{ttl_seconds: 600}}
providers:
  - {{name: answers, kind: openai, base_url: "http://127.0.0.1:{provider_port}/v1", api_key_env: BENCH_PROVIDER_KEY}}
  - {{name: streams, kind: openai, base_url: "http://127.0.0.1:{provider_port}/sse/v1", api_key_env: BENCH_PROVIDER_KEY}}
  - {{name: slow, kind: openai, base_url: "http://127.0.0.1:{slow_port}/v1", api_key_env: BENCH_PROVIDER_KEY}}
models:
  - {{name: bench-first, provider: slow, upstream_model: stand-in, input_per_million: 0.15, output_per_million: 0.6}}
  - {{name: bench-chat, provider: answers, upstream_model: stand-in, input_per_million: 0.15, output_per_million: 0.6}}
  - {{name: bench-stream, provider: streams, upstream_model: stand-in, input_per_million: 0.15, output_per_million: 0.6}}
"""
    call(url + "/api/v1/gateway/config", "PUT", configuration.encode(), token, "application/yaml")
    system = call(url + "/api/v1/systems", "POST", {
        "name": "support-assistant", "purpose": "Answers customers",
        "external_models": [{"provider": "stand-in", "model": m, "version": "1", "type": "llm"} for m in ("bench-chat", "bench-stream", "bench-first")]},
        token)["system"]["id"]
    key = call(url + f"/api/v1/systems/{system}/gateway/keys", "POST", {"label": "bench"}, token)["key"]
    call(url + f"/api/v1/systems/{system}/gateway/budget", "PUT", {"daily_usd": 100000, "monthly_usd": 1000000}, token)
    return process, url, token, system, key, data


def start_litellm(venv, provider_port, slow_port):
    folder = tempfile.mkdtemp(prefix="steward-bench-litellm-")
    config = Path(folder, "config.yaml")
    config.write_text(f"""
model_list:
  - model_name: bench-chat
    litellm_params: {{model: openai/stand-in, api_base: "http://127.0.0.1:{provider_port}/v1", api_key: sk-bench}}
  - model_name: bench-stream
    litellm_params: {{model: openai/stand-in, api_base: "http://127.0.0.1:{provider_port}/sse/v1", api_key: sk-bench}}
  - model_name: bench-first
    litellm_params: {{model: openai/stand-in, api_base: "http://127.0.0.1:{slow_port}/v1", api_key: sk-bench}}
general_settings: {{master_key: sk-master}}
""")
    port = free_port()
    environment = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", LITELLM_TELEMETRY="False", DISABLE_ADMIN_UI="True")
    environment.pop("DATABASE_URL", None)
    log = open(Path(folder, "litellm.log"), "w")
    process = subprocess.Popen([str(Path(venv, "bin", "litellm")), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/health/liveliness", timeout=2):
                return process, url, folder
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(Path(folder, "litellm.log").read_text()[-3000:])
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("LiteLLM's proxy did not become ready in time")


def measure(url, key, model, stream, connections, duration):
    os.environ.update(MODEL=model, KEY=key, STREAM="1" if stream else "0")
    wrk(url, connections, 2, script=LUA)  # connections, pools, caches
    return {"loaded": wrk(url, connections, duration, script=LUA), "single": wrk(url, 1, max(5, duration // 2), 1, script=LUA)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--steward-binary", default=str(ROOT / ".build" / "release" / "steward"))
    parser.add_argument("--litellm-venv", default=str(ROOT / "bench" / ".venv-litellm"))
    parser.add_argument("--skip-litellm", action="store_true", help="measure the provider and Steward only")
    args = parser.parse_args()
    if not shutil.which("nginx") or not shutil.which("wrk"):
        raise SystemExit("nginx and wrk are needed (apt-get install nginx-light wrk).")

    provider_port = free_port()
    provider = start_nginx(f"""
    server {{
        listen 127.0.0.1:{provider_port} backlog=4096;
        location = /v1/chat/completions {{ default_type application/json; return 200 '{COMPLETION}'; }}
        location = /sse/v1/chat/completions {{ default_type text/event-stream; return 200 '{sse()}'; }}
    }}""")
    slow = SlowStreams()
    steward, url, token, system, key, data = start_steward(args.steward_binary, provider_port, slow.port)
    litellm = None
    results = {}
    firsts = {}
    try:
        direct = f"http://127.0.0.1:{provider_port}"
        results["provider"] = {"answers": measure(direct + "/v1/chat/completions", "none", "stand-in", False, args.connections, args.duration),
                               "streams": measure(direct + "/sse/v1/chat/completions", "none", "stand-in", True, args.connections, args.duration)}
        results["steward"] = {"answers": measure(url + "/v1/chat/completions", key, "bench-chat", False, args.connections, args.duration),
                              "streams": measure(url + "/v1/chat/completions", key, "bench-stream", True, args.connections, args.duration)}
        firsts["provider"] = first_chunk(f"http://127.0.0.1:{slow.port}/v1/chat/completions", "none", "stand-in")
        firsts["steward"] = first_chunk(url + "/v1/chat/completions", key, "bench-first")
        if not args.skip_litellm:
            litellm, litellm_url, litellm_folder = start_litellm(args.litellm_venv, provider_port, slow.port)
            results["litellm"] = {
                "answers": measure(litellm_url + "/v1/chat/completions", "sk-master", "bench-chat", False, args.connections, args.duration),
                "streams": measure(litellm_url + "/v1/chat/completions", "sk-master", "bench-stream", True, args.connections, args.duration)}
            firsts["litellm"] = first_chunk(litellm_url + "/v1/chat/completions", "sk-master", "bench-first")
        time.sleep(1)
        status = call(url + f"/api/v1/systems/{system}/monitoring/status", token=token)["status"]
        spent = call(url + f"/api/v1/systems/{system}/gateway/budget", token=token)["budgets"][0]["spent_today_usd"]
    finally:
        for process in (provider, steward, litellm):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
        slow.close()
        shutil.rmtree(data, ignore_errors=True)

    print(f"{'':18} {'req/s @' + str(args.connections):>12} {'p50 ms':>8} {'p99 ms':>8} | {'1 conn p50':>10} {'p99':>8} {'non-2xx':>8}")
    for name, kinds in results.items():
        for kind, result in kinds.items():
            loaded, single = result["loaded"], result["single"]
            print(f"{name + ' ' + kind:18} {loaded['rate']:12.0f} {loaded['p50']:8.3f} {loaded['p99']:8.3f} | {single['p50']:10.3f} "
                  f"{single['p99']:8.3f} {loaded['errors'] + single['errors']:8d}")
    for kind in ("answers", "streams"):
        direct = results["provider"][kind]
        for name in [n for n in ("steward", "litellm") if n in results]:
            ours = results[name][kind]
            print(f"{name} {kind}: at 1 connection p50 +{ours['single']['p50'] - direct['single']['p50']:.3f} ms, "
                  f"p99 +{ours['single']['p99'] - direct['single']['p99']:.3f} ms; at {args.connections} "
                  f"{ours['loaded']['rate'] / direct['loaded']['rate']:.1%} of the provider's throughput, "
                  f"p99 +{ours['loaded']['p99'] - direct['loaded']['p99']:.3f} ms")
        if "litellm" in results:
            print(f"{kind}: steward / litellm throughput = "
                  f"{results['steward'][kind]['loaded']['rate'] / results['litellm'][kind]['loaded']['rate']:.1f}")
    for name, (median, p99) in firsts.items():
        added = "" if name == "provider" else f" (+{median - firsts['provider'][0]:.3f} ms p50, +{p99 - firsts['provider'][1]:.3f} ms p99)"
        print(f"first chunk {name}: p50 {median:.3f} ms, p99 {p99:.3f} ms{added}")
    print("targets: +0.5 ms p50 and +1 ms p99 at 1 connection; at least 50% of the provider's throughput and +2 ms p99 at "
          f"{args.connections}; +1 ms to the first streamed chunk. Steward recorded {status['performance']['requests']} calls as events, ${spent} spent against its budget.")


if __name__ == "__main__":
    main()
