"""The LLM gateway with the real `openai` SDK, in front of a local stand-in that speaks OpenAI's wire format and
Anthropic's Messages API (`llm_upstream.py`): answers and streams pass through (translated both ways for Anthropic), the provider is called with its own model name and the key
from the server's environment, calls are charged from the reported usage at the configured prices and recorded as
the system's events, a model the system does not list is refused and counted, a failing model falls back, and bad
input is refused in OpenAI's error shape."""

import json
import os
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import mlflow
import openai
import pytest
import requests

from conftest import BACKENDS, BINARY, Backend, start_server
from llm_upstream import OpenAIStandIn

KEY_VARIABLE = "COMPAT_LLM_PROVIDER_KEY"


def configuration(base_url):
    return f"""
cache:
  ttl_seconds: 300
providers:
  - name: stand-in
    kind: openai
    base_url: {base_url}
    api_key_env: {KEY_VARIABLE}
  - name: anthropic-stand-in
    kind: anthropic
    base_url: {base_url}
    api_key_env: {KEY_VARIABLE}
models:
  - name: claude-fast
    provider: anthropic-stand-in
    upstream_model: stand-in-claude
    input_per_million: 3
    output_per_million: 15
    max_output_tokens: 64
  - name: chat-fast
    provider: stand-in
    upstream_model: stand-in-chat
    input_per_million: 0.15
    output_per_million: 0.6
  - name: chat-flaky
    provider: stand-in
    upstream_model: fail-500
    input_per_million: 1
    output_per_million: 2
    fallbacks: [chat-fast]
  - name: chat-cut
    provider: stand-in
    upstream_model: cut-short
    input_per_million: 0.25
    output_per_million: 1.25
  - name: chat-slow
    provider: stand-in
    upstream_model: wait-3s
    input_per_million: 1
    output_per_million: 1
    fallbacks: [chat-fast]
  - name: chat-unlisted
    provider: stand-in
    upstream_model: stand-in-chat
    input_per_million: 1
    output_per_million: 1
  - name: chat-grader
    provider: stand-in
    upstream_model: grader
    input_per_million: 0.5
    output_per_million: 0.5
  - name: embed-small
    provider: stand-in
    upstream_model: stand-in-embed
    input_per_million: 0.02
    output_per_million: 0
"""


@pytest.fixture(scope="module", params=BACKENDS)
def gateway(request, tmp_path_factory):
    backend = Backend(request.param)
    data = backend.data_dir("gateway")
    upstream = OpenAIStandIn(key="sk-compat-upstream")
    os.environ[KEY_VARIABLE] = upstream.key
    server = start_server(data, backend.store_url(), extra_args=["--allow-endpoint-host", "127.0.0.1"])
    token = Path(data, "admin-token").read_text().strip()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    try:
        put = session.put(server.url + "/api/v1/gateway/config", data=configuration(upstream.base_url),
                          headers={"Content-Type": "application/yaml"})
        assert put.status_code == 200, put.text
        system = session.post(server.url + "/api/v1/systems", json={
            "name": "support-assistant", "purpose": "Answers support questions",
            "external_models": [{"provider": "stand-in", "model": m, "version": "1", "type": "llm"}
                                for m in ("chat-fast", "chat-flaky", "embed-small", "claude-fast", "chat-slow", "chat-grader")]})
        assert system.status_code == 201, system.text
        system_id = system.json()["system"]["id"]
        made = session.post(server.url + f"/api/v1/systems/{system_id}/gateway/keys", json={"label": "compat"})
        assert made.status_code == 201, made.text
        client = openai.OpenAI(base_url=server.url + "/v1", api_key=made.json()["key"], max_retries=0)
        yield {"server": server, "session": session, "system": system_id, "client": client, "upstream": upstream,
               "key": made.json()}
    finally:
        os.environ.pop(KEY_VARIABLE, None)
        code = server.stop()
        upstream.close()
        backend.cleanup()
        assert code == 0, server.log()


def status(gateway):
    answer = gateway["session"].get(gateway["server"].url + f"/api/v1/systems/{gateway['system']}/monitoring/status")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_chat_answers_pass_through_and_are_charged_and_recorded(gateway):
    client, upstream = gateway["client"], gateway["upstream"]
    before = len(upstream.bodies("stand-in-chat"))
    raw = client.chat.completions.with_raw_response.create(
        model="chat-fast", messages=[{"role": "user", "content": "where is my parcel"}], temperature=0.2)
    answer = raw.parse()
    assert answer.choices[0].message.content == "echo: where is my parcel"
    assert answer.usage.prompt_tokens == 7 and answer.usage.completion_tokens == 5
    assert raw.headers["x-steward-request-id"]
    sent = upstream.bodies("stand-in-chat")[before:]
    assert len(sent) == 1 and sent[0]["temperature"] == 0.2 and sent[0]["model"] == "stand-in-chat"
    assert upstream.requests[-1]["headers"]["Authorization"] == "Bearer sk-compat-upstream"
    # The event arrives through the ingestion path: tokens and the exact cost at the configured prices.
    expected = Decimal(7) * Decimal("0.15") / 1_000_000 + Decimal(5) * Decimal("0.6") / 1_000_000
    deadline = time.time() + 10
    while time.time() < deadline and status(gateway)["status"]["performance"]["requests"] < 1:
        time.sleep(0.1)
    seen = status(gateway)["status"]
    assert seen["performance"]["requests"] == 1 and seen["performance"]["error_rate"] == 0
    assert (seen["cost"]["tokens_in"], seen["cost"]["tokens_out"]) == (7, 5)
    assert seen["cost"]["total_usd"] == pytest.approx(float(expected), rel=1e-12)
    assert {"prompt_characters", "messages", "gateway_key", "stream"} <= set(seen["data"]["features"])


