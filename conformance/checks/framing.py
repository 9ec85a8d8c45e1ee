"""Strict `alt=sse` framing, one rule per way a frame breaks a Gemini SDK, and how a stream reports errors.

SSE-01 no comment (keep-alive) lines
SSE-02 no event:/id:/retry: or other non-data lines
SSE-03 data lines are written `data: ` with the space
SSE-04 no [DONE] sentinel
SSE-05 an event's JSON sits on one data line, never split across several
SSE-06 each event's data is one valid JSON object
SSE-07 every event, the last one included, ends with a blank line
SSE-08 an error known before the first byte is a non-200 JSON error, not 200 + SSE
SSE-09 a mid-stream error is one final data event carrying a Google error with a numeric code

The client's strict parser (conformance/client/sse.py) names each problem in the text stream by its
kind; each rule owns some kinds, so a provider sees exactly which SDK breaks on what. (STREAM-02
fails on a problem of any kind, a body that is not an event stream at all included.) The stream ends by closing the connection; a
gateway that holds it open after the last event times out (TIME-02).

A clean gateway only sends a mid-stream error when its upstream fails, which no request can make a
real model do. SSE-09 therefore judges whatever error event the suite's streams carry: the text
stream, and a short stream whose prompt makes the reference gateway's fake upstream fail after its
first piece (vocabulary.UPSTREAM_FAILURE; a real model just answers it). Without an error event
there is nothing to judge and the rule does not apply.
"""

from __future__ import annotations

from collections.abc import Collection

from conformance import expect
from conformance.client import sse
from conformance.outcomes import blocked, not_applicable
from conformance.recipes.common import text_stream
from conformance.recipes.framing import unknown_model_stream, upstream_failure_stream
from conformance.rules import MUST, STREAM, rule
from conformance.sources import AIONE_NATIVE, GATEWAY_BUGS, GEMINI_API, NEBULA

ONE_DATA_LINE = "data: {json}\\r\\n\\r\\n per event, nothing else"


def no_framing_problem(
    text_stream, kinds: Collection[str] | None = None, *, sdk: str = "", expected: str = ONE_DATA_LINE
) -> None:
    """The text stream has no framing problem of these kinds (None: of any kind); `sdk` says what
    the SDKs do with one."""
    exchange = text_stream()
    expect.status_ok(exchange)
    if kinds is not None and not any(event.data is not None for event in exchange.sse.events):
        # No event at all (an HTML page, an empty body): nothing of this kind to judge, so not a pass.
        blocked(f"the body holds no SSE event to judge ({exchange.describe()})", by="STREAM-02")
    found = [problem for problem in exchange.sse.problems if kinds is None or problem.kind in kinds]
    if found:
        consequence = f" ({sdk})" if sdk else ""
        raise expect.fail(
            f"{len(found)} framing problem(s){consequence}; first: {found[0].describe()}",
            exchange,
            expected=expected,
            actual=found[0].line,
            details=tuple(problem.describe() for problem in found[1:5]),
        )


FRAMING_DOCS = (
    GEMINI_API.at("§6 alt=sse framing; §8 SDK outcomes; §9 rules 20-22"),
    GATEWAY_BUGS.at("§5 rule 1; §4 SDK parsing facts"),
)


@rule("SSE-01", MUST, "a stream has no comment (keep-alive) lines", source=(*FRAMING_DOCS, GATEWAY_BUGS.at("§6 F2")), needs=STREAM, reads=text_stream)
def no_comment_lines():
    no_framing_problem(text_stream, {sse.COMMENT_LINE}, sdk="@google/genai skips them")


@rule(
    "SSE-02",
    MUST,
    "a stream has no `event:`, `id:`, `retry:` or other non-data lines",
    source=(*FRAMING_DOCS, GATEWAY_BUGS.at("§1 new-api fork failureSSE; §6 F2")),
    needs=STREAM,
    reads=text_stream,
)
def no_other_fields():
    no_framing_problem(text_stream, {sse.OTHER_FIELD})


@rule("SSE-03", MUST, "data lines are written `data: ` with the space", source=(*FRAMING_DOCS, GATEWAY_BUGS.at("§6 F3")), needs=STREAM, reads=text_stream)
def data_prefix_with_space():
    no_framing_problem(text_stream, {sse.DATA_WITHOUT_SPACE}, sdk="@google/genai accepts it")


