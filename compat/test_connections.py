"""Slow and surplus connections against the real server: `--idle-timeout`, `--body-timeout` and `--max-connections`."""

import socket
import time
from urllib.parse import urlparse

from conftest import start_server


def connect(url):
    parsed = urlparse(url)
    return socket.create_connection((parsed.hostname, parsed.port), timeout=5)


def closed_within(connection, seconds):
    connection.settimeout(seconds)
    try:
        while True:
            data = connection.recv(65536)
            if not data:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def test_slow_silent_and_surplus_connections_are_bounded(tmp_path):
    server = start_server(
        str(tmp_path / "data"), extra_args=["--idle-timeout", "1s", "--body-timeout", "1s", "--max-connections", "2"]
    )
    try:
        # Half a request head, then nothing: closed by the idle (header) timeout.
        slow_head = connect(server.url)
        slow_head.sendall(b"GET /health HTTP/1.1\r\nHo")
        assert closed_within(slow_head, 5)

        # A head, then five bytes every 0.2 s: under 1 KiB/s, closed once the body timeout has passed.
        trickle = connect(server.url)
        trickle.sendall(b"PUT /api/v1/policy HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        started = time.time()
        closed = False
        while not closed and time.time() - started < 10:
            try:
                trickle.sendall(b"aaaaa")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = closed_within(trickle, 0.2)
        assert closed and time.time() - started < 5

        # Two silent connections fill the limit: a third is served only once the idle timeout frees a place.
        held = [connect(server.url), connect(server.url)]
        time.sleep(0.3)
        third = connect(server.url)
        asked = time.time()
        third.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        third.settimeout(10)
        answer = third.recv(65536)
        waited = time.time() - asked
        assert answer.startswith(b"HTTP/1.1 200"), answer
        assert waited > 0.4, waited
        assert all(closed_within(connection, 3) for connection in held)
        for connection in [slow_head, trickle, third, *held]:
            connection.close()
    finally:
        assert server.stop() == 0
