from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from conformance.client import sse
from conformance.client.sse import FramingProblem, SSEEvent, SSEStream

# shared/ beside the checkout (not in it): the test skips without it.
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_0f63e6991fefb2ae.txt"

# The three events of the AIone "SSE Response Format" example (seed 000), verbatim.
AIONE_EVENTS = [
    '{"candidates":[{"content":{"parts":[{"text":"Spring"}],"role":"model"},"index":0}],'
    '"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":2,"totalTokenCount":10}}',
    '{"candidates":[{"content":{"parts":[{"text":" breeze blows,"}],"role":"model"},"index":0}],'
    '"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":5,"totalTokenCount":13}}',
    '{"candidates":[{"content":{"role":"model"},"finishReason":"STOP","index":0}],'
    '"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":28,"totalTokenCount":36}}',
]


def sse_body(payloads: list[str], newline: str = "\r\n") -> bytes:
    return "".join(f"data: {payload}{newline}{newline}" for payload in payloads).encode("utf-8")


def assert_same_stream(expected: SSEStream, actual: SSEStream) -> None:
    assert actual.events == expected.events
    assert actual.problems == expected.problems
    assert actual.chunks() == expected.chunks()
    assert actual.chunk_events() == expected.chunk_events()


def parse_sse(body: bytes) -> SSEStream:
    """sse.parse_sse, checked against the line-by-line parser, its specification.

    parse_sse reads a body framed exactly like Gemini's by a fast path; every
    body a test here parses must come out of it as the full parser reads it.
    """
    stream = sse.parse_sse(body)
    assert_same_stream(sse._parse_any(bytes(body)), stream)
    return stream


def kinds(stream: SSEStream) -> list[tuple[str, int | None]]:
    return [(problem.kind, problem.event_index) for problem in stream.problems]


def test_seed_example_matches_the_constants_used_here():
    if not SEED.exists():
        pytest.skip("shared/ is not beside this checkout")
    seed_data_lines = [line.strip()[len("data: "):] for line in SEED.read_text("utf-8").splitlines()
                       if line.strip().startswith("data: {")]
    assert seed_data_lines == AIONE_EVENTS


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_aione_example_parses_clean_with_every_line_ending(newline):
    body = sse_body(AIONE_EVENTS, newline)
    stream = parse_sse(body)

    assert stream.problems == ()
    assert [event.index for event in stream.events] == [0, 1, 2]
    assert all(event.terminated for event in stream.events)
    assert [event.data for event in stream.events] == AIONE_EVENTS
    assert stream.chunks() == [json.loads(payload) for payload in AIONE_EVENTS]
    assert stream.chunks()[-1]["candidates"][0]["finishReason"] == "STOP"
    assert stream.chunk_events() == list(stream.events)

    # Events tile the body exactly: each block plus its blank line, back to back.
    position = 0
    for event, payload in zip(stream.events, AIONE_EVENTS):
        expected = f"data: {payload}{newline}{newline}".encode()
        assert event.start == position
        assert body[event.start:event.end] == expected
        assert event.lines == (f"data: {payload}",)
        assert event.raw == f"data: {payload}"
        position = event.end
    assert position == len(body)


def test_byte_offsets_count_bytes_not_characters():
    payloads = [json.dumps({"t": "héllo → 世界 🎉"}, ensure_ascii=False), json.dumps({"t": "ok"})]
    body = sse_body(payloads)
    stream = parse_sse(body)

    assert stream.problems == ()
    second = stream.events[1]
    assert len(body) > len(body.decode("utf-8"))  # the text really is multi-byte
    assert body[second.start:second.end] == b'data: {"t": "ok"}\r\n\r\n'
    assert second.end == len(body)
    assert stream.chunks()[0] == {"t": "héllo → 世界 🎉"}


def test_leading_bom_is_allowed_and_offsets_stay_in_the_original_body():
    body = b"\xef\xbb\xbf" + sse_body(['{"a":1}'])
    stream = parse_sse(body)
    assert stream.problems == ()
    assert stream.events[0].start == 3
    assert stream.events[0].lines == ('data: {"a":1}',)
    assert stream.chunks() == [{"a": 1}]


