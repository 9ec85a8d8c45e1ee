"""Running the reference gateway: uvicorn on a background thread, on a socket bound up front."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from types import TracebackType

import uvicorn

from .app import build_app
from .config import GatewayConfig

START_TIMEOUT_S = 10.0
# On stop, in-flight answers get this long to finish; connections still open after it (stalled
# requests) are cut, which ends their handlers. uvicorn's own graceful timeout is the backstop.
FINISH_IN_FLIGHT_S = 0.3
UVICORN_GRACEFUL_SHUTDOWN_S = 1
STOP_TIMEOUT_S = 2.0


class ReferenceGateway:
    """A reference gateway serving `config` on http://host:port (port 0: any free port).

    `base_url` includes the config's path prefix, so clients append /v1beta/... to it as they would
    to a real gateway's base URL."""

    def __init__(self, config: GatewayConfig, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> str:
        if self._thread is not None:
            return self.base_url
        # Bind here rather than in uvicorn so the port is ours before the thread starts: no race
        # between picking a free port and another process taking it.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say
        # they are TCP, and without that every response costs a 40 ms delayed-ACK round trip.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(
                self._build_app(),
                log_config=None,  # leave the host process's logging alone
                log_level="warning",
                access_log=False,
                lifespan="off",
                http="h11",
                ws="none",
                timeout_graceful_shutdown=UVICORN_GRACEFUL_SHUTDOWN_S,
            )
        )
        # uvicorn installs signal handlers only on the main thread, so none are installed here.
        thread = threading.Thread(
            target=asyncio.run, args=(self._serve(server, sock),), name=f"reference-gateway-{self.port}", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError(f"reference gateway did not start on {self.host}:{self.port}")
            time.sleep(0.005)
        self._server, self._thread = server, thread
        host = f"[{self.host}]" if family == socket.AF_INET6 else self.host
        self.base_url = f"http://{host}:{self.port}{self.config.path_prefix}"
        return self.base_url

    def _build_app(self):
        """The ASGI app served; subclasses (the scripted upstream, the test relay) serve their own."""
        return build_app(self.config)

    def stop(self) -> None:
        server, thread, loop = self._server, self._thread, self._loop
        if server is None or thread is None or loop is None:
            return
        server.should_exit = True
        thread.join(FINISH_IN_FLIGHT_S)
        if thread.is_alive():
            try:
                loop.call_soon_threadsafe(_cut_open_connections, server)
            except RuntimeError:
                pass  # the loop closed in between: the server thread is ending on its own
            thread.join(STOP_TIMEOUT_S - FINISH_IN_FLIGHT_S)
        self._server = self._thread = self._loop = None

    async def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        await server.serve(sockets=[sock])

    def __enter__(self) -> ReferenceGateway:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _cut_open_connections(server: uvicorn.Server) -> None:
    # Runs on the server's loop. Aborting drops the TCP connection, as a dying gateway would.
    for connection in list(server.server_state.connections):
        connection.transport.abort()