def test_streams_pass_through_with_usage_only_when_asked(gateway):
    client, upstream = gateway["client"], gateway["upstream"]
    before = len(upstream.bodies("stand-in-chat"))
    chunks = list(client.chat.completions.create(
        model="chat-fast", messages=[{"role": "user", "content": "stream me three words"}], stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "echo: stream me three words"
    assert all(c.choices for c in chunks), "a usage chunk reached a client that did not ask for it"
    with_usage = list(client.chat.completions.create(
        model="chat-fast", messages=[{"role": "user", "content": "count me"}], stream=True,
        stream_options={"include_usage": True}))
    assert with_usage[-1].usage is not None and with_usage[-1].usage.completion_tokens == 3
    sent = upstream.bodies("stand-in-chat")[before:]
    assert [s["stream_options"]["include_usage"] for s in sent] == [True, True]


def test_embeddings_and_models(gateway):
    client = gateway["client"]
    answer = client.embeddings.create(model="embed-small", input=["first text", "second"])
    assert [d.index for d in answer.data] == [0, 1] and answer.usage.prompt_tokens == 3
    assert sorted(m.id for m in client.models.list()) == ["chat-fast", "chat-flaky", "chat-grader", "chat-slow", "claude-fast", "embed-small"]


def test_unlisted_model_is_refused_and_counted(gateway):
    client, session, url = gateway["client"], gateway["session"], gateway["server"].url
    calls = len(gateway["upstream"].requests)
    with pytest.raises(openai.PermissionDeniedError) as refused:
        client.chat.completions.create(model="chat-unlisted", messages=[{"role": "user", "content": "hi"}])
    assert "chat-fast" in str(refused.value) and refused.value.status_code == 403
    assert len(gateway["upstream"].requests) == calls
    keys = session.get(url + f"/api/v1/systems/{gateway['system']}/gateway/keys").json()
    assert keys["unlisted_model_calls"] >= 1 and keys["keys"][0]["id"] == gateway["key"]["id"]
    assert "key" not in keys["keys"][0]
    audit = session.get(url + "/api/v1/audit", params={"system": gateway["system"]}).json()
    assert "gateway.unlisted_model" in str(audit)


def test_failing_model_falls_back(gateway):
    answer = gateway["client"].chat.completions.create(model="chat-flaky", messages=[{"role": "user", "content": "retry"}])
    assert answer.choices[0].message.content == "echo: retry"
    assert len(gateway["upstream"].bodies("fail-500")) >= 1


def test_a_client_that_goes_away_cancels_the_providers_call(gateway):
    """A client that closes its connection while a (non-streamed) call waits for the provider ends the provider's
    call at once: no fallback is tried and nothing is charged."""
    upstream, url = gateway["upstream"], gateway["server"].url
    spent = spent_today(gateway)
    calls = len(upstream.requests)
    body = json.dumps({"model": "chat-slow", "messages": [{"role": "user", "content": "take your time"}]}).encode()
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: steward\r\nContent-Type: application/json\r\n"
                           + f"Authorization: Bearer {gateway['key']['key']}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(0.3)
    deadline = time.time() + 5
    while time.time() < deadline and not upstream.abandoned:
        time.sleep(0.05)
    assert upstream.abandoned and upstream.abandoned[0] < 1.5, upstream.abandoned
    time.sleep(0.3)
    assert [r["body"]["model"] for r in upstream.requests[calls:]] == ["wait-3s"], "no fallback after the client left"
    assert spent_today(gateway) == spent


def test_repeats_are_answered_from_the_cache(gateway):
    """An answer not sampled (temperature 0) is kept: a streamed first call fills the cache, and the repeat, as an
    answer or as a stream, comes from it without calling the provider."""
    client, upstream = gateway["client"], gateway["upstream"]
    messages = [{"role": "user", "content": "cache this answer"}]
    before = len(upstream.requests)
    first = client.chat.completions.with_raw_response.create(model="chat-fast", messages=messages, temperature=0, stream=True)
    assert first.headers["x-steward-cache"] == "miss"
    assert "".join(c.choices[0].delta.content or "" for c in first.parse() if c.choices) == "echo: cache this answer"
    again = client.chat.completions.with_raw_response.create(model="chat-fast", messages=messages, temperature=0)
    assert again.headers["x-steward-cache"] == "hit"
    answer = again.parse()
    assert answer.choices[0].message.content == "echo: cache this answer" and answer.choices[0].finish_reason == "stop"
    streamed = list(client.chat.completions.create(model="chat-fast", messages=messages, temperature=0, stream=True,
                                                   stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == "echo: cache this answer"
    assert streamed[-1].usage.completion_tokens == 4
    assert len(upstream.requests) == before + 1
    skipped = client.chat.completions.with_raw_response.create(model="chat-fast", messages=messages, temperature=0,
                                                               extra_headers={"Cache-Control": "no-cache"})
    assert "x-steward-cache" not in skipped.headers and len(upstream.requests) == before + 2


def test_concurrent_streams_never_spend_past_a_budget(gateway):
    """64 streaming calls at once against a daily budget that ten such calls fill: none is charged past it."""
    session, url, system = gateway["session"], gateway["server"].url, gateway["system"]
    # Each call costs 7 prompt tokens at 0.15 $ and 5 completion tokens at 0.6 $ a million: 4.05 millionths.
    budget = Decimal("0.0000405")
    before = spent_today(gateway)
    assert session.put(url + f"/api/v1/systems/{system}/gateway/budget",
                       json={"daily_usd": float(before + budget)}).status_code == 200

    def call(_):
        try:
            stream = gateway["client"].chat.completions.create(
                model="chat-fast", messages=[{"role": "user", "content": "where is my parcel"}], stream=True, max_tokens=10)
            return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        except openai.RateLimitError as refused:
            assert "budget_exceeded" in str(refused) and "daily budget of system" in str(refused)
            return None

    with ThreadPoolExecutor(max_workers=64) as pool:
        answers = list(pool.map(call, range(64)))
    served = [a for a in answers if a is not None]
    spent = spent_today(gateway) - before
    overshoot = max(Decimal(0), spent - budget)
    print(f"budget {budget} $: {len(served)} of 64 streams served, spent {spent} $, overshoot {overshoot} $")
    assert served and overshoot == 0
    assert all(a.startswith("echo:") for a in served)
    assert session.put(url + f"/api/v1/systems/{system}/gateway/budget", json={"daily_usd": None}).status_code == 200


def spent_today(gateway):
    report = gateway["session"].get(gateway["server"].url + f"/api/v1/systems/{gateway['system']}/gateway/budget")
    assert report.status_code == 200, report.text
    return Decimal(next(b for b in report.json()["budgets"] if b["scope"].startswith("system:"))["spent_today_usd"])


def test_anthropic_provider_is_translated_both_ways(gateway):
    """A model of an Anthropic provider answers the OpenAI SDK as OpenAI would: the request goes to /messages with
    Anthropic's headers, system prompt and required max_tokens; answers, streams and tool calls come back in
    OpenAI's shape with usage, and the calls are charged from it exactly."""
    client, upstream = gateway["client"], gateway["upstream"]
    spent = spent_today(gateway)
    before = len(upstream.requests)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "where is my parcel"}]
    answer = client.chat.completions.create(model="claude-fast", messages=messages, temperature=0.5)
    assert answer.choices[0].message.content == "echo: where is my parcel" and answer.choices[0].finish_reason == "stop"
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (9, 5)
    sent = upstream.requests[before]
    assert sent["path"] == "/v1/messages" and sent["headers"]["x-api-key"] == "sk-compat-upstream"
    assert "Authorization" not in sent["headers"] and sent["headers"]["anthropic-version"] == "2023-06-01"
    assert sent["body"]["system"] == "Be brief." and sent["body"]["max_tokens"] == 64 and sent["body"]["temperature"] == 0.5
    assert sent["body"]["model"] == "stand-in-claude" and [m["role"] for m in sent["body"]["messages"]] == ["user"]
    usages = [answer.usage]

    chunks = list(client.chat.completions.create(model="claude-fast", messages=messages, stream=True, max_tokens=3,
                                                 stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "echo: where is"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage.completion_tokens == 3 and upstream.requests[-1]["body"]["max_tokens"] == 3
    usages.append(chunks[-1].usage)

    tools = [{"type": "function", "function": {"name": "lookup", "description": "Find a parcel",
                                               "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}}]
    called = client.chat.completions.create(model="claude-fast", messages=messages, tools=tools, tool_choice="required")
    call = called.choices[0].message.tool_calls[0]
    assert called.choices[0].finish_reason == "tool_calls" and call.function.name == "lookup"
    assert json.loads(call.function.arguments) == {"query": "where is my parcel"}
    assert upstream.requests[-1]["body"]["tool_choice"] == {"type": "any"}
    usages.append(called.usage)
    streamed = list(client.chat.completions.create(model="claude-fast", messages=messages, tools=tools, tool_choice="required",
                                                   stream=True, stream_options={"include_usage": True}))
    pieces = [t for c in streamed if c.choices for t in (c.choices[0].delta.tool_calls or [])]
    assert pieces[0].id == "toolu_standin" and pieces[0].function.name == "lookup"
    assert json.loads("".join(p.function.arguments or "" for p in pieces)) == {"query": "where is my parcel"}
    usages.append(streamed[-1].usage)

    expected = sum(Decimal(u.prompt_tokens) * 3 / 1_000_000 + Decimal(u.completion_tokens) * 15 / 1_000_000 for u in usages)
    deadline = time.time() + 10
    while time.time() < deadline and spent_today(gateway) - spent < expected:
        time.sleep(0.1)
    assert spent_today(gateway) - spent == expected

    calls = len(upstream.requests)
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(model="claude-fast", messages=messages, n=2)
    assert "n above 1" in str(refused.value) and "Anthropic" in str(refused.value)
    assert len(upstream.requests) == calls


def test_registered_prompts_are_rendered_and_their_spend_is_reported(gateway):
    """A call may name a registered prompt (by alias or version) instead of, or before, its messages: the server
    renders it with the call's variables, sends the provider the messages alone, records the prompt's version on the
    event and reports spend per model and per prompt version."""
    client, upstream, session, url = gateway["client"], gateway["upstream"], gateway["session"], gateway["server"].url
    os.environ["MLFLOW_TRACKING_TOKEN"] = session.headers["Authorization"].split(" ", 1)[1]
    try:
        mlflow.set_tracking_uri(url)
        name = "support-reply"
        mlflow.genai.register_prompt(name=name, template=[{"role": "system", "content": "You answer for {{shop}}."},
                                                          {"role": "user", "content": "{{question}}"}])
        mlflow.genai.register_prompt(name=name, template="Answer briefly: {{ question }}")
        mlflow.genai.set_prompt_alias(name, alias="live", version=1)
    finally:
        os.environ.pop("MLFLOW_TRACKING_TOKEN", None)
    before = len(upstream.requests)
    answer = client.chat.completions.create(model="chat-fast", messages=[], extra_body={"prompt": {
        "name": name, "alias": "live", "variables": {"shop": "Acme", "question": "where is my parcel"}}})
    assert answer.choices[0].message.content == "echo: where is my parcel"
    sent = upstream.requests[before]["body"]
    assert sent["messages"] == [{"role": "system", "content": "You answer for Acme."}, {"role": "user", "content": "where is my parcel"}]
    assert "prompt" not in sent
    second = client.chat.completions.create(model="chat-fast", messages=[{"role": "user", "content": "and more"}],
                                            extra_body={"prompt": {"name": name, "version": 2, "variables": {"question": 7}}})
    assert upstream.requests[-1]["body"]["messages"] == [{"role": "user", "content": "Answer briefly: 7"},
                                                         {"role": "user", "content": "and more"}]
    calls = len(upstream.requests)
    with pytest.raises(openai.BadRequestError) as missing:
        client.chat.completions.create(model="chat-fast", messages=[], extra_body={"prompt": {"name": name, "version": 1}})
    assert "shop" in str(missing.value) and "question" in str(missing.value)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="chat-fast", messages=[], extra_body={"prompt": {"name": "no-such-prompt"}})
    with pytest.raises(openai.BadRequestError) as both:
        client.chat.completions.create(model="chat-fast", messages=[], extra_body={"prompt": {"name": name, "version": 1, "alias": "x"}})
    assert "not both" in str(both.value)
    assert len(upstream.requests) == calls

    def cost(usage):
        return Decimal(usage.prompt_tokens) * Decimal("0.15") / 1_000_000 + Decimal(usage.completion_tokens) * Decimal("0.6") / 1_000_000

    report = session.get(url + f"/api/v1/systems/{gateway['system']}/gateway/spend")
    assert report.status_code == 200, report.text
    spend = {entry["scope"]: entry for entry in report.json()["spend"]}
    assert report.json()["spend"][0]["scope"] == "system"
    for version, usage in [("1", answer.usage), ("2", second.usage)]:
        entry = spend[f"prompt:{name}/{version}"]
        assert entry["calls_today"] == 1 and Decimal(entry["today_usd"]) == cost(usage), entry
    assert spend["model:chat-fast"]["calls_today"] >= 2 and spend["model:claude-fast"]["calls_today"] == 4
    assert sum(Decimal(e["today_usd"]) for s, e in spend.items() if s.startswith("model:")) == Decimal(spend["system"]["today_usd"])
    assert session.get(url + f"/api/v1/systems/{gateway['system']}/gateway/spend", params={"day": "2026-13-01"}).status_code == 400
    deadline = time.time() + 10
    while time.time() < deadline and "prompt_version" not in status(gateway)["status"]["data"]["features"]:
        time.sleep(0.1)
    assert "prompt_version" in status(gateway)["status"]["data"]["features"]


def test_prompt_ab_test_is_sticky_per_user_and_compares_feedback(gateway):
    """An experiment on the prompt splits the calls that name it by alias between its versions, sticky per user
    (the X-Steward-Unit header before the user field); feedback joined by request id is counted per version and the
    versions are compared with the sequential test; ending it gives the alias's version back."""
    client, upstream, session, url, system = (gateway["client"], gateway["upstream"], gateway["session"], gateway["server"].url,
                                              gateway["system"])
    experiments = url + f"/api/v1/systems/{system}/gateway/prompt-experiments"
    # A version in an experiment answers real users: a medium-risk system's challenger needs its evaluation gate,
    # and full traffic is promotion, whatever the tier. A refusal is audited and sets nothing.
    tier = url + f"/api/v1/systems/{system}/tier"
    assert session.post(tier, json={"tier": "medium", "rationale": "replies reach customers"}).status_code == 200
    refused = session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": 2, "weight": 50}]})
    assert refused.status_code == 403 and "evaluation_gate_passed" in refused.text and "version 2 as a challenger" in refused.text, refused.text
    assert session.post(tier, json={"tier": "low", "rationale": "internal drafts only"}).status_code == 200
    full = session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 0}, {"version": 2, "weight": 100}]})
    assert full.status_code == 403 and "full traffic is promotion" in full.text, full.text
    assert session.get(experiments).json()["experiments"] == []
    judge = {"model": "chat-grader", "rubric": "Brief, correct answers.", "sample_percent": 100}
    for wrong, why in [(dict(judge, model="chat-unlisted"), "may use"), (dict(judge, sample_percent=0), "sample_percent"),
                       (dict(judge, rubric=" "), "rubric"), (dict(judge, temperature=1), "temperature")]:
        refused = session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": 2, "weight": 50}],
                                                                    "judge": wrong})
        assert refused.status_code == 400 and why in refused.text, refused.text
    made = session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": "2", "weight": 50}],
                                                             "judge": judge})
    assert made.status_code == 200, made.text
    assert [v["version"] for v in made.json()["versions"]] == ["1", "2"] and made.json()["primary_metric"] == "conversion"
    assert made.json()["judge"] == {"model": "chat-grader", "rubric": "Brief, correct answers.", "sample_percent": 100, "max_tokens": 16}
    # Changing the split alone keeps the judge; null takes it away.
    kept = session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": 2, "weight": 50}]})
    assert kept.status_code == 200 and kept.json()["judge"]["model"] == "chat-grader", kept.text
    removed = session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": 2, "weight": 50}],
                                                                "judge": None})
    assert removed.status_code == 200 and "judge" not in removed.json(), removed.text
    made = session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": "2", "weight": 50}],
                                                             "judge": judge})
    assert made.status_code == 200, made.text
    assert session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": 9, "weight": 50}]}).status_code == 404
    assert session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 60}, {"version": 2, "weight": 50}]}).status_code == 400
    assert session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": 2, "weight": 50}],
                                                             "split": "even"}).status_code == 400
    prompt = {"name": "support-reply", "alias": "live", "variables": {"shop": "Acme", "question": "where is my parcel"}}

    def served_version():
        # The judge grades answers after they have gone: its calls may come in between.
        messages = next(r for r in reversed(upstream.requests) if r["body"]["model"] != "grader")["body"]["messages"]
        return "1" if messages[0]["role"] == "system" else "2"

    seen, request_ids = {}, {"1": [], "2": []}
    for round_ in range(2):
        for user in range(40):
            raw = client.chat.completions.with_raw_response.create(model="chat-fast", messages=[], user=f"user-{user}",
                                                                   extra_body={"prompt": prompt})
            version = served_version()
            assert seen.setdefault(user, version) == version, f"user-{user} moved from version {seen[user]} to {version}"
            request_ids[version].append(raw.headers["x-steward-request-id"])
    assert 0 < sum(1 for v in seen.values() if v == "1") < 40, seen
    client.chat.completions.create(model="chat-fast", messages=[], user="someone-else", extra_body={"prompt": prompt},
                                   extra_headers={"X-Steward-Unit": "user-0"})
    assert served_version() == seen[0], "the X-Steward-Unit header is the unit before the user field"

    def report():
        answer = session.get(experiments)
        assert answer.status_code == 200, answer.text
        return next(e for e in answer.json()["experiments"] if e["prompt"] == "support-reply")

    deadline = time.time() + 10
    while time.time() < deadline and sum(v["calls"] for v in report()["versions"]) < 81:
        time.sleep(0.1)
    versions = {v["version"]: v for v in report()["versions"]}
    assert versions["1"]["calls"] + versions["2"]["calls"] == 81
    assert versions["1"]["units"] + versions["2"]["units"] == 40, "a unit is a user, counted once"
    feedback = [{"request_id": r, "feedback": 1} for r in request_ids["2"]] + [{"request_id": r, "feedback": -1} for r in request_ids["1"]]
    labelled = session.post(url + f"/api/v1/systems/{system}/labels", json=feedback)
    assert labelled.status_code == 200 and labelled.json()["matched"] == 80, labelled.text
    result = report()
    versions = {v["version"]: v for v in result["versions"]}
    assert versions["1"]["conversion"] == 0 and versions["2"]["conversion"] == 1 and versions["2"]["feedback"] == len(request_ids["2"])
    assert versions["2"]["difference"] == 1 and versions["2"]["p_value"] < 0.05 and "p_value" not in versions["1"]
    assert result["verdict"].startswith("Version 2 is better than version 1 on conversion"), result["verdict"]
    assert versions["1"]["cost_usd"] > 0 and versions["1"]["latency_p50_ms"] > 0

    # The judge graded every answer (the sample is 100%) through the gateway, as the system's own calls, and its
    # scores are joined per version; the versions can be compared on them.
    deadline = time.time() + 20
    while time.time() < deadline and sum(v["judged"] for v in report()["versions"]) < 81:
        time.sleep(0.1)
    versions = {v["version"]: v for v in report()["versions"]}
    assert versions["1"]["judged"] == versions["1"]["calls"] and versions["2"]["judged"] == versions["2"]["calls"], versions
    assert abs(versions["1"]["judge_score"] - 0.3) < 1e-9 and abs(versions["2"]["judge_score"] - 0.9) < 1e-9, versions
    graded = [r["body"] for r in upstream.requests if r["body"]["model"] == "grader"]
    assert len(graded) == 81 and all(b["temperature"] == 0 and b["max_tokens"] == 16 for b in graded)
    assert "Brief, correct answers." in graded[0]["messages"][0]["content"] and "Answer:\necho:" in graded[0]["messages"][1]["content"]
    spend = {e["scope"]: e for e in session.get(url + f"/api/v1/systems/{system}/gateway/spend").json()["spend"]}
    assert spend["model:chat-grader"]["calls_today"] == 81, "the judge's calls are the system's spend"
    rescored = session.put(experiments + "/support-reply", json={"versions": [{"version": 1, "weight": 50}, {"version": 2, "weight": 50}],
                                                                 "primary_metric": "judge_score", "judge": judge})
    assert rescored.status_code == 200, rescored.text
    versions = {v["version"]: v for v in rescored.json()["versions"]}
    assert abs(versions["2"]["difference"] - 0.6) < 1e-9 and versions["2"]["p_value"] < 0.05, versions
    assert rescored.json()["verdict"].startswith("Version 2 is better than version 1 on judge_score"), rescored.json()["verdict"]
    posted = session.post(url + f"/api/v1/systems/{system}/labels", json=[{"request_id": request_ids["1"][0], "judge_score": 1.5}])
    assert posted.status_code == 200 and posted.json()["rejected"] == 1 and "judge_score" in posted.json()["errors"][0]["message"], posted.text
    # An answer served from the cache is graded too: the judge grades what the user was given.
    for expected in ("miss", "hit"):
        raw = client.chat.completions.with_raw_response.create(model="chat-fast", messages=[], user="user-0", temperature=0,
                                                               extra_body={"prompt": prompt})
        assert raw.headers["x-steward-cache"] == expected
    deadline = time.time() + 20
    while time.time() < deadline and sum(v["judged"] for v in report()["versions"]) < 83:
        time.sleep(0.1)
    assert sum(v["judged"] for v in report()["versions"]) == 83 == sum(v["calls"] for v in report()["versions"])

    assert session.delete(experiments + "/support-reply").status_code == 200
    assert session.delete(experiments + "/support-reply").status_code == 404
    client.chat.completions.create(model="chat-fast", messages=[], user=f"user-{next(u for u, v in seen.items() if v == '2')}",
                                   extra_body={"prompt": prompt})
    assert served_version() == "1", "with the experiment ended, the alias's version serves every user"
    audit = session.get(url + "/api/v1/audit", params={"system": system}).json()
    assert "gateway.prompt_experiment.set" in str(audit) and "gateway.prompt_experiment.end" in str(audit)


