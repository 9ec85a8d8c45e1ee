"""Per-target fixtures: the target's declarations, its live gateway, a client, its recipes' responses."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.client.http import GeminiClient
from conformance.plugin import ledger_of, planned_responses, redactor_of, targets_of
from conformance.recipes.common import WRONG_KEY
from conformance.recipes.engine import MadeOnFirstUse, TargetResponses
from conformance.recipes.engine import reading as reading_as
from conformance.rules import rule_of
from conformance.targets import Target


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    """The target under test (parametrized by the plugin from --target)."""
    return targets_of(request.config)[request.param]


@pytest.fixture(scope="session")
def rate_limited_key(target: Target, request: pytest.FixtureRequest) -> str | None:
    """A key the target answers with 429: its variable's value, or a fresh one a reference gateway
    is started with. None when the target names none (the rate-limit rules then use any 429 seen)."""
    key = "ref-limited-" + secrets.token_hex(12) if target.reference is not None else target.rate_limited_key()
    if key:
        redactor_of(request.config).add(key, "$RATE_LIMITED_KEY")
    return key


@pytest.fixture(scope="session")
def upstream(target: Target, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The scripted upstream a relaying target is pointed at (the fidelity checks read it), or None.

    Started for the run for the test relay (`reference: relay`, with a fresh upstream key) and for
    a target declaring `upstream: {port: P, key_env: VAR}`; `upstream: {url: U, ...}` is one started
    elsewhere (python -m conformance.reference --upstream), read over GET /__recorded."""
    from conformance.relay import RELAY_PROFILE, RELAY_SILENCE_S
    from conformance.upstream import (
        RemoteUpstream,
        ScriptedUpstream,
        UpstreamConfig,
    )

    spec = target.upstream
    if target.reference is not None and target.reference.profile == RELAY_PROFILE:
        key, silence_s, host, port = "up-" + secrets.token_hex(12), RELAY_SILENCE_S, "127.0.0.1", 0
    elif spec is not None and spec.key():
        key, silence_s, host, port = spec.key(), spec.silence_s, spec.host, spec.port
    else:
        yield None  # the fidelity checks skip, saying why
        return
    redactor_of(request.config).add(key, "$UPSTREAM_KEY")
    if spec is not None and spec.url:
        yield RemoteUpstream(spec.url, key)
        return
    server = ScriptedUpstream(UpstreamConfig(key=key, silence_s=silence_s), host, port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live(
    target: Target, rate_limited_key: str | None, upstream: Any, request: pytest.FixtureRequest
) -> Iterator[tuple[str, str | None]]:
    """(base_url, key): starts the reference gateway for reference targets (for `reference: relay`,
    the test relay in front of the scripted upstream)."""
    redactor = redactor_of(request.config)
    redactor.add(WRONG_KEY, "$WRONG_KEY")
    if target.reference is None:
        key = target.api_key()
        if key:
            redactor.add(key, "$API_KEY")
        yield target.base_url or "", key
        return
    from conformance.reference import GatewayConfig, ReferenceGateway

    key = "ref-" + secrets.token_hex(12)
    redactor.add(key, "$API_KEY")
    spec = target.reference
    if spec.replay is not None:
        from pathlib import Path

        from conformance.reference.replay import ReplayGateway

        gateway: ReferenceGateway = ReplayGateway(Path(spec.replay), key, rate_limited_key)
    elif spec.profile == "relay":
        from conformance.relay import RelayConfig, RelayServer

        relay_config = RelayConfig(key, upstream.base_url, upstream.key, spec.faults, rate_limited_key)
        gateway = RelayServer(relay_config)
    else:
        gateway = ReferenceGateway(
            GatewayConfig(
                key=key,
                profile=spec.profile,
                faults=spec.faults,
                latency_ms=spec.latency_ms,
                path_prefix=spec.path_prefix,
                rate_limited_key=rate_limited_key,
            )
        )
    base_url = gateway.start()
    try:
        yield base_url, key
    finally:
        gateway.stop()


def _evidence_writer(config: pytest.Config, target: Target, base_url: str) -> Any:
    """Where this target's exchanges are written as recordings, beside its certificate (unless
    --no-evidence; a partial run certifies nothing, so it keeps no evidence either)."""
    from conformance.plugin import is_partial

    if not config.getoption("evidence") or is_partial(config):
        return None
    from conformance import __version__
    from conformance.plugin import report_dir_of
    from conformance.recordings.writer import EvidenceWriter
    from conformance.targets import declarations_of

    return EvidenceWriter(report_dir_of(config) / target.name / "evidence", target.name, declarations_of(target), base_url, __version__)


@pytest.fixture(scope="session")
def client(target: Target, live: tuple[str, str | None], request: pytest.FixtureRequest) -> Iterator[GeminiClient]:
    base_url, key = live
    image_model = target.model("image")
    gemini = GeminiClient(
        target=target.name,
        base_url=base_url,
        key=key,
        auth=target.auth,
        timeouts=target.timeouts,
        redactor=redactor_of(request.config),
        image_models=frozenset({image_model} if image_model else ()),
        retries=target.retries,
        concurrency=target.concurrency,
        ledger=ledger_of(request.config),
        max_response_mb=target.max_response_mb,
        replay=target.reference is not None and target.reference.replay is not None,
        evidence=_evidence_writer(request.config, target, base_url),
    )
    yield gemini
    gemini.close()


@pytest.fixture(scope="session")
def responses(
    client: GeminiClient,
    target: Target,
    live: tuple[str, str | None],
    rate_limited_key: str | None,
    upstream: Any,
    request: pytest.FixtureRequest,
) -> Iterator[TargetResponses]:
    """The responses of the target's recipes, started ahead of the checks that read them."""
    from conformance.client.sdk import SDK, SDKNotInstalled, genai_version

    base_url, key = live

    def make_sdk() -> SDK:
        try:
            genai_version()
        except SDKNotInstalled as error:
            pytest.skip(str(error))  # every check that reads the SDK is skipped, saying why
        return SDK(target, base_url, key, redactor_of(request.config), client.ledger, client.evidence)

    fetched = TargetResponses(
        client,
        target,
        {"rate_limited_key": rate_limited_key, "upstream": upstream, "sdk": MadeOnFirstUse(make_sdk)},
    )
    fetched.prefetch(planned_responses(request.config, target.name), target.concurrency)
    yield fetched
    fetched.close()


@pytest.fixture
def reading(responses: TargetResponses, request: pytest.FixtureRequest) -> Iterator[None]:
    """While a check runs, calling one of the recipes its rule reads gives its target's response.
    Every check uses it (conformance.rules), so the first check of a target starts all of them."""
    rule = rule_of(request.function)
    reads = rule.reads if rule is not None else ()
    with reading_as(responses, request.node.callspec.params, request.node.name, reads):
        yield


@pytest.fixture(scope="session")
def sdk(responses: TargetResponses):
    """The official google-genai SDK pointed at the target (skipped when it is not installed)."""
    return responses.context("sdk")
