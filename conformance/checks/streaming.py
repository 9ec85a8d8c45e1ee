"""streamGenerateContent: one `alt=sse` stream read by every check, checked chunk by chunk, and the JSON-array form.

STREAM-01 the stream is served as text/event-stream
STREAM-02 every event is exactly one `data: <json>` line and a blank line (any framing problem)
STREAM-03 every chunk is a GenerateContentResponse (schema)
STREAM-04 usageMetadata is cumulative: never decreases, promptTokenCount constant (one user turn, no tools)
STREAM-05 the last chunk carries finishReason
STREAM-06 the last chunk carries the billed usage totals, and they add up
STREAM-07 a long answer arrives in several events, spread over time
STREAM-08 without alt=sse the stream is a JSON array of GenerateContentResponse (SHOULD)
STREAM-09 a stream that carries a responseId carries the same one on every chunk (SHOULD)
STREAM-10 every chunk carries modelVersion (SHOULD)
STREAM-11 chunks carry text deltas, never the whole text so far

STREAM-02 fails on any framing problem, a body that is not an event stream at all included; the
framing area (SSE-NN) names each kind of problem by the SDK it breaks.

STREAM-11 looks for cumulative text rather than comparing the stream with a non-streamed answer: a
real model answers the same prompt differently twice, so that comparison would only hold on the
reference gateway. A chunk whose text starts with everything streamed before it is what a
cumulative stream shows on any model; with the counting prompt a real delta never does.
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.checks.framing import no_framing_problem
from conformance.recipes import bodies
from conformance.recipes.common import text_stream
from conformance.recipes.streaming import json_array_stream
from conformance.rules import MUST, SHOULD, STREAM, Needs, rule
from conformance.sources import (
    AIONE_NATIVE,
    GATEWAY_BUGS,
    GEMINI_API,
    NEBULA,
    TOKENSMART,
)
from conformance.usage import total_mismatch

COUNTS = ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount", "totalTokenCount")


RESPONSE = "generate_content_response"
# The least time between the first and the last event of a stream that was not buffered: a buffered
# body split over two network reads arrives microseconds apart; the reference paces events 15 ms.
MIN_SPREAD_S = 0.005
# An answer this long needs several events from Google (every recorded stream of 6+ tokens had 2+).
LONG_ENOUGH_TOKENS = 30
JSON_ARRAY_STREAM = Needs(actions=("streamGenerateContent",), features=("json_array_stream",), models=("text",))


def chunks_of(exchange) -> list[dict]:
    expect.status_ok(exchange)
    chunks = exchange.sse.chunks()
    if not chunks:
        raise expect.fail("the stream carried no JSON chunk", exchange, expected="one or more data: events", actual=exchange.excerpt(200))
    return chunks


def _several(chunks: list[dict], what: str) -> None:
    """A rule about how chunks relate has nothing to judge in a one-chunk stream (STREAM-07 judges
    whether the answer should have come in several)."""
    if len(chunks) < 2:
        pytest.skip(f"not judged: the stream has one chunk, so there is no {what}")


def _chunks(text_stream) -> tuple[object, list[dict]]:
    exchange = text_stream()
    return exchange, chunks_of(exchange)


def every_chunk_matches(text_stream, schema: str, why: str = "") -> list[dict]:
    """Each chunk of the text stream against a schema (fragment); `why` says what a mismatch breaks."""
    exchange, chunks = _chunks(text_stream)
    for index, chunk in enumerate(chunks):
        expect.matches_schema(chunk, schema, exchange, what=f"chunk {index}{why}", at=f"$chunk[{index}]")
    return chunks


@rule(
    "STREAM-01",
    MUST,
    "an alt=sse stream is served with Content-Type text/event-stream",
    source=(GEMINI_API.at("§9 rule 20"), AIONE_NATIVE.at("Streaming Request: SSE (Server-Sent Events) chunks")),
    needs=STREAM,
    reads=text_stream,
)
def event_stream_content_type():
    exchange = text_stream()
    expect.status_ok(exchange)
    expect.media_type(exchange, "text/event-stream")


@rule(
    "STREAM-02",
    MUST,
    "every event is exactly one `data: <JSON object>` line followed by a blank line: no [DONE], comments or other fields",
    source=(
        AIONE_NATIVE.at("SSE Response Format: each data: line is an independent JSON object"),
        NEBULA.at("Streaming: each data: line is a JSON chunk"),
        GEMINI_API.at("§6 alt=sse framing; §8 SDK outcomes; §9 rules 20-22"),
        GATEWAY_BUGS.at("§5 rule 1; litellm PR#29426"),
    ),
    needs=STREAM,
    reads=text_stream,
)
def data_only_framing():
    no_framing_problem(text_stream)


@rule("STREAM-03", MUST, "every streamed chunk is a GenerateContentResponse", source=(GEMINI_API.at("§6 Streaming: stream of GenerateContentResponse"), AIONE_NATIVE.at("SSE Response Format")), needs=STREAM, reads=text_stream)
def chunk_schema():
    every_chunk_matches(text_stream, "stream_chunk")


@rule(
    "STREAM-04",
    MUST,
    "for one user turn without tools or systemInstruction, usageMetadata is cumulative across chunks: counts never decrease and promptTokenCount stays the same",
    source=(AIONE_NATIVE.at("SSE Response Format: usageMetadata values are cumulative"), GEMINI_API.at("§6 chunk contents; §9 rule 25"), GATEWAY_BUGS.at("§5 rule 8; agno#6264")),
    needs=STREAM,
    reads=text_stream,
)
def cumulative_usage():
    exchange, chunks = _chunks(text_stream)
    _several(chunks, "usage to compare across chunks")
    seen: dict[str, tuple[int, int]] = {}  # count -> (value, chunk index)
    for index, chunk in enumerate(chunks):
        usage = chunk.get("usageMetadata")
        if not isinstance(usage, dict):
            continue
        for name in COUNTS:
            value = usage.get(name)
            if not isinstance(value, int):
                continue
            if name in seen:
                before, where = seen[name]
                changed = value != before if name == "promptTokenCount" else value < before
                if changed:
                    relation = "changed" if name == "promptTokenCount" else "decreased"
                    raise expect.fail(
                        f"{name} {relation} from {before} (chunk {where}) to {value} (chunk {index})",
                        exchange,
                        path=f"$chunk[{index}].usageMetadata.{name}",
                        expected=f"{'==' if name == 'promptTokenCount' else '>='} {before}",
                        actual=value,
                    )
            seen[name] = (value, index)


@rule(
    "STREAM-05",
    MUST,
    "the last chunk carries candidates[0].finishReason",
    source=(AIONE_NATIVE.at("SSE Response Format: last chunk has finishReason"), GEMINI_API.at("§9 rule 24"), GATEWAY_BUGS.at("§4 finishReason: CLIProxyAPI#5226")),
    needs=STREAM,
    reads=text_stream,
)
def final_finish_reason():
    exchange, chunks = _chunks(text_stream)
    expect.prompt_not_blocked(exchange, chunks)
    expect.matches_schema(chunks[-1], f"{RESPONSE}#/$defs/Finished", exchange, what="the last chunk", at=f"$chunk[{len(chunks) - 1}]")


@rule(
    "STREAM-06",
    MUST,
    "the last chunk carries usageMetadata with the billed totals, and totalTokenCount is the sum of its parts",
    source=(AIONE_NATIVE.at("SSE Response Format: the last chunk contains the final usage totals"), TOKENSMART.at("Example: streaming: the last chunk carries the complete usageMetadata"), GEMINI_API.at("§9 rule 25")),
    needs=STREAM,
    reads=text_stream,
)
def final_usage_totals():
    exchange, chunks = _chunks(text_stream)
    expect.prompt_not_blocked(exchange, chunks)
    at = f"$chunk[{len(chunks) - 1}]"
    expect.matches_schema(chunks[-1], f"{RESPONSE}#/$defs/HasUsage", exchange, what="the last chunk", at=at)
    problem = total_mismatch(chunks[-1]["usageMetadata"])
    if problem:
        raise expect.fail(problem.summary, exchange, path=f"{at}.usageMetadata.totalTokenCount", expected=problem.expected, actual=problem.actual)


@rule(
    "STREAM-07",
    MUST,
    f"an answer of {LONG_ENOUGH_TOKENS}+ tokens arrives in several events spread over time (flushed as produced, not buffered)",
    source=(GATEWAY_BUGS.at("§5 rule 2; CLIProxyAPI#593, uni-api#146"), AIONE_NATIVE.at("Streaming Request")),
    needs=STREAM,
    reads=text_stream,
)
def incremental_delivery(client, target):
    exchange = text_stream()
    _long_enough(exchange)
    if not _buffered(exchange):
        return
    # A gateway that buffers does so every time; a second stream tells it from a moment in which
    # this client was not scheduled to read while the events arrived.
    exchange = client.stream(target.model("text"), bodies.stream_request(target))
    _long_enough(exchange)
    if _buffered(exchange):
        events = exchange.sse.chunk_events()
        first, last = exchange.arrival(events[0].end), exchange.arrival(events[-1].end)
        raise expect.fail(
            f"all {len(events)} event(s) arrived at once, {last:.3f} s after the request, in two streams: it was buffered",
            exchange,
            expected=f"the first event at least {MIN_SPREAD_S * 1000:g} ms before the last",
            actual=f"first event at {first:.3f} s, last at {last:.3f} s, {len(exchange.reads)} network read(s)",
        )


def _long_enough(exchange) -> None:
    """A stream whose answer Google would send in several events: else there is nothing to judge.
    Judged by the answer's length, never by the event count of a short answer, which Google sends
    as one event too (recordings: every stream of 6 output tokens or more came in two or more)."""
    chunks = chunks_of(exchange)
    tokens = _answer_tokens(chunks)
    if tokens < LONG_ENOUGH_TOKENS:
        pytest.skip(f"not judged: the answer is {tokens} tokens, too short to need several events")
    if len(chunks) < 2:
        raise expect.fail(
            f"a {tokens}-token answer arrived as one event: Google streams an answer this long in several, so it was gathered up",
            exchange,
            expected=f"two or more events for {LONG_ENOUGH_TOKENS}+ tokens",
            actual="one event",
        )


def _answer_tokens(chunks: list[dict]) -> int:
    """The answer's output tokens: the last usage's candidatesTokenCount, or its words if larger."""
    usage = next((c["usageMetadata"] for c in reversed(chunks) if isinstance(c.get("usageMetadata"), dict)), {})
    counted = usage.get("candidatesTokenCount") if isinstance(usage.get("candidatesTokenCount"), int) else 0
    return max(counted, len("".join(_answer_text(chunk) for chunk in chunks).split()))


def _buffered(exchange) -> bool:
    """The stream's events arrived within MIN_SPREAD_S of each other."""
    events = exchange.sse.chunk_events()
    return exchange.arrival(events[-1].end) - exchange.arrival(events[0].end) < MIN_SPREAD_S


