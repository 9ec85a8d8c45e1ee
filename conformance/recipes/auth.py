"""The recipes of the auth area: what its checks (conformance/checks/auth.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe


@recipe
def answer_with_key_in(client, target, placement):
    """A tiny request with the key in one placement."""
    return client.generate(target.model("text"), bodies.tiny_request(target), auth=placement)