def test_prompt_evaluation_calls_the_model_through_the_gateway(gateway):
    """POST /api/v1/evaluations with prompt= renders the prompt's version for each row of a registered test set,
    calls the model through the gateway (the system's calls: events, spend, budgets), scores the outputs with the
    text metrics and checks the gate; the evaluation is of the prompt's version."""
    session, url, system, upstream = gateway["session"], gateway["server"].url, gateway["system"], gateway["upstream"]
    rows = [("where is my parcel", "echo: Answer briefly: where is my parcel"), ("when do you open", "echo: Answer briefly: when do you open"),
            ("can I return shoes", "echo: Answer briefly: can I return shoes"), ("hello", "something else")]
    csv = "question,expected,shop\n" + "".join(f"{q},{e},Acme\n" for q, e in rows)
    registered = session.post(url + f"/api/v1/systems/{system}/datasets", params={"name": "support-questions"}, data=csv)
    assert registered.status_code == 201, registered.text
    gate = session.put(url + f"/api/v1/systems/{system}/gate", data="name: replies\nconditions:\n  - exact_match >= 0.7\n",
                       headers={"Content-Type": "application/yaml"})
    assert gate.status_code == 200, gate.text
    # The evaluation is of the prompt's version, as the system's: the prompt is linked to its register entry.
    linked = session.post(url + f"/api/v1/systems/{system}/models", json={"name": "support-reply", "kind": "prompt"})
    assert linked.status_code == 200, linked.text
    spent = spent_today(gateway)
    before = len(upstream.requests)
    params = {"system": system, "task": "text", "label": "expected", "dataset": "support-questions", "prompt": "support-reply",
              "prompt_version": "2", "gateway_model": "chat-fast", "feature": "question"}
    evaluated = session.post(url + "/api/v1/evaluations", params=params)
    assert evaluated.status_code == 201, evaluated.text
    evaluation = evaluated.json()["evaluation"]
    assert (evaluation["model"], evaluation["version"], evaluation["rows"]) == ("support-reply", "2", 4)
    assert evaluation["metrics"]["exact_match"] == 0.75 and evaluation["gate_passed"] is True
    sent = [r["body"] for r in upstream.requests[before:]]
    assert [b["messages"] for b in sent] == [[{"role": "user", "content": f"Answer briefly: {q}"}] for q, _ in rows]
    assert all(b["temperature"] == 0 for b in sent)
    deadline = time.time() + 10
    while time.time() < deadline and spent_today(gateway) == spent:
        time.sleep(0.1)
    assert spent_today(gateway) > spent, "the evaluation's calls are the system's spend"

    by_alias = session.post(url + "/api/v1/evaluations", params=dict(params, prompt_version=None, prompt_alias="live"))
    assert by_alias.status_code == 400 and "shop" in by_alias.json()["message"], "version 1 also needs the shop"
    by_alias = session.post(url + "/api/v1/evaluations", params=dict(params, prompt_version=None, prompt_alias="live", feature=["question", "shop"]))
    assert by_alias.status_code == 201 and by_alias.json()["evaluation"]["version"] == "1", by_alias.text
    assert upstream.requests[-1]["body"]["messages"][0] == {"role": "system", "content": "You answer for Acme."}
    calls = len(upstream.requests)
    for refused, status in [(dict(params, gateway_model="chat-unlisted"), 403), (dict(params, feature=None), 400),
                            (dict(params, model="support-reply"), 400), (dict(params, task="binary"), 400),
                            (dict(params, prompt=None), 400)]:
        answer = session.post(url + "/api/v1/evaluations", params={k: v for k, v in refused.items() if v is not None})
        assert answer.status_code == status, (refused, answer.text)
    assert len(upstream.requests) == calls
    budget = session.put(url + f"/api/v1/systems/{system}/gateway/budget", json={"daily_usd": float(spent_today(gateway))})
    assert budget.status_code == 200
    over = session.post(url + "/api/v1/evaluations", params=params)
    assert over.status_code == 429 and "budget_exceeded" in over.json()["message"], over.text
    assert session.put(url + f"/api/v1/systems/{system}/gateway/budget", json={"daily_usd": None}).status_code == 200