@rule(
    "STREAM-08",
    SHOULD,
    "without alt=sse, streamGenerateContent answers a JSON array of GenerateContentResponse objects",
    source=(GEMINI_API.at("§6 Streaming: without alt; §5: errors as [{error}]; §9 rule 28"), GATEWAY_BUGS.at("§5 rule 3; new-api#4086, litellm#28777")),
    needs=JSON_ARRAY_STREAM,
    reads=json_array_stream,
)
def json_array_without_alt():
    exchange = json_array_stream()
    expect.status_ok(exchange)
    stream = exchange.json_array
    if stream.problems or not stream.items:
        raise expect.fail(
            f"the body is not a streamed JSON array: {stream.problems[0] if stream.problems else 'the array is empty'}",
            exchange,
            expected="[GenerateContentResponse, ...] (Google streams a JSON array when alt is absent)",
            actual=exchange.excerpt(160),
            details=stream.problems[1:5],
        )
    for index, item in enumerate(stream.values()):
        expect.matches_schema(item, "stream_chunk", exchange, what=f"array item {index}", at=f"$[{index}]")


STREAM_IDS_DOCS = (GEMINI_API.at("§6 chunk contents: every chunk carries modelVersion and the same responseId; §9 rule 26"), GATEWAY_BUGS.at("§5 rule 25; §6 F24"))


