"""Each target's session: its upstream, live gateway, client and responses, open while its checks run.

A target's session opens when its first check needs it, or earlier: a run over several gateways
should take about as long as its slowest chain of requests, not the sum of its targets' chains, so
before the first check the run opens the sessions of the selected targets whose time is waiting on
the network (``waits_on_the_network``), TARGETS_AHEAD at a time (each holds its responses in memory),
and starts fetching their responses side by side. A reference
gateway without latency runs in this process and is busy on its CPU, which would show in the timing
of the others: its session opens when its turn comes, as before. Sessions close when their target's
checks are done (the fixtures' teardown) and, at the latest, at the end of the run.

A session that fails to open (an upstream's port taken, a gateway that does not start) keeps the
error, and every check of its target that needs it gets it: an outcome of those checks, not a crash.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from conformance.client.http import GeminiClient
from conformance.client.redact import KEY_PLACEHOLDERS
from conformance.recipes.common import WRONG_KEY
from conformance.recipes.engine import MadeOnFirstUse, TargetResponses
from conformance.run_state import (
    is_partial,
    ledger_of,
    planned_responses,
    redactor_of,
    report_dir_of,
)
from conformance.targets import Target, declarations_of

# A reference gateway this slow spends its time asleep, as a remote gateway does.
SLOW_REFERENCE_MS = 100
# At most this many targets fetch at once: each keeps up to its concurrency of responses in memory
# (up to its byte cap each). A target opened later waits for one to close, which is when the next
# target's checks start: a whole critical path later (the benchmark: ten gateways with eight at a
# time took two critical paths, all ten at once 1.3), so the bound is kept for runs of many more.
TARGETS_AHEAD = 16


def waits_on_the_network(target: Target) -> bool:
    """Its requests wait on something other than this process's CPU: it may be fetched ahead."""
    return target.reference is None or target.reference.latency_ms >= SLOW_REFERENCE_MS


class TargetSession:
    """One target's run-long resources, opened in dependency order and closed in reverse."""

    def __init__(self, config: pytest.Config, target: Target) -> None:
        self.config = config
        self.target = target
        self._closing = ExitStack()

    def open(self, plan: list, *, redactor: Any, ledger: Any, evidence: Callable[[str], Any]) -> TargetSession:
        target = self.target
        self.rate_limited_key = "ref-limited-" + secrets.token_hex(12) if target.reference is not None else target.rate_limited_key()
        if self.rate_limited_key:
            redactor.add(self.rate_limited_key, KEY_PLACEHOLDERS["rate_limited"])
        self.upstream = self._start_upstream(redactor)
        self.base_url, self.key = self._start_gateway(redactor)
        image_model = target.model("image")
        self.client = GeminiClient(
            target=target.name,
            base_url=self.base_url,
            key=self.key,
            auth=target.auth,
            timeouts=target.timeouts,
            redactor=redactor,
            image_models=frozenset({image_model} if image_model else ()),
            declared_models=frozenset(model for model in target.models.values() if model),
            retries=target.retries,
            concurrency=target.concurrency,
            ledger=ledger,
            max_response_mb=target.max_response_mb,
            replay=target.reference is not None and target.reference.replay is not None,
            evidence=evidence(self.base_url),
        )
        self._closing.callback(self.client.close)
        self.responses = TargetResponses(
            self.client,
            target,
            {"rate_limited_key": self.rate_limited_key, "upstream": self.upstream, "sdk": MadeOnFirstUse(lambda: self._sdk(redactor))},
        )
        self._closing.callback(self.responses.close)
        self.responses.prefetch(plan, target.concurrency)
        return self

    def close(self) -> None:
        self._closing.close()

    def _sdk(self, redactor: Any) -> Any:
        from conformance.client.sdk import SDK, SDKNotInstalled, genai_version

        try:
            genai_version()
        except SDKNotInstalled as error:
            pytest.skip(str(error))  # every check that reads the SDK is skipped, saying why
        return SDK(self.target, self.base_url, self.key, redactor, self.client.ledger, self.client.evidence)

    def _start_upstream(self, redactor: Any) -> Any:
        """The scripted upstream a relaying target is pointed at (the fidelity checks read it), or None.

        Started for the run for the test relay (`reference: relay`, with a fresh upstream key) and
        for a target declaring `upstream: {port: P, key_env: VAR}`; `upstream: {url: U, ...}` is one
        started elsewhere (python -m conformance.reference --upstream), read over GET /__recorded."""
        from conformance.relay import RELAY_PROFILE, RELAY_SILENCE_S
        from conformance.upstream import (
            RemoteUpstream,
            ScriptedUpstream,
            UpstreamConfig,
        )

        target, spec = self.target, self.target.upstream
        if target.reference is not None and target.reference.profile == RELAY_PROFILE:
            key, silence_s, host, port = "up-" + secrets.token_hex(12), RELAY_SILENCE_S, "127.0.0.1", 0
        elif spec is not None and spec.key():
            key, silence_s, host, port = spec.key(), spec.silence_s, spec.host, spec.port
        else:
            return None  # the fidelity checks skip, saying why
        redactor.add(key, KEY_PLACEHOLDERS["upstream"])
        if spec is not None and spec.url:
            return RemoteUpstream(spec.url, key)
        server = ScriptedUpstream(UpstreamConfig(key=key, silence_s=silence_s), host, port)
        server.start()
        self._closing.callback(server.stop)
        return server

    def _start_gateway(self, redactor: Any) -> tuple[str, str | None]:
        """(base_url, key): a real target's, or the reference gateway started for a reference
        target (for `reference: relay`, the test relay in front of the scripted upstream)."""
        target = self.target
        redactor.add(WRONG_KEY, KEY_PLACEHOLDERS["wrong"])
        if target.reference is None:
            key = target.api_key()
            if key:
                redactor.add(key, KEY_PLACEHOLDERS["given"])
            return target.base_url or "", key
        from conformance.reference import GatewayConfig, ReferenceGateway

        key = "ref-" + secrets.token_hex(12)
        redactor.add(key, KEY_PLACEHOLDERS["given"])
        spec = target.reference
        if spec.replay is not None:
            from conformance.reference.replay import ReplayGateway

            gateway: ReferenceGateway = ReplayGateway(Path(spec.replay), key, self.rate_limited_key)
        elif spec.profile == "relay":
            from conformance.relay import RelayConfig, RelayServer

            gateway = RelayServer(RelayConfig(key, self.upstream.base_url, self.upstream.key, spec.faults, self.rate_limited_key))
        else:
            gateway = ReferenceGateway(
                GatewayConfig(
                    key=key,
                    profile=spec.profile,
                    faults=spec.faults,
                    latency_ms=spec.latency_ms,
                    path_prefix=spec.path_prefix,
                    rate_limited_key=self.rate_limited_key,
                )
            )
        base_url = gateway.start()
        self._closing.callback(gateway.stop)
        return base_url, key