def test_mixed_line_endings_are_fine():
    body = b'data: {"a":1}\r\n\ndata: {"a":2}\r\rdata: {"a":3}\n\r\n'
    stream = parse_sse(body)
    assert stream.problems == ()
    assert [chunk["a"] for chunk in stream.chunks()] == [1, 2, 3]


def test_extra_blank_lines_between_events_are_not_events():
    stream = parse_sse(b'\r\ndata: {"a":1}\r\n\r\n\r\n\r\ndata: {"a":2}\r\n\r\n')
    assert stream.problems == ()
    assert len(stream.events) == 2


# --- each problem kind --------------------------------------------------------


def test_done_sentinel():
    body = sse_body(AIONE_EVENTS + ["[DONE]"])
    stream = parse_sse(body)

    assert kinds(stream) == [(sse.DONE_SENTINEL, 3)]
    assert len(stream.chunks()) == 3
    assert stream.problems[0].line == "data: [DONE]"
    assert stream.problems[0].describe() == (
        'event 3: "data: [DONE]" sentinel (google-genai raises UnknownApiResponseError)'
    )


def test_comment_lines_standalone_and_inside_an_event():
    body = b': keep-alive\r\n\r\ndata: {"a":1}\r\n\r\n: PING\r\ndata: {"a":2}\r\n\r\n'
    stream = parse_sse(body)

    assert kinds(stream) == [(sse.COMMENT_LINE, 0), (sse.COMMENT_LINE, 2)]
    # The comment-only block is still an event, so the problem can point at it.
    assert stream.events[0].data is None
    assert stream.events[0].lines == (": keep-alive",)
    assert [event.index for event in stream.chunk_events()] == [1, 2]
    assert stream.chunks() == [{"a": 1}, {"a": 2}]
    assert "comment line" in stream.problems[0].describe()


def test_other_fields():
    body = b'event: message\r\nid: 7\r\ndata: {"a":1}\r\n\r\nretry: 1000\r\n\r\ndata: {"a":2}\r\n\r\n'
    stream = parse_sse(body)

    assert kinds(stream) == [(sse.OTHER_FIELD, 0), (sse.OTHER_FIELD, 0), (sse.OTHER_FIELD, 1)]
    assert [problem.line for problem in stream.problems] == ["event: message", "id: 7", "retry: 1000"]
    assert stream.chunks() == [{"a": 1}, {"a": 2}]
    assert "event: field" in stream.problems[0].describe()


def test_data_without_space():
    stream = parse_sse(b'data: {"a":1}\n\ndata:{"a":2}\n\n')
    assert kinds(stream) == [(sse.DATA_WITHOUT_SPACE, 1)]
    # Per the SSE spec the data is still the JSON; only the framing is wrong.
    assert stream.events[1].data == '{"a":2}'
    assert stream.chunks() == [{"a": 1}, {"a": 2}]


def test_done_without_space_reports_both():
    stream = parse_sse(b'data: {"a":1}\n\ndata:[DONE]\n\n')
    assert kinds(stream) == [(sse.DATA_WITHOUT_SPACE, 1), (sse.DONE_SENTINEL, 1)]
    assert stream.chunks() == [{"a": 1}]


def test_json_split_over_two_data_lines_between_tokens():
    body = b'data: {"a":1}\r\n\r\ndata: {"big":\r\ndata: "x"}\r\n\r\n'
    stream = parse_sse(body)

    assert kinds(stream) == [(sse.MULTIPLE_DATA_LINES, 1)]
    assert stream.events[1].data == '{"big":\n"x"}'
    assert stream.chunks() == [{"a": 1}, {"big": "x"}]
    assert "2 data lines" in stream.problems[0].describe()


def test_json_split_inside_a_string_is_also_not_json():
    stream = parse_sse(b'data: {"sig":"abc\ndata: def"}\n\n')
    assert kinds(stream) == [(sse.MULTIPLE_DATA_LINES, 0), (sse.NOT_JSON, 0)]
    assert stream.chunks() == []


