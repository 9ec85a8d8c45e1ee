"""The faults: realistic gateway bugs the reference gateway can be started with, one table per rule
area (`<area>.py`, named after the area of the first rule a fault breaks; `transforms.py` holds the
building blocks they are written in, which the test relay's faults share).

Each Fault names the bug, says where it is seen in the wild (gateway-bugs.md refs), lists the
conformance rules it must make fail (`breaks`; globs allowed) and describes its behaviour as values
for the gateway's hook points. Every hook's default is the clean behaviour; app.py consults the
hooks through behaviour.Behaviour and never asks which fault is active.

Hook points, in the order a request meets them:

    ignores_placements  auth: key placements the gateway does not read
    admits              auth: verdicts ("missing", "invalid") it lets through anyway
    skips               request checks or steps it forgets ("role", "image_stream", "bridge_stream",
                        "alias_preset": the thinking/image config a model-name alias presets,
                        "key_first": authenticating before the body is read, "model_lookup:<action>":
                        looking up the model of that action, which then answers as a text model)
    rewrite_request     transform of a request body as sent (parsed JSON, before snake_case field
                        names are mapped to camelCase); may raise an ApiError to reject the request
    reroutes            action -> the action it really performs
    stalls              (action, model kind) pairs that never start answering
    reshape             body kind -> transform of the success/error body before encoding.
                        Kinds: generateContent, streamGenerateContent (the list of chunks),
                        countTokens, embedContent, batchEmbedContents, listModels, getModel,
                        chatCompletions (the OpenAI image bridge's completion), error,
                        stream_error (the `data: {"error": ...}` event that ends a stream whose
                        upstream failed mid-answer)
    success_status      body kind -> the HTTP status of a success (clean: 200)
    media_types         response kind -> Content-Type. Kinds: generateContent, sse, json_array,
                        error (plus the reshape kinds)
    stream_format       "sse" or "json_array": how a stream is framed whatever `alt` asks for
    frame_sse           transform of the list of SSE frames (bytes)
    schedule            transform of the list of timed writes a stream is played as
    restate_error       transform of an ApiError before it is rendered (status, code, message); the
                        error carries the action it answers
    hangs_up_on         error reasons ("body_too_large") answered by dropping the connection (a TCP
                        reset) instead of sending the error
    commits_streams_early  an alt=sse request's error is sent as HTTP 200 + one `data:` error event
                        (the gateway sent the stream's headers before it knew the outcome)
    unrouted            the reply sent instead of the error for unsupported actions and unknown paths
    unserved_versions   API versions ("v1") the gateway does not serve: their paths are unknown
    loose_routing       Gemini routes are matched anywhere in the path, whatever precedes /v1beta/
    substitutes_model   text requests are answered by a cheaper model that follows no instructions
    unknown_models      model kinds ("image") the gateway's catalogue lacks: every request naming one is 404
    prefix_routed       actions whose model is matched by name prefix: a model whose id another served
                        model's extends (gemini-2.5-flash, gemini-2.5-flash-image) is answered by that one

Transforms receive bodies built fresh for each request, so they may edit them in place.
"""

from __future__ import annotations

from . import (
    actions,
    auth,
    casing,
    config,
    errors,
    framing,
    generate,
    images,
    multimodal,
    openai_bridge,
    semantic,
    streaming,
    thinking,
    timeouts,
    tools,
    unsupported,
    versions,
)
from .fault import STALL_TIMEOUTS, Fault

AREAS = (auth, generate, streaming, images, unsupported, errors, timeouts, framing, casing, config, tools, thinking, multimodal, actions, versions, semantic, openai_bridge)


def _table() -> dict[str, Fault]:
    table: dict[str, Fault] = {}
    for area in AREAS:
        for fault in area.FAULTS:
            if fault.name in table:
                raise ValueError(f"fault {fault.name} is in two tables")
            table[fault.name] = fault
    return table


FAULTS: dict[str, Fault] = _table()

__all__ = ["FAULTS", "STALL_TIMEOUTS", "Fault"]