class Fleet:
    """The run's target sessions, by target name: each opened once, the first time it is wanted."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._sessions: dict[str, TargetSession | BaseException] = {}
        self._waiting: list[Target] = []  # targets to open ahead once others close

    def session(self, target: Target) -> TargetSession:
        with self._lock:
            if target.name not in self._sessions:
                self._sessions[target.name] = self._open(target)
            opened = self._sessions[target.name]
        if isinstance(opened, BaseException):
            raise opened.with_traceback(None)
        return opened

    def open_ahead(self, targets: list[Target]) -> None:
        """Open these targets' sessions ahead of their checks, in order, TARGETS_AHEAD at a time: the
        next one opens as soon as an open one closes."""
        self._waiting = list(targets)
        self._open_next()

    def _open_next(self) -> None:
        while True:
            with self._lock:
                open_now = sum(1 for opened in self._sessions.values() if isinstance(opened, TargetSession))
                if not self._waiting or open_now >= TARGETS_AHEAD:
                    return
                target = self._waiting.pop(0)
            try:
                self.session(target)
            except Exception:  # noqa: BLE001 - kept for the target's checks, which report it
                pass

    def close(self, name: str) -> None:
        with self._lock:
            opened = self._sessions.get(name)
            self._sessions[name] = RuntimeError(f"target {name}'s session was closed")
            self._waiting = [target for target in self._waiting if target.name != name]
        if isinstance(opened, TargetSession):
            opened.close()
        self._open_next()

    def close_all(self) -> None:
        self._waiting = []
        for name in list(self._sessions):
            self.close(name)

    def _open(self, target: Target) -> TargetSession | BaseException:
        session = TargetSession(self.config, target)
        try:
            return session.open(
                planned_responses(self.config, target.name),
                redactor=redactor_of(self.config),
                ledger=ledger_of(self.config),
                evidence=lambda base_url: _evidence_writer(self.config, target, base_url),
            )
        except Exception as error:  # noqa: BLE001 - the target's checks report it
            session.close()
            return error


def _evidence_writer(config: pytest.Config, target: Target, base_url: str) -> Any:
    """Where this target's exchanges are written as recordings, beside its certificate (unless
    --no-evidence; a partial run certifies nothing, so it keeps no evidence either)."""
    if not config.getoption("evidence") or is_partial(config):
        return None
    from conformance import __version__
    from conformance.recordings.writer import EvidenceWriter

    return EvidenceWriter(report_dir_of(config) / target.name / "evidence", target.name, declarations_of(target), base_url, __version__)