@pytest.mark.parametrize("payload", ["not json", "{", "", '{"a":NaN}', '{"a":1} {"b":2}', "[" * 100_000])
def test_not_json(payload):
    stream = parse_sse(sse_body([payload]))
    assert kinds(stream) == [(sse.NOT_JSON, 0)]
    assert stream.chunks() == []
    assert stream.problems[0].describe().startswith("event 0: data is not valid JSON")


@pytest.mark.parametrize("payload", ["[{}]", '"text"', "42", "null", "true"])
def test_not_an_object(payload):
    stream = parse_sse(sse_body(['{"a":1}', payload]))
    assert kinds(stream) == [(sse.NOT_AN_OBJECT, 1)]
    assert stream.chunks() == [{"a": 1}]


def test_array_data_is_described_as_an_array():
    stream = parse_sse(sse_body(["[{}]"]))
    assert "data is an array, not a JSON object" in stream.problems[0].describe()


@pytest.mark.parametrize("tail", [b'data: {"a":2}', b'data: {"a":2}\r\n', b'data: {"a":2}\n'])
def test_unterminated_last_event(tail):
    body = b'data: {"a":1}\r\n\r\n' + tail
    stream = parse_sse(body)

    assert kinds(stream) == [(sse.UNTERMINATED_EVENT, 1)]
    last = stream.events[1]
    assert not last.terminated
    assert last.end == len(body)
    assert body[last.start:last.end] == tail
    # The chunk is still readable (google-genai accepts it; @google/genai does not).
    assert stream.chunks() == [{"a": 1}, {"a": 2}]
    assert "Incomplete JSON segment" in stream.problems[0].describe()


def test_final_blank_line_ended_by_a_lone_cr_counts_as_terminated():
    stream = parse_sse(b'data: {"a":1}\r\n\r')
    assert stream.problems == ()
    assert stream.events[0].terminated


@pytest.mark.parametrize(
    "body, first",
    [
        (b'[{"candidates":[]},\r\n{"candidates":[]}]', '[{"candidates":[]},'),
        (b'{\n  "error": {\n    "code": 503,\n    "status": "UNAVAILABLE"\n  }\n}\n', "{"),
        (b"<html><body>Bad Gateway</body></html>", "<html><body>Bad Gateway</body></html>"),
        (b"upstream error: timeout\n\n", "upstream error: timeout"),
    ],
    ids=["json-array", "pretty-error", "html", "plain-text"],
)
def test_non_sse_body_gives_one_problem(body, first):
    stream = parse_sse(body)
    assert kinds(stream) == [(sse.NON_SSE_BODY, None)]
    assert stream.problems[0].line == first
    assert stream.chunks() == []
    assert stream.problems[0].describe().startswith("stream: body is not SSE")


def test_non_sse_body_still_parses_later_events_best_effort():
    stream = parse_sse(b'oops\n\ndata: {"a":1}\n\ndata: [DONE]\n\n')
    assert kinds(stream) == [(sse.NON_SSE_BODY, None), (sse.DONE_SENTINEL, 2)]
    assert stream.chunks() == [{"a": 1}]


def test_pretty_printed_error_tail_after_events_is_flagged_line_by_line():
    body = sse_body(AIONE_EVENTS[:1]) + b'{\r\n  "error": {\r\n    "code": 503\r\n  }\r\n}\r\n'
    stream = parse_sse(body)
    assert all(kind == sse.OTHER_FIELD and index == 1 for kind, index in kinds(stream)[:-1])
    assert len(stream.problems) == 6  # five tail lines, plus the tail is unterminated
    assert kinds(stream)[-1] == (sse.UNTERMINATED_EVENT, 1)
    assert "non-data line" in stream.problems[0].describe()


@pytest.mark.parametrize("body", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"\n"])
def test_empty_stream(body):
    stream = parse_sse(body)
    assert stream.events == ()
    assert kinds(stream) == [(sse.EMPTY_STREAM, None)]
    assert stream.chunks() == []
    assert stream.problems[0].describe() == "stream: no events at all (the body is empty or only blank lines)"


