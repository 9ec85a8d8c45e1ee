"""The recipes of the semantic area: what its checks (conformance/checks/semantic.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe


@recipe
def exact_reply_answer(client, target):
    return client.generate(target.model("text"), bodies.exact_reply_request(target))


@recipe
def weather_question_answer(client, target):
    return client.generate(target.model("text"), bodies.weather_tool_request(target))
