"""Gateways written to misbehave, each a few lines on a loopback socket, for the self-tests
(tests/test_hostile.py) and the benchmark's peak-memory run (bench/run.py).

``gateway(script)`` serves each request with ``script(connection, request)``; ``HOSTILE`` names one
script per way a gateway was seen to break a client: trickled headers and body, a flood of 1xx, an
endless stream and an endless line, a huge body, a gzip bomb, JSON nested too deep with a bad
Retry-After, a redirect to another host, the key echoed at a truncation point and inside base64, a
cookie, an HTML page, a body cut short, a hang-up.
"""

from __future__ import annotations

import base64
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

KEY = "k-hostile-" + "5a" * 12
Script = Callable[[socket.socket, bytes], None]  # writes the answer to one request


@contextmanager
def gateway(script: Script) -> Iterator[tuple[str, list[bytes]]]:
    """A loopback server that answers each request with ``script``; yields its URL and the requests."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve_one(connection: socket.socket) -> None:
        with connection:
            connection.settimeout(10)
            try:
                request = read_request(connection)
                received.append(request)
                script(connection, request)
            except OSError:
                pass  # the client hung up: what a deadline does

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=serve_one, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join(2)
        server.close()


def read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def respond(connection: socket.socket, status: str, headers: dict[str, str], body: bytes) -> None:
    # These gateways answer one request per connection, and say so: a client must not reuse it.
    fields = {**headers, "content-length": str(len(body)), "connection": "close"}
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    connection.sendall(f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body)



# --- The gateways ---------------------------------------------------------------------------


def trickled_headers(connection, request):
    for byte in b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-pad: " + b"a" * 1000:
        connection.sendall(bytes([byte]))
        time.sleep(0.05)  # each byte well inside a read timeout: only a deadline ends it


def early_hints(connection, request):
    while True:
        connection.sendall(b"HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n")
        time.sleep(0.01)


def trickled_body(connection, request):
    connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
    while True:
        connection.sendall(b"1\r\n \r\n")
        time.sleep(0.05)


def endless_stream(connection, request):
    connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
    event = b'data: {"candidates": []}\r\n\r\n' * 2000
    chunk = f"{len(event):x}\r\n".encode() + event + b"\r\n"
    while True:
        connection.sendall(chunk)


def endless_line(connection, request):
    connection.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
    piece = b"data: " + b"x" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    while True:
        connection.sendall(chunk)


HUGE = b'{"candidates": [{"content": {"parts": [{"text": "' + b"a" * (8 * 1024 * 1024) + b'"}]}}]}'


def huge_body(connection, request):
    respond(connection, "200 OK", {"content-type": "application/json"}, HUGE)


BOMB = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # ~200 KB that inflates to 200 MB


def gzip_bomb(connection, request):
    respond(connection, "200 OK", {"content-type": "application/json", "content-encoding": "gzip"}, BOMB)


def deep_json(connection, request):
    deep = b"[" * 100_000 + b"]" * 100_000
    respond(connection, "429 Too Many Requests", {"content-type": "application/json", "retry-after": "\u00b2"}, deep)


def echo_key(connection, request):
    """The key echoed where a cut would fall into it, and inside a base64 blob."""
    blob = base64.b64encode(b"xy" + KEY.encode() + b"tail").decode().encode()
    body = b'{"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": "' + b"p" * 560 + KEY.encode() + b' ' + blob + b'"}}'
    respond(connection, "400 Bad Request", {"content-type": "application/json"}, body)


def cookie(connection, request):
    respond(connection, "200 OK", {"content-type": "application/json", "set-cookie": "session=s3cr3t; Path=/"}, b"{}")


def html_page(connection, request):
    respond(connection, "200 OK", {"content-type": "text/html"}, b"<!doctype html>\n<html><body>Welcome</body></html>\n")


def cut_short(connection, request):
    answer = b'{"candidates": [{"content": {"role": "model", "parts": [{"text": "one"}]}, "finishReason": "STOP"}]}'
    connection.sendall(f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(answer) + 100}\r\n\r\n".encode() + answer)


def hang_up(connection, request):
    connection.shutdown(socket.SHUT_RDWR)


HOSTILE: dict[str, Script] = {
    "trickled-headers": trickled_headers,
    "early-hints": early_hints,
    "trickled-body": trickled_body,
    "endless-stream": endless_stream,
    "endless-line": endless_line,
    "huge-body": huge_body,
    "gzip-bomb": gzip_bomb,
    "deep-json": deep_json,
    "echo-key": echo_key,
    "cookie": cookie,
    "html-page": html_page,
    "cut-short": cut_short,
    "hang-up": hang_up,
}


def redirect_to(elsewhere: str) -> Script:
    """A 307 to another host (``elsewhere``), which must never receive the key."""

    def redirect(connection, request):
        respond(connection, "307 Temporary Redirect", {"location": f"{elsewhere}/v1beta/models/m:generateContent", "content-type": "application/json"}, b"{}")

    return redirect


def battery(stack: ExitStack, key_env: str) -> tuple[dict[str, dict], list[bytes]]:
    """Every gateway of HOSTILE, and a redirect to another host, started on ``stack``: the targets
    of a run against all of them (one each), and what the redirect's other host receives."""
    elsewhere, received = stack.enter_context(gateway(cookie))
    scripts = {**HOSTILE, "redirect": redirect_to(elsewhere)}
    return {name: battery_target(stack.enter_context(gateway(script))[0], key_env) for name, script in scripts.items()}, received


def battery_target(url: str, key_env: str) -> dict:
    """A target entry for one hostile gateway: short bounds, a small byte cap, few retries."""
    return {
        "base_url": url,
        "api_key_env": key_env,
        "auth": ["x-goog-api-key", "query"],
        "models": {"text": "m"},
        "actions": ["generateContent", "streamGenerateContent", "countTokens"],
        "features": ["sse"],
        "timeouts": {"connect": 2, "read": 2, "image": 2},
        "retries": {"max": 1, "max_delay": 1, "budget_s": 2},
        "max_response_mb": 4,
    }
