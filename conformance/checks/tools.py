"""Function calling: calls come back as Google shapes them, and a conversation can carry on after them.

TOOL-01 a functionCall's args are an object of the function's parameters, never a string or a wrapper
TOOL-02 parallel calls all arrive, each as its own part, with distinct ids where ids are given (SHOULD)
TOOL-03 the model's call and a functionResponse sent back are accepted and answered in text
TOOL-04 toolConfig functionCallingConfig.mode is honoured: ANY forces a call, NONE forbids one
TOOL-05 a thinking model's call, thoughtSignature included, is accepted back unchanged
TOOL-06 without tools, no functionCall: calls come only when functions are declared

The round trips (TOOL-03, TOOL-05) send the model's turn back exactly as it came, as the SDKs do, then
a functionResponse for each call with the call's name and id. Gemini 3 refuses a history whose calls
lost their thoughtSignature (400 "Function call is missing a thought_signature"), so TOOL-05 shows
whether the gateway kept the signature on the way out and forwards it on the way back.
"""

from __future__ import annotations

import json

import pytest

from conformance import expect
from conformance.outcomes import model_decided
from conformance.recipes import bodies
from conformance.recipes.common import function_call_response
from conformance.recipes.tools import (
    MODE_PROMPTS,
    RESPONSE,
    _parallel_request,
    call_like_reply_answer,
    calling_mode_answer,
    function_calls_of,
    function_result_answer,
    parallel_calls_answer,
    signed_result_answer,
)
from conformance.rules import GENERATE, MUST, SHOULD, Needs, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API, NEBULA, NEXUSFLOW, TOKENSMART

TOOLS = GENERATE + Needs(features=("function_calling",))
THINKING_TOOLS = TOOLS + Needs(models=("thinking",))
FUNCTION_CALLING_DOCS = (
    GEMINI_API.at("§2 Content/Part: functionCall, functionResponse; Tools"),
    NEBULA.at("Tool calling (Function Calling)"),
    NEXUSFLOW.at("Request Parameters: tools"),
    TOKENSMART.at("Request body: tools, toolConfig"),
)


def _declared(request: dict) -> dict[str, set[str]]:
    """Declared function name -> its parameter names."""
    declarations = [d for tool in request.get("tools") or () for d in tool.get("functionDeclarations") or ()]
    return {d["name"]: set((d.get("parameters") or {}).get("properties") or ()) for d in declarations}


def _rewrapped(args: dict, parameters: set[str]) -> bool:
    """The arguments arrived as raw JSON text under one key no parameter has: {"arguments": "{...}"},
    as translating layers write what they failed to carry over as an object (bugs F20). A model may
    nest its arguments itself (Gemini 3 answered {"parameters": {"name": ...}}), but never as text."""
    if len(args) != 1 or parameters & set(args):
        return False
    (value,) = args.values()
    try:
        return isinstance(value, str) and isinstance(json.loads(value), dict)
    except ValueError:
        return False


def _what_was_wrapped(args: dict, parameters: set[str]) -> str:
    """What a re-wrapped call says happened: its parameters came back as text, or (the text naming
    none of them) the declaration's parameters never reached the model."""
    (key, text), = args.items()
    named = set(json.loads(text))
    if named <= parameters:
        return f"the arguments ({', '.join(sorted(named)) or 'none'}) arrived as JSON text under {key!r} instead of as an object"
    return (
        f"its JSON text under {key!r} names {sorted(named - parameters)}, which the declaration does not have either: "
        "the function's parameters did not reach the model, and its answer came back wrapped"
    )


@rule(
    "TOOL-01",
    MUST,
    "a functionCall's args are a JSON object of the called function's parameters, never a JSON string or a wrapper (a call the model invents is the model's)",
    source=(*FUNCTION_CALLING_DOCS, GATEWAY_BUGS.at("§5 rule 11; §1 new-api: non-JSON args -> {\"arguments\": ...}; §6 F20")),
    needs=TOOLS,
    reads=function_call_response,
)
def function_call_shape():
    exchange = function_call_response()
    body = expect.accepted(exchange)
    expect.prompt_not_blocked(exchange, [body])
    expect.matches_schema(body, f"{RESPONSE}#/$defs/HasCandidates", exchange)
    expect.matches_schema(body, f"{RESPONSE}#/$defs/ObjectArgs", exchange)
    # What was declared is read from the request as sent (a recording: as its sidecar summarises it).
    declared = _declared(json.loads(exchange.request_body or b"{}"))
    parts = ((body.get("candidates") or [{}])[0].get("content") or {}).get("parts") or []
    calls = [part["functionCall"] for part in parts if isinstance(part, dict) and "functionCall" in part]
    if not calls:
        model_decided("the model answered without calling a function")
    for index, call in enumerate(calls):
        where = f"$.candidates[0].content.parts[{index}].functionCall"
        if call["name"] not in declared:
            model_decided(f"the model called {call['name']!r}, which was not declared (declared: {sorted(declared)})")
        args, parameters = call.get("args") or {}, declared[call["name"]]
        if _rewrapped(args, parameters):
            raise expect.fail(
                f"args holds only {sorted(args)}, which {call['name']} does not take: {_what_was_wrapped(args, parameters)}",
                exchange,
                path=f"{where}.args",
                expected=f"keys among {sorted(parameters)}",
                actual=args,
            )
        invented = set(args) - parameters
        if invented:
            model_decided(f"the model passed {sorted(invented)}, which {call['name']} does not declare")


