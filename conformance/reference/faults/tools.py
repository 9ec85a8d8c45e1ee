"""Faults that break rules of the tools area (conformance/checks/tools.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import (
        args_as_json_string,
        args_wrapped,
        drop_keys,
        first_function_call_only,
        for_each_call,
        for_each_part,
        for_each_request_part,
        function_response_as_string,
        map_parts,
        refuse_thought_signatures,
        restart_call_ids,
        text_parsed_as_call,
        without_part_field,
)

FAULTS = (
    Fault(
        "args_as_json_string",
        "functionCall.args is relayed as the OpenAI-style JSON string instead of an object (bugs F20; "
        "router-for-me/CLIProxyAPI#3256).",
        ("TOOL-01",),
        reshape={"generateContent": for_each_call(args_as_json_string)},
    ),
    Fault(
        "args_wrapped_in_arguments",
        'Arguments come back wrapped as {"arguments": "<raw JSON>"} (new-api ResponseOpenAI2Gemini; bugs F20).',
        ("TOOL-01",),
        reshape={"generateContent": for_each_call(args_wrapped)},
    ),
    Fault(
        "keeps_only_first_function_call",
        "Only the first functionCall part survives, so parallel calls are lost (one-api getToolCalls "
        "reads parts[0]; bugs §2, F20).",
        ("TOOL-02",),
        reshape={"generateContent": for_each_part(first_function_call_only)},
    ),
    Fault(
        "function_call_ids_collide",
        "Call ids are regenerated with a counter that restarts for each part, so parallel calls all "
        "get call_0 and their results cannot be told apart (cf. new-api synthetic call_<n> ids; bugs F20).",
        ("TOOL-02",),
        reshape={"generateContent": for_each_call(restart_call_ids)},
    ),
    Fault(
        "function_response_as_string",
        "functionResponse.response is forwarded as a JSON string, which Google refuses with 400 "
        "(AstrBotDevs/AstrBot PR#7216; PublicAffairs/openai-gemini#70).",
        ("TOOL-03", "TOOL-05"),
        rewrite_request=for_each_request_part(function_response_as_string),
    ),
    Fault(
        "ignores_tool_config",
        "toolConfig is not mapped, so functionCallingConfig.mode ANY and NONE act as AUTO "
        "(new-api GeminiToOpenAIRequest; bugs §1, F22).",
        ("TOOL-04",),
        rewrite_request=drop_keys("toolConfig", "tool_config"),
    ),
    Fault(
        "strips_thought_signature",
        "thoughtSignature is dropped from response parts, so Gemini 3 refuses the next turn "
        "(BerriAI/litellm#16893, #25322; lbjlaq/Antigravity-Manager#3202; bugs F18).",
        ("TOOL-05",),
        profile="tokensmart",
        reshape={"generateContent": for_each_part(without_part_field("thoughtSignature"))},
    ),
    Fault(
        "rejects_thought_signature_in_history",
        "The gateway's request schema predates thoughtSignature and refuses it as an unknown field "
        "(OpenHands/software-agent-sdk#1500; bugs F19).",
        ("TOOL-05",),
        rewrite_request=for_each_request_part(refuse_thought_signatures),
    ),
    Fault(
        "parses_text_as_function_call",
        "Function calling is emulated by parsing the model's text: an answer that reads like a call, "
        "name(args), is made a functionCall part, tools declared or not (prompt-based tool layers in "
        "front of models without native function calling).",
        ("TOOL-06",),
        reshape={"generateContent": map_parts(text_parsed_as_call)},
    ),
)
