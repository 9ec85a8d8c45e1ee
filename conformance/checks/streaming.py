"""streamGenerateContent?alt=sse: one shared stream, checked frame by frame.

STREAM-01 the stream is served as text/event-stream
STREAM-02 every event is exactly one `data: <json>` line and a blank line
STREAM-03 every chunk is a GenerateContentResponse (schema)
STREAM-04 usageMetadata is cumulative: never decreases, promptTokenCount constant
STREAM-05 the last chunk carries finishReason
STREAM-06 the last chunk carries the final usage totals
STREAM-07 the stream arrives in more than one piece
"""

from __future__ import annotations

from conformance import expect
from conformance.rules import MUST, STREAM, rule
from conformance.sources import AIONE_NATIVE, GATEWAY_BUGS, GEMINI_API, NEBULA, TOKENSMART
from conformance.usage import ADDENDS, total_mismatch

COUNTS = ("promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "toolUsePromptTokenCount", "totalTokenCount")


def _chunks(responses) -> tuple[object, list[dict]]:
    exchange = responses.text_stream()
    expect.status_ok(exchange)
    chunks = exchange.sse.chunks()
    if not chunks:
        raise expect.fail("the stream carried no JSON chunk", exchange, expected="one or more data: events", actual=exchange.excerpt(200))
    return exchange, chunks


@rule(
    "STREAM-01",
    MUST,
    "an alt=sse stream is served with Content-Type text/event-stream",
    source=(GEMINI_API.at("§9 rule 20"), AIONE_NATIVE.at("Streaming Request: SSE (Server-Sent Events) chunks")),
    needs=STREAM,
)
def event_stream_content_type(responses):
    exchange = responses.text_stream()
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
)
def data_only_framing(responses):
    exchange = responses.text_stream()
    expect.status_ok(exchange)
    problems = exchange.sse.problems
    if problems:
        raise expect.fail(
            f"the stream's framing breaks Gemini clients: {problems[0].describe()}",
            exchange,
            expected="data: {json}\\r\\n\\r\\n per event, nothing else",
            actual=problems[0].line,
            details=tuple(p.describe() for p in problems[1:5]),
        )


@rule("STREAM-03", MUST, "every streamed chunk is a GenerateContentResponse", source=(GEMINI_API.at("§6 Streaming: stream of GenerateContentResponse"), AIONE_NATIVE.at("SSE Response Format")), needs=STREAM)
def chunk_schema(responses):
    exchange, chunks = _chunks(responses)
    for index, chunk in enumerate(chunks):
        expect.matches_schema(chunk, "stream_chunk", exchange, what=f"chunk {index}", at=f"$chunk[{index}]")


@rule(
    "STREAM-04",
    MUST,
    "usageMetadata is cumulative across chunks: counts never decrease and promptTokenCount stays the same",
    source=(AIONE_NATIVE.at("SSE Response Format: usageMetadata values are cumulative"), GEMINI_API.at("§6 chunk contents; §9 rule 25"), GATEWAY_BUGS.at("§5 rule 8; agno#6264")),
    needs=STREAM,
)
def cumulative_usage(responses):
    exchange, chunks = _chunks(responses)
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
)
def final_finish_reason(responses):
    exchange, chunks = _chunks(responses)
    expect.matches_schema(chunks[-1], "generate_content_response#/$defs/Finished", exchange, what="the last chunk", at=f"$chunk[{len(chunks) - 1}]")


@rule(
    "STREAM-06",
    MUST,
    "the last chunk carries usageMetadata with the final totals (no count below an earlier chunk's, total = sum of parts)",
    source=(AIONE_NATIVE.at("SSE Response Format: the last chunk contains the final usage totals"), TOKENSMART.at("Example: streaming: the last chunk carries the complete usageMetadata"), GEMINI_API.at("§9 rule 25")),
    needs=STREAM,
)
def final_usage_totals(responses):
    exchange, chunks = _chunks(responses)
    last_index = len(chunks) - 1
    at = f"$chunk[{last_index}]"
    expect.matches_schema(chunks[-1], "generate_content_response#/$defs/HasUsage", exchange, what="the last chunk", at=at)
    final = chunks[-1]["usageMetadata"]
    for index, chunk in enumerate(chunks[:-1]):
        usage = chunk.get("usageMetadata") or {}
        for name in (*ADDENDS, "totalTokenCount"):
            earlier, last = usage.get(name), final.get(name, 0)
            if isinstance(earlier, int) and isinstance(last, int) and last < earlier:
                raise expect.fail(
                    f"the last chunk's {name} ({last}) is below chunk {index}'s ({earlier}): it is not the final total",
                    exchange,
                    path=f"{at}.usageMetadata.{name}",
                    expected=f">= {earlier}",
                    actual=last,
                )
    problem = total_mismatch(final)
    if problem:
        raise expect.fail(problem.summary, exchange, path=f"{at}.usageMetadata.totalTokenCount", expected=problem.expected, actual=problem.actual)


@rule(
    "STREAM-07",
    MUST,
    "the stream arrives in more than one piece (events are flushed as they are produced, not buffered)",
    source=(GATEWAY_BUGS.at("§5 rule 2; CLIProxyAPI#593, uni-api#146"), AIONE_NATIVE.at("Streaming Request")),
    needs=STREAM,
)
def incremental_delivery(responses):
    exchange, _ = _chunks(responses)
    events = exchange.sse.chunk_events()
    first, last = exchange.arrival(events[0].end), exchange.arrival(events[-1].end)
    if len(events) < 2 or first >= last:
        raise expect.fail(
            f"all {len(events)} event(s) arrived at once, {last:.3f} s after the request: the stream was buffered",
            exchange,
            expected="the first event before the last",
            actual=f"first event at {first:.3f} s, last at {last:.3f} s, {len(exchange.reads)} network read(s)",
        )
