"""A stand-in for paid LLM APIs, which cannot run here: a small HTTP/1.1 server on a free loopback port that speaks
OpenAI's wire format for `POST /v1/chat/completions` (answers, and server-sent event streams in chunked transfer
encoding, with the usage chunk when `stream_options.include_usage` asks for it) and `POST /v1/embeddings`, and
Anthropic's Messages API for `POST /v1/messages` (its `x-api-key` and `anthropic-version` headers, a required
`max_tokens`, answers and its typed event streams; with `tools` and `tool_choice: {type: any}` it calls the first
tool with the text as `{"query": …}`).

The answer echoes the last user message word by word, cut at `max_tokens` (or `max_completion_tokens`); usage is
counted as the real API counts it in shape (prompt tokens from the prompt's words, completion tokens one per word
sent). Upstream model names steer failures:
`fail-500` answers 500, `fail-429` answers 429, `wait-3s` answers after three seconds (noting a caller that goes
away first in `abandoned`), `cut-short` streams the echo and two words and then breaks the
connection, and `grader` is a judge: it answers `0.9` when the last user message says "briefly" and `0.3` when it
does not. Every request's model, headers and body are kept in `requests`."""

import http.server
import json
import select
import socket
import threading
import time


def words_of(messages):
    last = next((m for m in reversed(messages) if m.get("role") == "user"), {"content": ""})
    content = last.get("content") or ""
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ["echo:"] + content.split()


def prompt_tokens(messages):
    return sum(len(str(m.get("content") or "").split()) + 3 for m in messages)


