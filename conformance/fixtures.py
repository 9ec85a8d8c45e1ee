"""Per-target fixtures: the target's declarations, and what its session opened (conformance/session.py):
its live gateway, a client, its recipes' responses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.client.http import GeminiClient
from conformance.plugin import fleet_of
from conformance.recipes.engine import TargetResponses
from conformance.recipes.engine import reading as reading_as
from conformance.rules import rule_of
from conformance.run_state import targets_of
from conformance.session import TargetSession
from conformance.targets import Target


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Target:
    """The target under test (parametrized by the plugin from --target)."""
    return targets_of(request.config)[request.param]


def _session(config: pytest.Config, target: Target) -> TargetSession:
    return fleet_of(config).session(target)


@pytest.fixture(scope="session")
def rate_limited_key(target: Target, request: pytest.FixtureRequest) -> str | None:
    """A key the target answers with 429: its variable's value, or a fresh one a reference gateway
    is started with. None when the target names none (the rate-limit rules then use any 429 seen)."""
    return _session(request.config, target).rate_limited_key


@pytest.fixture(scope="session")
def upstream(target: Target, request: pytest.FixtureRequest) -> Any:
    """The scripted upstream a relaying target is pointed at (the fidelity checks read it), or None."""
    return _session(request.config, target).upstream


@pytest.fixture(scope="session")
def live(target: Target, request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """(base_url, key) of the target, its reference gateway started where it has one."""
    opened = _session(request.config, target)
    return opened.base_url, opened.key


@pytest.fixture(scope="session")
def client(target: Target, request: pytest.FixtureRequest) -> GeminiClient:
    return _session(request.config, target).client


@pytest.fixture(scope="session")
def responses(target: Target, request: pytest.FixtureRequest) -> Iterator[TargetResponses]:
    """The responses of the target's recipes, started ahead of the checks that read them. When the
    target's checks are done, its session closes (conformance/session.py)."""
    yield _session(request.config, target).responses
    fleet_of(request.config).close(target.name)


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
