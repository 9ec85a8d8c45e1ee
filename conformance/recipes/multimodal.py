"""The recipes of the multimodal area: what its checks (conformance/checks/multimodal.py) read."""

from __future__ import annotations

from conformance.outcomes import not_applicable
from conformance.recipes import bodies
from conformance.recipes.engine import recipe

# How far from the limit "just under" and "just over" are.
SIZE_MARGIN = 1024


def _limit(target) -> int:
    if target.max_request_bytes is None:
        not_applicable(f"target {target.name} declares no max_request_bytes")
    return target.max_request_bytes


@recipe
def inline_image_answer(client, target, spelling):
    return client.generate(target.model("text"), bodies.inline_image_request(target, spelling))


@recipe
def answer_to_body_under_limit(client, target):
    body = bodies.body_of_size(target, _limit(target) - SIZE_MARGIN)
    return client.action(target.model("text"), "generateContent", raw_body=body)


@recipe
def answer_to_body_over_limit(client, target):
    body = bodies.body_of_size(target, _limit(target) + SIZE_MARGIN)
    return client.action(target.model("text"), "generateContent", raw_body=body)