@rule(
    "TOOL-02",
    SHOULD,
    "parallel function calls all arrive, each in its own functionCall part, with distinct ids where ids are given",
    source=(*FUNCTION_CALLING_DOCS, GATEWAY_BUGS.at("§2 one-api getToolCalls reads only parts[0]; §1 new-api synthetic call ids; §5 rule 11")),
    needs=TOOLS,
    reads=parallel_calls_answer,
)
@pytest.mark.semantic
def parallel_function_calls(target):
    exchange = parallel_calls_answer()
    calls = function_calls_of(exchange, "the answer to a question for two declared functions")
    called = sorted(call["name"] for call in calls)
    if called != sorted(_declared(_parallel_request(target))):
        raise expect.fail(
            f"{len(calls)} call(s) arrived ({', '.join(called)}) for a question needing both functions",
            exchange,
            path="$.candidates[0].content.parts",
            expected="one functionCall part each for get_weather and get_time",
            actual=called,
        )
    ids = [call.get("id") for call in calls]
    if any(ids) and (None in ids or len(set(ids)) != len(ids)):
        raise expect.fail("the parallel calls do not carry distinct ids, so their results cannot be matched", exchange, path="$.candidates[0].content.parts[*].functionCall.id", expected="one distinct id per call", actual=ids)


def _answered_in_text(exchange) -> None:
    """The function's result was accepted and answered; in text, unless the model chose to call again."""
    body = expect.accepted(exchange)
    expect.matches_schema(body, f"{RESPONSE}#/$defs/HasCandidates", exchange, what="the answer to the function's result")
    parts = body["candidates"][0]["content"]["parts"]
    if any(isinstance(part.get("text"), str) and not part.get("thought") for part in parts):
        return
    if any("functionCall" in part for part in parts):
        model_decided("the model answered the function's result with another call, not in text")
    raise expect.fail("the function's result was not answered in text", exchange, path="$.candidates[0].content.parts", expected="a text part", actual=parts)


@rule(
    "TOOL-03",
    MUST,
    "the model's functionCall turn and a functionResponse (name, id, response object) sent back are accepted and answered in text",
    source=(*FUNCTION_CALLING_DOCS, GATEWAY_BUGS.at("§5 rule 11: functionResponse forwarded unchanged; §4 AstrBot PR#7216: response must be an object")),
    needs=TOOLS,
    reads=function_result_answer,
)
def function_response_round_trip():
    _answered_in_text(function_result_answer())


@rule(
    "TOOL-04",
    MUST,
    "toolConfig.functionCallingConfig.mode is honoured: ANY forces a call even when none is needed, NONE forbids one even when asked",
    source=(GEMINI_API.at("§2 ToolConfig: functionCallingConfig.mode"), NEBULA.at("toolConfig: functionCallingConfig.mode AUTO / ANY / NONE"), GATEWAY_BUGS.at("§1 new-api: toolConfig not mapped; §6 F22")),
    needs=TOOLS,
    reads=calling_mode_answer,
)
@pytest.mark.parametrize("mode", list(MODE_PROMPTS))
def function_calling_mode(mode):
    exchange = calling_mode_answer()
    if mode == "ANY":
        function_calls_of(exchange, f"the answer to {bodies.UNRELATED_PROMPT!r} in mode ANY")
    else:
        expect.answer_matches(exchange, "NoFunctionCall", what=f"the answer to {bodies.CALL_PROMPT!r} in mode NONE")


@rule(
    "TOOL-05",
    MUST,
    "a thinking model's functionCall turn, thoughtSignature included, is accepted back unchanged in the next request",
    source=(GEMINI_API.at("§2 Part: thoughtSignature; §9 rule 5"), GATEWAY_BUGS.at("§5 rule 10; §4 litellm#16893, #25322, Antigravity-Manager#3202; §6 F18, F19")),
    needs=THINKING_TOOLS,
    reads=signed_result_answer,
)
def thought_signature_round_trip():
    _answered_in_text(signed_result_answer())


@rule(
    "TOOL-06",
    MUST,
    "function calls come only when the request declares functions: without tools, a reply asked for in text that reads like a call "
    "(lookup_order(42)) comes back as text, never as a functionCall part",
    source=(GEMINI_API.at("§2 Tools: functionDeclarations"), GATEWAY_BUGS.at("§5 rules 11, 14")),
    needs=GENERATE,
    reads=call_like_reply_answer,
)
def function_calls_only_with_tools():
    # A model cannot call a function no request declared, so a call here is the gateway's making (a
    # layer that emulates tools by parsing the model's text, or one that adds tools of its own).
    exchange = call_like_reply_answer()
    expect.answer_matches(exchange, "NoFunctionCall", what="the answer to a request that declared no tools")
