"""One wall-clock deadline per exchange, however the gateway sends its bytes.

httpx bounds each read, not the exchange: a gateway that trickles its response headers one byte every
two seconds, or sends an endless run of ``103 Early Hints``, is never cut by a read timeout. The
transport here gives every socket operation of an exchange at most the time left until the exchange's
deadline (``until``), so the whole exchange, from connect to the last byte, ends within its bound.
"""

from __future__ import annotations

import functools
import threading
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

_local = threading.local()  # each exchange runs in one thread, its socket operations too


@contextmanager
def until(deadline: float, max_bytes: int | None = None) -> Iterator[None]:
    """Within the block, this thread's socket operations end by ``deadline`` (time.monotonic()) and
    read at most ``max_bytes`` in all (a client that reads for itself, like the SDK, is bounded too)."""
    outer = getattr(_local, "deadline", None), getattr(_local, "budget", None)
    _local.deadline, _local.budget = deadline, max_bytes
    try:
        yield
    finally:
        _local.deadline, _local.budget = outer


def _spend(received: int, error: type[Exception]) -> None:
    budget = getattr(_local, "budget", None)
    if budget is None:
        return
    _local.budget = budget - received
    if _local.budget < 0:
        raise error("the response exceeded the most the suite keeps")


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the exchange's deadline passed")
    return left if timeout is None else min(timeout, left)


def _backend_for(core: typing.Any) -> typing.Any:
    """A network backend of the httpcore module ``core`` (httpcore, or the SDK's fork of it) whose
    streams keep to the current thread's deadline."""

    class Stream(core.NetworkStream):
        def __init__(self, stream: typing.Any) -> None:
            self._stream = stream

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            data = self._stream.read(max_bytes, _left(timeout, core.ReadTimeout))
            _spend(len(data), core.ReadError)
            return data

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._stream.write(buffer, _left(timeout, core.WriteTimeout))

        def close(self) -> None:
            self._stream.close()

        def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> typing.Any:
            return Stream(self._stream.start_tls(ssl_context, server_hostname, _left(timeout, core.ConnectTimeout)))

        def get_extra_info(self, info: str) -> typing.Any:
            return self._stream.get_extra_info(info)

    class Backend(core.NetworkBackend):
        def __init__(self) -> None:
            self._backend = core.SyncBackend()

        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None) -> typing.Any:
            return Stream(self._backend.connect_tcp(host, port, _left(timeout, core.ConnectTimeout), local_address, socket_options))

        def connect_unix_socket(self, path, timeout=None, socket_options=None) -> typing.Any:  # pragma: no cover
            return Stream(self._backend.connect_unix_socket(path, _left(timeout, core.ConnectTimeout), socket_options))

        def sleep(self, seconds: float) -> None:  # pragma: no cover
            self._backend.sleep(seconds)

    return Backend()


# Idle connections are dropped well before common servers drop them (uvicorn: 5 s), so a request is
# never sent on a connection the server is closing at that moment.
KEEPALIVE_S = 2.0


@functools.cache
def _certificates(client: typing.Any) -> typing.Any:
    """One verifying SSL context for every transport: loading the CA bundle takes 20 ms, and a run of
    a hundred targets makes two transports each."""
    return client.create_ssl_context(trust_env=False)


def bounded_transport(client: typing.Any = httpx, core: typing.Any = httpcore) -> typing.Any:
    """A transport of the httpx module ``client`` (httpx, or the SDK's fork, with its httpcore
    ``core``) whose socket operations keep to the current thread's deadline."""
    limits = client.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_S)
    transport = client.HTTPTransport(verify=_certificates(client), trust_env=False, limits=limits)
    # httpx builds its pool without a way to pass the network backend: the same pool, with ours.
    transport._pool = core.ConnectionPool(
        ssl_context=getattr(transport._pool, "_ssl_context", None),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=False,
        network_backend=_backend_for(core),
    )
    return transport
