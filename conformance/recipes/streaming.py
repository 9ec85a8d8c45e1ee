"""The recipes of the streaming area: what its checks (conformance/checks/streaming.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe


@recipe
def json_array_stream(client, target):
    return client.stream(target.model("text"), bodies.tiny_request(target), alt_sse=False)
