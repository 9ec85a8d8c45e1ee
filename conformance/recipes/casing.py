"""The recipes of the casing area: what its checks (conformance/checks/casing.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe


def _snake_case(client, target, system_instruction: bool):
    return client.generate(target.model("text"), bodies.snake_case_request(target, system_instruction=system_instruction))


snake_case_answer = recipe(_snake_case, name="snake_case_answer", system_instruction=True)


snake_case_answer_without_instruction = recipe(
    _snake_case, name="snake_case_answer_without_instruction", system_instruction=False
)


@recipe
def float_top_k_answer(client, target):
    return client.generate(target.model("text"), bodies.float_top_k_request(target))


@recipe
def python_sdk_body_answer(client, target):
    return client.generate(target.model("text"), bodies.python_sdk_request(target))
