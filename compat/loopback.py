"""Stand-ins for services Steward calls (a served model, an LLM judge, webhook receivers): small HTTP servers on a
free loopback port, each request on a thread of its own."""

import http.server
import json
import threading


class LoopbackServer:
    """Serves POST requests with `answer(path, headers, body)`, which returns (status, headers, body bytes), or None
    to close the connection without an answer. `base_url` is where it listens; `close()` stops it."""

    def __init__(self):
        loopback = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                reply = loopback.answer(self.path, dict(self.headers), body)
                if reply is None:
                    return
                status, headers, content = reply
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path, headers, body):
        raise NotImplementedError

    @staticmethod
    def json_reply(value, status=200):
        return status, {"Content-Type": "application/json"}, json.dumps(value).encode()

    def close(self):
        self.server.shutdown()
