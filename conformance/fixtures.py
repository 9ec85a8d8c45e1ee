"""Per-target fixtures: the target's declarations, its live gateway, a client, shared responses."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from conformance.client.http import GeminiClient
from conformance.plugin import redactor_of, targets_of
from conformance.shared import WRONG_KEY, SharedResponses
from conformance.targets import Target


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    """The target under test (parametrized by the plugin from --target)."""
    return targets_of(request.config)[request.param]


@pytest.fixture(scope="session")
def live(target: Target, request: pytest.FixtureRequest) -> Iterator[tuple[str, str | None]]:
    """(base_url, key): starts the reference gateway for reference targets."""
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
    gateway = ReferenceGateway(
        GatewayConfig(key=key, profile=spec.profile, faults=spec.faults, latency_ms=spec.latency_ms)
    )
    base_url = gateway.start()
    try:
        yield base_url, key
    finally:
        gateway.stop()


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
    )
    yield gemini
    gemini.close()


@pytest.fixture(scope="session")
def responses(client: GeminiClient, target: Target) -> SharedResponses:
    """Responses fetched once per target and read by many checks."""
    return SharedResponses(client, target)