def test_invalid_utf8_is_reported_but_the_chunk_survives_with_replacement_characters():
    stream = parse_sse(b'data: {"t":"a\xffb"}\n\n')
    assert kinds(stream) == [(sse.INVALID_UTF8, 0)]
    assert stream.chunks() == [{"t": "a\ufffdb"}]


def test_problem_lines_are_truncated_to_200_characters():
    stream = parse_sse(b"event: " + b"x" * 1000 + b'\ndata: {"a":1}\n\n')
    assert len(stream.problems[0].line) == 200


def test_chunks_are_decoded_once_and_shared():
    stream = parse_sse(sse_body(['{"a":{"b":1}}']))
    first, second = stream.chunks(), stream.chunks()
    assert first == [{"a": {"b": 1}}]
    assert first is not second  # a new list on each call...
    assert first[0] is second[0]  # ...of the same (read-only) objects


def test_a_stream_built_by_hand_decodes_its_chunks_when_asked():
    parsed = parse_sse(sse_body(AIONE_EVENTS + ["[DONE]"]))
    built = SSEStream(events=parsed.events, problems=parsed.problems)
    assert built == parsed
    assert built.chunks() == parsed.chunks()
    assert built.chunk_events() == parsed.chunk_events()


def test_large_event_is_parsed_whole():
    big = json.dumps({"candidates": [{"content": {"parts": [{"inlineData": {"data": "A" * (9 * 1024 * 1024)}}]}}]})
    stream = parse_sse(sse_body([big, '{"a":1}']))
    assert stream.problems == ()
    assert len(stream.chunks()[0]["candidates"][0]["content"]["parts"][0]["inlineData"]["data"]) == 9 * 1024 * 1024


def test_records_are_frozen():
    stream = parse_sse(sse_body(['{"a":1}']))
    with pytest.raises(AttributeError):
        stream.events[0].index = 5  # type: ignore[misc]
    assert isinstance(stream.events[0], SSEEvent)
    assert FramingProblem(sse.COMMENT_LINE, 0, ": x").describe().startswith("event 0: comment line")


# --- fuzz -------------------------------------------------------------------------

_PIECES = [b"data: ", b"data:", b"data", b": ", b"event: x", b"id: 1", b"\r\n", b"\n", b"\r", b"\r\n\r\n",
           b'{"a":1}', b"[DONE]", b"[", b"]", b"{", b"}", b'"', b"\xef\xbb\xbf", b"\xff", b"\xc3", b"\xa9",
           "é世🎉".encode(), b" ", b"\x00", b"NaN"]


def _check_invariants(body: bytes, stream: SSEStream) -> None:
    previous_end = 0
    for number, event in enumerate(stream.events):
        assert event.index == number
        assert previous_end <= event.start < event.end <= len(body)
        assert event.lines and all("\n" not in line and "\r" not in line for line in event.lines)
        previous_end = event.end
    assert len(stream.chunks()) == len(stream.chunk_events())
    assert all(isinstance(chunk, dict) for chunk in stream.chunks())
    for problem in stream.problems:
        assert len(problem.line) <= 200
        assert isinstance(problem.describe(), str)
    assert bool(stream.events) != any(p.kind == sse.EMPTY_STREAM for p in stream.problems)


def test_fuzz_random_bytes_never_raise():
    rng = random.Random(20240611)
    for _ in range(400):
        body = rng.randbytes(rng.randrange(0, 300))
        _check_invariants(body, parse_sse(body))


def test_fuzz_sse_like_bodies_never_raise():
    rng = random.Random(7)
    for _ in range(2000):
        body = b"".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 40)))
        _check_invariants(body, parse_sse(body))


def test_fuzz_valid_streams_keep_exact_offsets():
    rng = random.Random(99)
    for _ in range(200):
        newline = rng.choice(["\r\n", "\n", "\r"])
        payloads = [json.dumps({"t": "".join(rng.choice("ab é世🎉\\\"") for _ in range(rng.randrange(8)))},
                               ensure_ascii=rng.random() < 0.5) for _ in range(rng.randrange(1, 6))]
        body = sse_body(payloads, newline)
        stream = parse_sse(body)
        assert stream.problems == ()
        assert [json.loads(p) for p in payloads] == stream.chunks()
        for event, payload in zip(stream.events, payloads):
            assert body[event.start:event.end] == f"data: {payload}{newline}{newline}".encode()


