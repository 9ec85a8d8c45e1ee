"""The recipes of the openai_bridge area: what its checks (conformance/checks/openai_bridge.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe


@recipe
def bridge_image_from_reference(client, target):
    return client.chat_completions(bodies.bridge_image_request(target.model("image"), reference_image=bodies.REFERENCE_IMAGE))


@recipe
def bridge_stream_answer(client, target):
    return client.chat_completions(bodies.bridge_image_request(target.model("image"), stream=True))