class OpenAIStandIn:
    def __init__(self, key="sk-stand-in"):
        upstream = self
        self.key = key
        self.requests = []
        # Seconds a `wait-3s` call waited before its caller went away, one entry per call abandoned.
        self.abandoned = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with upstream.lock:
                    upstream.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if self.path == "/v1/messages":
                    return self.messages(body)
                if self.headers.get("Authorization") != f"Bearer {upstream.key}":
                    return self.reply(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                                      "param": None, "code": "invalid_api_key"}})
                model = body.get("model", "")
                if model == "fail-500":
                    return self.reply(500, {"error": {"message": "The server had an error", "type": "server_error", "param": None,
                                                      "code": None}})
                if model == "wait-3s":
                    # Answers after three seconds, unless the caller goes away first (noted in `abandoned`).
                    started = time.time()
                    while time.time() - started < 3:
                        readable, _, _ = select.select([self.connection], [], [], 0.05)
                        if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                            with upstream.lock:
                                upstream.abandoned.append(time.time() - started)
                            self.close_connection = True
                            return
                if model == "fail-429":
                    return self.reply(429, {"error": {"message": "Rate limit reached", "type": "requests", "param": None,
                                                      "code": "rate_limit_exceeded"}})
                if self.path == "/v1/embeddings":
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    data = [{"object": "embedding", "index": i, "embedding": [0.1 * (i + 1), 0.2, 0.3]} for i in range(len(inputs))]
                    tokens = sum(len(str(x).split()) for x in inputs)
                    return self.reply(200, {"object": "list", "data": data, "model": model,
                                            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})
                if self.path != "/v1/chat/completions":
                    return self.reply(404, {"error": {"message": "Unknown path", "type": "invalid_request_error", "param": None,
                                                      "code": None}})
                words = words_of(body["messages"])
                if model == "grader":
                    words = ["0.9" if "briefly" in " ".join(words) else "0.3"]
                limit = body.get("max_completion_tokens") or body.get("max_tokens")
                finish = "length" if limit is not None and len(words) > limit else "stop"
                if limit is not None:
                    words = words[:limit]
                usage = {"prompt_tokens": prompt_tokens(body["messages"]), "completion_tokens": len(words),
                         "total_tokens": prompt_tokens(body["messages"]) + len(words),
                         "prompt_tokens_details": {"cached_tokens": 0}}
                created = int(time.time())
                if not body.get("stream"):
                    return self.reply(200, {
                        "id": "chatcmpl-standin", "object": "chat.completion", "created": created, "model": model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": " ".join(words)},
                                     "finish_reason": finish}],
                        "usage": usage})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                if model == "cut-short":
                    # The provider breaks off after the echo and two words: no finish, no usage, no end of the body.
                    try:
                        for i, word in enumerate(words[:3]):
                            chunk = {"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": created, "model": model,
                                     "choices": [{"index": 0, "delta": {"content": (" " if i else "") + word}, "finish_reason": None}]}
                            self.chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                        # A clean end of the connection (FIN, not a reset that could drop what was sent) mid-body.
                        time.sleep(0.05)
                        self.connection.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    self.close_connection = True
                    return
                include_usage = (body.get("stream_options") or {}).get("include_usage") is True
                base = {"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": created, "model": model}
                chunks = [dict(base, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])]
                for i, word in enumerate(words):
                    chunks.append(dict(base, choices=[{"index": 0, "delta": {"content": (" " if i else "") + word},
                                                       "finish_reason": None}]))
                chunks.append(dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": finish}]))
                if include_usage:
                    chunks.append(dict(base, choices=[], usage=usage))
                try:
                    for chunk in chunks:
                        self.chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.chunk(b"data: [DONE]\n\n")
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def messages(self, body):
                def error(status, kind, message):
                    return self.reply(status, {"type": "error", "error": {"type": kind, "message": message}})

                if self.headers.get("x-api-key") != upstream.key:
                    return error(401, "authentication_error", "invalid x-api-key")
                if self.headers.get("anthropic-version") != "2023-06-01":
                    return error(400, "invalid_request_error", "anthropic-version: header is required")
                if not isinstance(body.get("max_tokens"), int):
                    return error(400, "invalid_request_error", "max_tokens: Field required")
                model = body.get("model", "")
                if model == "fail-500":
                    return error(500, "api_error", "Internal server error")
                if model == "overloaded":
                    return error(529, "overloaded_error", "Overloaded")
                turns = [{"role": m["role"], "content": " ".join(b.get("text", "") for b in m["content"] if b.get("type") == "text")
                          if isinstance(m["content"], list) else m["content"]} for m in body["messages"]]
                words = words_of(turns)
                finish = "max_tokens" if len(words) > body["max_tokens"] else "end_turn"
                words = words[:body["max_tokens"]]
                system = body.get("system") or ""
                usage = {"input_tokens": prompt_tokens(turns) + len(system.split()), "output_tokens": len(words),
                         "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}
                tools = body.get("tools") or []
                if tools and (body.get("tool_choice") or {}).get("type") == "any":
                    content = [{"type": "tool_use", "id": "toolu_standin", "name": tools[0]["name"],
                                "input": {"query": " ".join(words[1:])}}]
                    finish = "tool_use"
                else:
                    content = [{"type": "text", "text": " ".join(words)}]
                message = {"id": "msg_standin", "type": "message", "role": "assistant", "model": model, "content": content,
                           "stop_reason": finish, "stop_sequence": None, "usage": usage}
                if not body.get("stream"):
                    return self.reply(200, message)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                events = [("message_start", {"type": "message_start", "message": dict(
                    message, content=[], stop_reason=None, usage=dict(usage, output_tokens=1))}), ("ping", {"type": "ping"})]
                for index, block in enumerate(content):
                    if block["type"] == "text":
                        events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                               "content_block": {"type": "text", "text": ""}}))
                        for i, word in enumerate(words):
                            events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {
                                "type": "text_delta", "text": (" " if i else "") + word}}))
                    else:
                        events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                               "content_block": dict(block, input={})}))
                        arguments = json.dumps(block["input"])
                        for piece in (arguments[:5], arguments[5:]):
                            events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": {
                                "type": "input_json_delta", "partial_json": piece}}))
                    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
                events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": finish, "stop_sequence": None},
                                                 "usage": {"output_tokens": usage["output_tokens"]}}))
                events.append(("message_stop", {"type": "message_stop"}))
                try:
                    for name, data in events:
                        self.chunk(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def chunk(self, data):
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def reply(self, status, payload):
                content = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self, model):
        with self.lock:
            return [r["body"] for r in self.requests if r["body"].get("model") == model]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
