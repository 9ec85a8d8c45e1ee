"""The recipes of the framing area: what its checks (conformance/checks/framing.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.common import UNKNOWN_MODEL
from conformance.recipes.engine import recipe


@recipe
def unknown_model_stream(client, target):
    return client.stream(UNKNOWN_MODEL, bodies.tiny_request(target))  # refused before any model runs


@recipe
def upstream_failure_stream(client, target):
    return client.stream(target.model("text"), bodies.upstream_failure_request(target))