@rule("STREAM-09", SHOULD, "a stream that carries a responseId carries the same one on every chunk", source=STREAM_IDS_DOCS, needs=STREAM, reads=text_stream)
def same_response_id():
    exchange, chunks = _chunks(text_stream)
    ids = [(index, chunk.get("responseId")) for index, chunk in enumerate(chunks)]
    first = next(((index, value) for index, value in ids if value is not None), None)
    if first is None:
        return  # Google's older streams (Gemini 2.0) carry none
    for index, value in ids:
        if value != first[1]:
            raise expect.fail(
                f"chunk {first[0]} carries responseId {first[1]!r} but chunk {index} carries {value!r}: "
                "the chunks no longer read as one response",
                exchange,
                path=f"$chunk[{index}].responseId",
                expected=first[1],
                actual=value,
            )


@rule("STREAM-10", SHOULD, "every chunk of a stream carries modelVersion", source=STREAM_IDS_DOCS, needs=STREAM, reads=text_stream)
def model_version_on_every_chunk():
    exchange, chunks = _chunks(text_stream)
    expect.prompt_not_blocked(exchange, chunks)
    every_chunk_matches(text_stream, f"{RESPONSE}#/$defs/HasModelVersion")


@rule(
    "STREAM-11",
    MUST,
    "chunks carry text deltas: no chunk repeats the text streamed before it",
    source=(GEMINI_API.at("§9 rule 27: chunks carry deltas, not cumulative text"), AIONE_NATIVE.at("SSE Response Format: Spring / breeze blows")),
    needs=STREAM,
    reads=text_stream,
)
def text_deltas():
    exchange, chunks = _chunks(text_stream)
    _several(chunks, "text to compare across chunks")
    streamed = ""
    for index, chunk in enumerate(chunks):
        text = _answer_text(chunk)
        if streamed.strip() and text.startswith(streamed):
            raise expect.fail(
                f"chunk {index} repeats all {len(streamed)} characters streamed before it: chunks carry the text so far, "
                "so clients that concatenate them (both SDKs) repeat the answer",
                exchange,
                path=f"$chunk[{index}].candidates[0].content.parts",
                expected=f"only the text after {expect.cut(exchange, streamed, 40, end=True)!r}",
                actual=expect.cut(exchange, text, 120),
            )
        streamed += text


def _answer_text(chunk: dict) -> str:
    """The non-thought text of the first candidate."""
    candidates = chunk.get("candidates")
    candidate = candidates[0] if isinstance(candidates, list) and candidates else None
    content = candidate.get("content") if isinstance(candidate, dict) else None
    parts = content.get("parts") if isinstance(content, dict) else None
    texts = (part.get("text") for part in parts or () if isinstance(part, dict) and not part.get("thought"))
    return "".join(text for text in texts if isinstance(text, str))
