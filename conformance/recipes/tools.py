"""The recipes of the tools area: what its checks (conformance/checks/tools.py) read."""

from __future__ import annotations

from conformance import expect
from conformance.recipes import bodies
from conformance.recipes.common import function_call_response
from conformance.recipes.engine import recipe

RESPONSE = "generate_content_response"


def function_calls_of(exchange, what: str) -> list[dict]:
    """The functionCalls of a success, which must hold at least one."""
    body = expect.accepted(exchange)
    expect.matches_schema(body, f"{RESPONSE}#/$defs/CallsFunction", exchange, what=what)
    return [part["functionCall"] for part in body["candidates"][0]["content"]["parts"] if "functionCall" in part]


def _parallel_request(target) -> dict:
    return bodies.tools_request(
        bodies.text_request(target), bodies.PARALLEL_PROMPT, [bodies.WEATHER_DECLARATION, bodies.TIME_DECLARATION]
    )


@recipe
def call_like_reply_answer(client, target):
    """A request without tools asked to reply with text that reads like a call (its answer is text)."""
    return client.generate(target.model("text"), bodies.exact_reply_request(target, bodies.CALL_LIKE_REPLY))


@recipe
def parallel_calls_answer(client, target):
    return client.generate(target.model("text"), _parallel_request(target))


def _answer_to_result(client, model: str, request: dict, first):
    """The answer to the model's calling turn sent back with a functionResponse per call."""
    function_calls_of(first, "the model's first answer, which the round trip continues")
    return client.generate(model, bodies.function_result_request(request, first.json["candidates"][0]["content"]))


@recipe
def function_result_answer(client, target, responses):
    first = responses.read(function_call_response)
    return _answer_to_result(client, target.model("text"), bodies.function_call_request(target), first)


def _thinking_tool_request(target) -> dict:
    thinking = bodies.thinking_request(target, {"thinkingBudget": bodies.THINKING_BUDGET})
    return bodies.tools_request(thinking, bodies.CALL_PROMPT, [bodies.WEATHER_DECLARATION])


@recipe
def signed_result_answer(client, target):
    """The thinking model's calling turn (its thoughtSignature included) sent back with the result."""
    model, request = target.model("thinking"), _thinking_tool_request(target)
    return _answer_to_result(client, model, request, client.generate(model, request))


MODE_PROMPTS = {"ANY": bodies.UNRELATED_PROMPT, "NONE": bodies.CALL_PROMPT}


@recipe
def calling_mode_answer(client, target, mode):
    request = bodies.tools_request(bodies.text_request(target, max_output_tokens=32), MODE_PROMPTS[mode], [bodies.WEATHER_DECLARATION], mode)
    return client.generate(target.model("text"), request)
