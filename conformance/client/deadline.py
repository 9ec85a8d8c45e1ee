"""One wall-clock deadline per exchange, however the gateway sends its bytes.

httpx bounds each read, not the exchange: a gateway that trickles its response headers one byte every
two seconds, or sends an endless run of ``103 Early Hints``, is never cut by a read timeout. The
transport here gives every socket operation of an exchange at most the time left until the exchange's
deadline (``until``), so the whole exchange, from connect to the last byte, ends within its bound.
"""

from __future__ import annotations

import threading
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

_local = threading.local()  # each exchange runs in one thread, its socket operations too


@contextmanager
def until(deadline: float) -> Iterator[None]:
    """Within the block, this thread's socket operations end by ``deadline`` (time.monotonic())."""
    outer = getattr(_local, "deadline", None)
    _local.deadline = deadline
    try:
        yield
    finally:
        _local.deadline = outer


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the exchange's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None) -> httpcore.NetworkStream:  # pragma: no cover
        return _Stream(self._backend.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:  # pragma: no cover
        self._backend.sleep(seconds)


# Idle connections are dropped well before common servers drop them (uvicorn: 5 s), so a request is
# never sent on a connection the server is closing at that moment.
KEEPALIVE_S = 2.0


def bounded_transport() -> httpx.HTTPTransport:
    """An httpx transport whose socket operations keep to the current thread's deadline."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_S)
    transport = httpx.HTTPTransport(trust_env=False, limits=limits)
    # httpx builds its pool without a way to pass the network backend; the same pool, with ours.
    ssl_context = getattr(transport._pool, "_ssl_context", None)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl_context,
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=_Backend(),
    )
    return transport
