"""The recipes of the versions area: what its checks (conformance/checks/versions.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe

WRONG_PREFIX = "gemini-conformance-wrong-prefix"


@recipe
def v1_answer(client, target):
    return client.generate(target.model("text"), bodies.tiny_request(target), api_version="v1")


@recipe
def wrong_prefix_answer(client, target):
    return client.generate(target.model("text"), bodies.tiny_request(target), prefix=WRONG_PREFIX)