@rule(
    "SSE-04",
    MUST,
    "a stream has no `data: [DONE]` sentinel: it ends when the connection closes",
    source=(*FRAMING_DOCS, GATEWAY_BUGS.at("§4 litellm PR#29426")),
    needs=STREAM,
    reads=text_stream,
)
def no_done_sentinel():
    no_framing_problem(text_stream, {sse.DONE_SENTINEL})


@rule(
    "SSE-05",
    MUST,
    "each event's JSON sits on a single `data:` line, never split across several",
    source=(*FRAMING_DOCS, AIONE_NATIVE.at("SSE Response Format: each data: line is an independent JSON object"), GATEWAY_BUGS.at("§6 F4")),
    needs=STREAM,
    reads=text_stream,
)
def one_data_line_per_event():
    no_framing_problem(
        text_stream,
        {sse.MULTIPLE_DATA_LINES},
        sdk="@google/genai matches one `data: ` line per event and ends with 'Incomplete JSON segment at the end'",
    )


@rule(
    "SSE-06",
    MUST,
    "each event's data is one valid JSON object (UTF-8, no NaN or Infinity, not an array)",
    source=(*FRAMING_DOCS, NEBULA.at("Streaming: each data: line is a JSON chunk")),
    needs=STREAM,
    reads=text_stream,
)
def data_is_one_json_object():
    no_framing_problem(
        text_stream,
        {sse.NOT_JSON, sse.NOT_AN_OBJECT, sse.INVALID_UTF8},
        sdk="@google/genai's JSON.parse throws SyntaxError; google-genai fails on anything but an object",
    )


@rule(
    "SSE-07",
    MUST,
    "every event, the last one included, ends with a blank line",
    source=(GEMINI_API.at("§6 alt=sse framing; §8: last event without a trailing blank line; §9 rule 22"), GATEWAY_BUGS.at("§5 rule 19; §6 F3")),
    needs=STREAM,
    reads=text_stream,
)
def last_event_terminated():
    no_framing_problem(text_stream, {sse.UNTERMINATED_EVENT}, expected="a blank line after the last event too")


@rule(
    "SSE-08",
    MUST,
    "an error known before the first byte (a stream for an unknown model) is a non-200 JSON error, not 200 + SSE",
    source=(GEMINI_API.at("§6 Errors: errors found before streaming starts; §9 rule 19"), GATEWAY_BUGS.at("§5 rule 5")),
    needs=STREAM,
    reads=unknown_model_stream,
)
def error_before_stream_is_json():
    exchange = unknown_model_stream()
    if exchange.status == 200:
        raise expect.fail(
            "a stream for an unknown model was answered HTTP 200: clients that decide on the status "
            "(retries, logs, billing) see a success, and the SDKs only learn of the error from the body",
            exchange,
            expected="a 4xx Google error envelope with Content-Type application/json (404 NOT_FOUND)",
            actual=f"HTTP 200 {exchange.content_type or '(no content-type)'}: {exchange.excerpt(160)}",
        )
    expect.media_type(exchange, expect.JSON_TYPES)
    expect.google_error(exchange)


@rule(
    "SSE-09",
    MUST,
    'a mid-stream error is one final `data: {"error": {...}}` event with a numeric code (400-599), message and status',
    source=(
        GEMINI_API.at("§6 Errors: mid-stream errors; §7 SSE parsing; §8: OpenAI-style error data event; §9 rule 23"),
        GATEWAY_BUGS.at("§5 rule 19; §4 SDK parsing facts"),
    ),
    needs=STREAM,
    reads=(text_stream, upstream_failure_stream),
)
def mid_stream_error_event():
    for exchange in (text_stream(), upstream_failure_stream()):
        chunks = exchange.sse.chunks()
        errors = [index for index, chunk in enumerate(chunks) if "error" in chunk]
        if not errors:
            continue
        first = errors[0]
        expect.matches_schema(
            chunks[first],
            "error#/$defs/StreamErrorEvent",
            exchange,
            what="the error event (google-genai needs an int error.code, @google/genai one from 400 to 599)",
            at=f"$chunk[{first}]",
        )
        if first != len(chunks) - 1:
            raise expect.fail(
                f"{len(chunks) - 1 - first} chunk(s) follow the error event in chunk {first}: an error ends the stream",
                exchange,
                path=f"$chunk[{first + 1}]",
                expected="the error event last",
                actual=f"{len(chunks)} chunks, the error at {first}",
            )
        return
    not_applicable("no stream carried an error event, so there is none to judge (only a failing upstream sends one)")
