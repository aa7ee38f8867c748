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

    swift build -c release --product steward
    python3 -m venv bench/.venv-litellm && bench/.venv-litellm/bin/pip install -r bench/requirements-litellm.txt
    python3 bench/gateway.py --duration 20
"""

import argparse
import json
import os
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


def start_steward(binary, provider_port):
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
models:
  - {{name: bench-chat, provider: answers, upstream_model: stand-in, input_per_million: 0.15, output_per_million: 0.6}}
  - {{name: bench-stream, provider: streams, upstream_model: stand-in, input_per_million: 0.15, output_per_million: 0.6}}
"""
    call(url + "/api/v1/gateway/config", "PUT", configuration.encode(), token, "application/yaml")
    system = call(url + "/api/v1/systems", "POST", {
        "name": "support-assistant", "purpose": "Answers customers",
        "external_models": [{"provider": "stand-in", "model": m, "version": "1", "type": "llm"} for m in ("bench-chat", "bench-stream")]},
        token)["system"]["id"]
    key = call(url + f"/api/v1/systems/{system}/gateway/keys", "POST", {"label": "bench"}, token)["key"]
    call(url + f"/api/v1/systems/{system}/gateway/budget", "PUT", {"daily_usd": 100000, "monthly_usd": 1000000}, token)
    return process, url, token, system, key, data


def start_litellm(venv, provider_port):
    folder = tempfile.mkdtemp(prefix="steward-bench-litellm-")
    config = Path(folder, "config.yaml")
    config.write_text(f"""
model_list:
  - model_name: bench-chat
    litellm_params: {{model: openai/stand-in, api_base: "http://127.0.0.1:{provider_port}/v1", api_key: sk-bench}}
  - model_name: bench-stream
    litellm_params: {{model: openai/stand-in, api_base: "http://127.0.0.1:{provider_port}/sse/v1", api_key: sk-bench}}
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
    steward, url, token, system, key, data = start_steward(args.steward_binary, provider_port)
    litellm = None
    results = {}
    try:
        direct = f"http://127.0.0.1:{provider_port}"
        results["provider"] = {"answers": measure(direct + "/v1/chat/completions", "none", "stand-in", False, args.connections, args.duration),
                               "streams": measure(direct + "/sse/v1/chat/completions", "none", "stand-in", True, args.connections, args.duration)}
        results["steward"] = {"answers": measure(url + "/v1/chat/completions", key, "bench-chat", False, args.connections, args.duration),
                              "streams": measure(url + "/v1/chat/completions", key, "bench-stream", True, args.connections, args.duration)}
        if not args.skip_litellm:
            litellm, litellm_url, litellm_folder = start_litellm(args.litellm_venv, provider_port)
            results["litellm"] = {
                "answers": measure(litellm_url + "/v1/chat/completions", "sk-master", "bench-chat", False, args.connections, args.duration),
                "streams": measure(litellm_url + "/v1/chat/completions", "sk-master", "bench-stream", True, args.connections, args.duration)}
        time.sleep(1)
        status = call(url + f"/api/v1/systems/{system}/monitoring/status", token=token)["status"]
        spent = call(url + f"/api/v1/systems/{system}/gateway/budget", token=token)["budgets"][0]["spent_today_usd"]
    finally:
        for process in (provider, steward, litellm):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
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
    print("targets: +0.5 ms p50 and +1 ms p99 at 1 connection; at least 50% of the provider's throughput and +2 ms p99 at "
          f"{args.connections}. Steward recorded {status['performance']['requests']} calls as events, ${spent} spent against its budget.")


if __name__ == "__main__":
    main()