def test_a_replay_of_a_thousand_calls_is_charged_exactly(gateway):
    """1,000 calls of a fresh system, at once from eight clients: answers, streams with and without the usage chunk,
    repeats answered from the cache, streams the provider breaks off, and an Anthropic model. The recorded spend, in
    all and per model, equals the sum of each call's usage times its model's prices in decimal (the usage the
    provider reported, or for a stream broken off the estimate from what was sent: four characters a token); a
    cache hit is free; every other call is charged (no call with usage at $0 would let the sums agree)."""
    session, url = gateway["session"], gateway["server"].url
    made = session.post(url + "/api/v1/systems", json={
        "name": "replay-assistant", "purpose": "Replays calls",
        "external_models": [{"provider": "stand-in", "model": m, "version": "1", "type": "llm"}
                            for m in ("chat-fast", "chat-cut", "claude-fast")]})
    assert made.status_code == 201, made.text
    system = made.json()["system"]["id"]
    key = session.post(url + f"/api/v1/systems/{system}/gateway/keys", json={"label": "replay"}).json()["key"]
    client = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0)
    prices = {"chat-fast": (Decimal("0.15"), Decimal("0.6")), "chat-cut": (Decimal("0.25"), Decimal("1.25")),
              "claude-fast": (Decimal(3), Decimal(15))}

    def standin_usage(messages):
        words = ["echo:"] + messages[-1]["content"].split()
        return sum(len(m["content"].split()) + 3 for m in messages), len(words)

    def call(i):
        """Returns (model, prompt tokens, completion tokens, charged) for call i."""
        kind = i % 6
        text = f"question {i} about parcel {i * 7 % 13}"
        messages = [{"role": "user", "content": text}]
        if kind == 0:
            answer = client.chat.completions.create(model="chat-fast", messages=messages, temperature=0.3)
            return "chat-fast", answer.usage.prompt_tokens, answer.usage.completion_tokens, True
        if kind == 1:
            chunks = list(client.chat.completions.create(model="chat-fast", messages=messages, stream=True, temperature=0.3,
                                                         stream_options={"include_usage": True}))
            return "chat-fast", chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens, True
        if kind == 2:
            chunks = list(client.chat.completions.create(model="chat-fast", messages=messages, stream=True, temperature=0.3))
            assert all(c.usage is None for c in chunks)
            return ("chat-fast", *standin_usage(messages), True)
        if kind == 3:
            raw = client.chat.completions.with_raw_response.create(
                model="chat-fast", messages=[{"role": "user", "content": "what are your opening hours"}], temperature=0)
            usage = raw.parse().usage
            return "chat-fast", usage.prompt_tokens, usage.completion_tokens, raw.headers["x-steward-cache"] == "miss"
        if kind == 4:
            received = ""
            with pytest.raises(Exception):
                for chunk in client.chat.completions.create(model="chat-cut", messages=messages, stream=True):
                    received += "".join(c.delta.content or "" for c in chunk.choices)
            sent = " ".join((["echo:"] + text.split())[:3])
            assert received in ("", sent) or sent.startswith(received)
            return "chat-cut", (len(text) + 3) // 4, (len(sent) + 3) // 4, True
        answer = client.chat.completions.create(model="claude-fast", messages=messages)
        return "claude-fast", answer.usage.prompt_tokens, answer.usage.completion_tokens, True

    with ThreadPoolExecutor(max_workers=8) as pool:
        calls = list(pool.map(call, range(1000)))
    expected = {model: Decimal(0) for model in prices}
    charged = {model: 0 for model in prices}
    for model, prompt, completion, paid in calls:
        if paid:
            expected[model] += (Decimal(prompt) * prices[model][0] + Decimal(completion) * prices[model][1]) / 1_000_000
            charged[model] += 1
    hits = sum(1 for _, _, _, paid in calls if not paid)
    assert hits >= 150, f"only {hits} of 167 repeats came from the cache"

    def spend():
        report = session.get(url + f"/api/v1/systems/{system}/gateway/spend")
        assert report.status_code == 200, report.text
        return {e["scope"]: e for e in report.json()["spend"]}

    deadline = time.time() + 20
    while time.time() < deadline and sum(spend().get(f"model:{m}", {"calls_today": 0})["calls_today"] for m in prices) < sum(charged.values()):
        time.sleep(0.2)
    recorded = spend()
    total = sum(expected.values())
    print(f"1000 calls ({hits} cache hits): recorded {recorded['system']['today_usd']} $, expected {total} $")
    for model in prices:
        assert Decimal(recorded[f"model:{model}"]["today_usd"]) == expected[model], model
        assert recorded[f"model:{model}"]["calls_today"] == charged[model], model
    assert Decimal(recorded["system"]["today_usd"]) == total and recorded["system"]["calls_today"] == sum(charged.values())


