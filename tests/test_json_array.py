from __future__ import annotations

import json
import random

import pytest

from conformance.client.json_array import (
    ArrayItem,
    JSONArrayStream,
    parse_json_array_stream,
)

CHUNKS = [
    {"candidates": [{"content": {"parts": [{"text": "Spring"}], "role": "model"}, "index": 0}]},
    {"candidates": [{"content": {"parts": [{"text": " breeze → 世界 🎉"}], "role": "model"}, "index": 0}]},
    {"candidates": [{"content": {"role": "model"}, "finishReason": "STOP", "index": 0}],
     "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 28, "totalTokenCount": 36}},
]


def google_style(chunks: list[dict]) -> bytes:
    """Pretty-printed objects separated by ",\\r\\n", the way Gemini writes the array."""
    return ("[" + ",\r\n".join(json.dumps(chunk, indent=2, ensure_ascii=False) for chunk in chunks) + "]").encode()


@pytest.mark.parametrize(
    "body",
    [
        google_style(CHUNKS),
        json.dumps(CHUNKS).encode(),
        json.dumps(CHUNKS, ensure_ascii=False, separators=(",", ":")).encode(),
        b"\xef\xbb\xbf  \r\n" + google_style(CHUNKS) + b"\r\n",
    ],
    ids=["google", "compact-ascii", "compact-utf8", "bom-and-whitespace"],
)
def test_well_formed_arrays(body):
    stream = parse_json_array_stream(body)
    assert stream.problems == ()
    assert stream.values() == CHUNKS


def test_item_offsets_are_byte_offsets():
    body = google_style(CHUNKS)
    stream = parse_json_array_stream(body)
    for item, chunk in zip(stream.items, CHUNKS):
        assert json.loads(body[item.start:item.end].decode()) == chunk
        assert body[item.start:item.start + 1] == b"{"
        assert body[item.end - 1:item.end] == b"}"
    # Item 1 holds CJK and an emoji, so item 2's byte offset differs from its character index.
    text = body.decode()
    char_index = text.index('{\n  "candidates": [\n    {\n      "content": {\n        "role"')
    assert stream.items[2].start == len(text[:char_index].encode())
    assert stream.items[2].start != char_index


def test_offsets_after_bom():
    stream = parse_json_array_stream(b'\xef\xbb\xbf[{"a":1}]')
    assert stream.items == (ArrayItem(value={"a": 1}, start=4, end=11),)


def test_empty_array_is_fine():
    assert parse_json_array_stream(b"[]") == JSONArrayStream(items=(), problems=())


@pytest.mark.parametrize(
    "body, problem",
    [
        (b'data: {"a":1}\r\n\r\n', "body is not a JSON array (starts with 'd')"),
        (b'{"candidates":[]}', "body is not a JSON array (starts with '{')"),
        (b"", "body is empty, not a JSON array"),
        (b"  \r\n", "body is empty, not a JSON array"),
        (b"\xff[]", "body is not a JSON array (starts with byte 0xff)"),
    ],
)
def test_not_an_array(body, problem):
    stream = parse_json_array_stream(body)
    assert stream.items == ()
    assert problem in stream.problems


def test_item_that_is_not_an_object():
    stream = parse_json_array_stream(b'[{"a":1},\r\n[1,2],\r\n"x"]')
    assert stream.values() == [{"a": 1}, [1, 2], "x"]
    assert stream.problems == ("item 1 is not an object (it is an array)", "item 2 is not an object (it is a string)")


@pytest.mark.parametrize(
    "body",
    [b'[{"a":1},\r\n', b'[{"a":1}', b"[", b'[{"a":1},\r\n{"b":'],
    ids=["after-comma", "after-item", "just-bracket", "mid-item"],
)
def test_truncated(body):
    stream = parse_json_array_stream(body)
    assert stream.values() == ([{"a": 1}] if body != b"[" else [])
    assert len(stream.problems) == 1
    assert stream.problems[0].startswith("truncated:")
    assert "not closed" in stream.problems[0]


def test_trailing_data():
    stream = parse_json_array_stream(b'[{"a":1}]\r\n[{"b":2}]')
    assert stream.values() == [{"a": 1}]
    assert stream.problems == ("trailing data after the array (at byte 9)",)


def test_trailing_whitespace_is_not_trailing_data():
    assert parse_json_array_stream(b'[{"a":1}]\r\n \t\n').problems == ()


def test_bad_item_json():
    stream = parse_json_array_stream(b'[{"a":1},\r\n{"a" 2}]')
    assert stream.values() == [{"a": 1}]
    assert len(stream.problems) == 1
    assert stream.problems[0].startswith("item 1 is not valid JSON (Expecting ':' delimiter at byte")


def test_separator_mistakes_are_reported_but_items_still_read():
    stream = parse_json_array_stream(b'[{"a":1} {"b":2},,{"c":3},]')
    assert stream.values() == [{"a": 1}, {"b": 2}, {"c": 3}]
    assert stream.problems == (
        "missing ',' before item 1 at byte 9",
        "unexpected ',' at byte 17 (missing item)",
        "trailing comma before ']' at byte 26",
    )


def test_nan_is_not_json():
    stream = parse_json_array_stream(b'[{"a":NaN}]')
    assert stream.values() == []
    assert stream.problems and "not valid JSON" in stream.problems[0]


def test_deep_nesting_does_not_raise():
    stream = parse_json_array_stream(b"[" * 200_000)
    assert stream.problems


def test_invalid_utf8_inside_a_string_keeps_offsets_exact():
    body = b'[{"t":"a\xffb"},{"t":"\xc3\xa9"}]'
    stream = parse_json_array_stream(body)
    assert stream.values() == [{"t": "a\ufffdb"}, {"t": "é"}]
    assert stream.problems == ("body is not valid UTF-8 (invalid bytes shown as U+FFFD)",)
    assert body[stream.items[1].start:stream.items[1].end] == b'{"t":"\xc3\xa9"}'


def test_fuzz_never_raises():
    rng = random.Random(3)
    pieces = [b"[", b"]", b"{", b"}", b",", b'"a"', b":", b"1", b"\r\n", b" ", b"\xff", "é".encode(), b"null", b"NaN"]
    for _ in range(2000):
        if rng.random() < 0.2:
            body = rng.randbytes(rng.randrange(0, 200))
        else:
            body = b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30)))
        stream = parse_json_array_stream(body)
        previous_end = 0
        for item in stream.items:
            assert previous_end <= item.start < item.end <= len(body)
            previous_end = item.end
        assert all(isinstance(problem, str) for problem in stream.problems)
        assert not any(problem.startswith("reader failed") for problem in stream.problems)
