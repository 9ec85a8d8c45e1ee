"""Per-target fixtures: the target's declarations, its live gateway, a client, shared responses."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.client.http import GeminiClient
from conformance.plugin import redactor_of, runs_whole_targets, target_of, targets_of, why_not_run
from conformance.shared import RECIPES, WRONG_KEY, MadeOnFirstUse, Recipe, SharedResponses
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
    from conformance.reference.upstream import RemoteUpstream, ScriptedUpstream, UpstreamConfig
    from conformance.relay import RELAY_PROFILE, RELAY_SILENCE_S

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
    if spec.profile == "relay":
        from conformance.relay import RelayConfig, RelayServer

        relay_config = RelayConfig(key, upstream.base_url, upstream.key, spec.faults, rate_limited_key)
        gateway: ReferenceGateway = RelayServer(relay_config)
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
def responses(
    client: GeminiClient,
    target: Target,
    live: tuple[str, str | None],
    rate_limited_key: str | None,
    upstream: Any,
    request: pytest.FixtureRequest,
) -> Iterator[SharedResponses]:
    """The target's shared responses, started ahead of the checks that read them."""
    from conformance.client.sdk import SDK, SDKNotInstalled, genai_version

    base_url, key = live

    def make_sdk() -> SDK:
        try:
            genai_version()
        except SDKNotInstalled as error:
            pytest.skip(str(error))  # every check that reads the SDK is skipped, saying why
        return SDK(target, base_url, key, redactor_of(request.config))

    shared = SharedResponses(
        client,
        target,
        {"rate_limited_key": rate_limited_key, "upstream": upstream, "sdk": MadeOnFirstUse(make_sdk)},
    )
    # Not when this worker runs only some of the target's checks, nor when the run may stop at a
    # failure (-x, --maxfail): what was fetched ahead for the checks that never ran would be spent.
    if runs_whole_targets(request.config) and not request.config.option.maxfail:
        shared.prefetch(recipes_wanted(_items_of(request.session, target)), target.concurrency)
    yield shared
    shared.close()


@pytest.fixture(autouse=True)
def _responses_started(request: pytest.FixtureRequest) -> None:
    """The first check of a target starts every response its checks will read, whatever it reads itself."""
    if "target" in request.fixturenames and "responses" not in request.fixturenames:
        request.getfixturevalue("responses")


_by_target = pytest.StashKey[dict[str, list[pytest.Item]]]()


def _items_of(session: pytest.Session, target: Target) -> list[pytest.Item]:
    """The selected checks of ``target``, in run order (grouped once: a fault run has 100 targets)."""
    if _by_target not in session.stash:
        grouped: dict[str, list[pytest.Item]] = {}
        for item in session.items:
            name = getattr(target_of(item), "name", None)
            if name is not None:
                grouped.setdefault(name, []).append(item)
        session.stash[_by_target] = grouped
    return session.stash[_by_target].get(target.name, [])


def recipes_wanted(items: list[pytest.Item]) -> list[tuple[Recipe, dict[str, Any]]]:
    """Each recipe (with its parameters) that these checks will read, in run order. A check skipped
    for a missing key or an undeclared need reads nothing, so costs nothing."""
    wanted: dict[tuple, tuple[Recipe, dict[str, Any]]] = {}
    for item in items:
        if any(why_not_run(item)):
            continue
        params = item.callspec.params  # type: ignore[attr-defined]
        for name in item.fixturenames:  # type: ignore[attr-defined]
            recipe = RECIPES.get(name)
            if recipe is None or not all(p in params for p in recipe.chosen):
                continue
            for chosen in recipe.variants({p: params[p] for p in recipe.chosen}):
                wanted.setdefault(recipe.key(chosen), (recipe, chosen))
    return list(wanted.values())


@pytest.fixture(scope="session")
def sdk(responses: SharedResponses):
    """The official google-genai SDK pointed at the target (skipped when it is not installed)."""
    return responses.context("sdk")