def test_bad_keys_and_bad_input_are_refused_in_openai_shape(gateway):
    url = gateway["server"].url
    wrong = openai.OpenAI(base_url=url + "/v1", api_key="sgw_not-a-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        wrong.models.list()
    calls = len(gateway["upstream"].requests)
    with pytest.raises(openai.BadRequestError) as bad:
        gateway["client"].chat.completions.create(model="chat-fast", messages=[{"role": "user", "content": "x"}], n=0)
    assert "n must be" in str(bad.value)
    malformed = requests.post(url + "/v1/chat/completions", data="{not json",
                              headers={"Authorization": f"Bearer {gateway['key']['key']}", "Content-Type": "application/json"})
    assert malformed.status_code == 400 and malformed.json()["error"]["type"] == "invalid_request_error"
    wrong_type = requests.post(url + "/v1/chat/completions", json={"model": "chat-fast", "messages": "hi"},
                               headers={"Authorization": f"Bearer {gateway['key']['key']}"})
    assert wrong_type.status_code == 400 and "messages" in wrong_type.json()["error"]["message"]
    assert len(gateway["upstream"].requests) == calls
    revoked = gateway["session"].delete(url + f"/api/v1/systems/{gateway['system']}/gateway/keys/{gateway['key']['id']}")
    assert revoked.status_code == 200
    with pytest.raises(openai.AuthenticationError):
        gateway["client"].models.list()


def test_the_command_line_sets_up_and_reports_the_gateway(gateway):
    """`steward gateway` against the running server: a key (shown once, then listed by its id), a budget, the spend
    report and the prompt experiments, with the server's refusals as the command's errors."""
    session, url, system = gateway["session"], gateway["server"].url, gateway["system"]
    environment = dict(os.environ, STEWARD_TOKEN=session.headers["Authorization"].split(" ", 1)[1])

    def steward(*args):
        return subprocess.run([BINARY, "gateway", *args, "--server", url], capture_output=True, text=True, timeout=60, env=environment)

    made = steward("keys", "create", system, "--label", "from-the-cli", "--quiet")
    assert made.returncode == 0 and made.stdout.strip().startswith("sgw_"), made.stderr
    client = openai.OpenAI(base_url=url + "/v1", api_key=made.stdout.strip(), max_retries=0)
    assert client.chat.completions.create(model="chat-fast", messages=[{"role": "user", "content": "hi there"}]).choices
    listed = steward("keys", "list", system)
    assert listed.returncode == 0 and "from-the-cli" in listed.stdout, listed.stderr
    key_id = next(line.split("\t")[0] for line in listed.stdout.splitlines() if "from-the-cli" in line)
    budget = steward("budget", system, "--key", key_id, "--daily-usd", "3")
    assert budget.returncode == 0 and f"key:{key_id}\t3\t" in budget.stdout, budget.stdout + budget.stderr
    spend = steward("spend", system)
    assert spend.returncode == 0 and spend.stdout.splitlines()[1].startswith("system\t") and f"key:{key_id}\t" in spend.stdout, spend.stdout
    status = steward("experiment", "status", system, "--json")
    assert status.returncode == 0 and "experiments" in json.loads(status.stdout), status.stderr
    refused = steward("experiment", "set", system, "support-reply", "--version", "1@60", "--version", "2@50")
    assert refused.returncode != 0 and "sum to 100" in refused.stderr, refused.stderr
    revoked = steward("keys", "revoke", system, key_id)
    assert revoked.returncode == 0, revoked.stderr
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="chat-fast", messages=[{"role": "user", "content": "hi again"}])