# --- the fast path --------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        sse_body(AIONE_EVENTS, "\r\n"),
        sse_body(AIONE_EVENTS, "\n"),
        sse_body(AIONE_EVENTS, "\r"),
        sse_body([json.dumps({"t": "héllo 世界 🎉"}, ensure_ascii=False), "[DONE]", "{", "[1]", "data: {}"]),
    ],
    ids=["crlf", "lf", "cr", "non-ascii-done-broken-array"],
)
def test_gemini_framing_takes_the_fast_path(body):
    assert sse._parse_common(body) is not None
    parse_sse(body)


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf" + sse_body(['{"a":1}']),                  # BOM
        b": ping\r\n\r\n" + sse_body(['{"a":1}']),                # comment
        b'data: {"a":1}\r\n\r\ndata: {"a":2}\r\n',               # no final blank line
        b'data: {"a":1}\r\n\r\n\r\n\r\ndata: {"a":2}\r\n\r\n',      # extra blank lines
        b'data: {"a":1}\r\n\r\ndata: {"a":2}\n\n',                # two kinds of line end
        b'data: {"a":\r\ndata: 1}\r\n\r\n',                      # two data lines
        b'data:{"a":1}\n\n',                                    # no space
        b'data: {"t":"\xff"}\n\n',                              # not UTF-8
        b'data: {"a":1}\r\n\r\r\n\r\n',                          # a stray CR
        b"",
    ],
)
def test_anything_else_takes_the_full_parser(body):
    assert sse._parse_common(body) is None
    parse_sse(body)


_EVENT_PAYLOADS = ['{"a":1}', '{"t":"é世🎉"}', "[DONE]", " [DONE] ", "{", "[1]", "null", '{"a":NaN}', "", " {}",
                   '{"a":1} ', '{"a":1} x', "\ufeff{}", '{"a":[1,{"b":null}]}']


def _random_event(rng: random.Random, newline: str) -> str:
    """One event block (without its blank line): mostly Gemini's one data line, sometimes not."""
    roll = rng.random()
    payload = rng.choice(_EVENT_PAYLOADS)
    if roll < 0.85:
        return f"data: {payload}"
    if roll < 0.88:
        return f"data:{payload}"
    if roll < 0.91:
        return f": keep-alive{newline}data: {payload}"
    if roll < 0.94:
        return f"event: message{newline}data: {payload}"
    if roll < 0.97:
        return f'data: {{"a":{newline}data: 1}}'
    return rng.choice([": ping", "id: 1", "retry: 10", "oops"])


def _random_body(rng: random.Random) -> bytes:
    newline = rng.choice(["\r\n", "\n", "\r"])
    text = "".join(_random_event(rng, newline) + newline * 2 for _ in range(rng.randrange(0, 8)))
    body = text.encode("utf-8")
    roll = rng.random()
    if roll < 0.6:
        return body  # a body the fast path may read
    if roll < 0.65:
        return b"\xef\xbb\xbf" + body
    if roll < 0.75:  # no final blank line, or not even a line end
        return body[: -len(newline) * rng.choice([1, 2])]
    if roll < 0.8:
        return body + newline.encode() * rng.randrange(1, 3)
    if roll < 0.85:
        return newline.encode() + body
    if roll < 0.9:
        return body + rng.choice(["\r\n", "\n", "\r"]).encode() * 2 + b'data: {"b":2}' + newline.encode() * 2
    position = rng.randrange(len(body) + 1)
    return body[:position] + rng.choice([b"\xff", b"\xc3", b"\r", b"\n", b"\r\n\r\n", b"\n\n"]) + body[position:]


def test_fast_path_agrees_with_the_full_parser_on_generated_bodies():
    rng = random.Random(31337)
    fast = 0
    for _ in range(800):
        body = _random_body(rng)
        common = sse._parse_common(body)
        if common is not None:
            fast += 1
            assert_same_stream(sse._parse_any(body), common)
        parse_sse(body)
    assert fast > 200  # the generated bodies really exercise the fast path
