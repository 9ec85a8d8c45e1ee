"""A strict, non-forgiving parser for Gemini `alt=sse` response bodies.

The suite has to judge the framing itself, so this parser never repairs
anything. It records every event block exactly as it arrived (raw lines and
byte offsets) and lists each deviation from the framing Gemini uses, which
the google-genai SDKs depend on:

    data: <one JSON object on one line>
    <blank line>

Line ends may be LF, CRLF or CR (Google sends CRLF). There are no comment
lines, no `event:`/`id:`/`retry:` fields, no `[DONE]` sentinel, every event
ends with a blank line (the last one too), and the stream ends when the
connection closes.

Offsets are byte offsets into the original body, because the HTTP layer maps
them to the timestamps of the network reads that delivered those bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "COMMENT_LINE",
    "DATA_WITHOUT_SPACE",
    "DONE_SENTINEL",
    "EMPTY_STREAM",
    "INVALID_UTF8",
    "MULTIPLE_DATA_LINES",
    "NON_SSE_BODY",
    "NOT_AN_OBJECT",
    "NOT_JSON",
    "OTHER_FIELD",
    "UNTERMINATED_EVENT",
    "FramingProblem",
    "SSEEvent",
    "SSEStream",
    "parse_sse",
]

# Problem kinds.
COMMENT_LINE = "comment_line"                 # line starting with ":" (keep-alive)
OTHER_FIELD = "other_field"                   # event:, id:, retry:, or any non-data line
DATA_WITHOUT_SPACE = "data_without_space"     # "data:{...}"
DONE_SENTINEL = "done_sentinel"               # data: [DONE]
MULTIPLE_DATA_LINES = "multiple_data_lines"   # one event's JSON split over several data lines
NOT_JSON = "not_json"                         # data is not valid JSON
NOT_AN_OBJECT = "not_an_object"               # JSON, but not an object (e.g. an array)
UNTERMINATED_EVENT = "unterminated_event"     # last event not followed by a blank line
NON_SSE_BODY = "non_sse_body"                 # body does not look like SSE at all
EMPTY_STREAM = "empty_stream"                 # no events at all
INVALID_UTF8 = "invalid_utf8"                 # event bytes are not valid UTF-8 (decoded with U+FFFD)

_MAX_LINE_IN_PROBLEM = 200
_UTF8_BOM = b"\xef\xbb\xbf"
# Alternation order matters: CRLF must win over a lone CR so it counts as one line end.
_LINE_END = re.compile(rb"\r\n|\r|\n")
# Field names that make a first line "look like SSE" (per the WHATWG event-stream format).
_SSE_FIELDS = frozenset({"data", "event", "id", "retry"})


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One event block: the non-blank lines between two blank lines."""

    index: int
    lines: tuple[str, ...]  # raw lines of the block, without line terminators
    data: str | None        # data lines joined with "\n" per the SSE spec; None if no data line
    start: int              # byte offset in the body where the block starts
    end: int                # byte offset just after the terminating blank line (or end of body)
    terminated: bool        # followed by a blank line

    @property
    def raw(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class FramingProblem:
    kind: str
    event_index: int | None
    line: str        # the offending line, truncated to 200 characters
    detail: str = ""  # extra facts for the message (field name, JSON error, line count)

    def describe(self) -> str:
        where = "stream" if self.event_index is None else f"event {self.event_index}"
        return f"{where}: {_explain(self)}"


@dataclass(frozen=True, slots=True)
class SSEStream:
    events: tuple[SSEEvent, ...]
    problems: tuple[FramingProblem, ...]
    # (the events that carry exactly one JSON object, those objects), decoded once by parse_sse;
    # None for a stream built by hand (then decoded on first use).
    _decoded: tuple[tuple[SSEEvent, ...], tuple[dict, ...]] | None = field(default=None, compare=False, repr=False)

    def chunks(self) -> list[dict]:
        """The JSON objects carried by events, in order.

        Events whose data is not exactly one JSON object ([DONE], broken JSON,
        arrays) are left out; the problems list says why. Each object is
        decoded once, when the body is parsed, so every call (and every check
        reading one exchange) gets the same objects: they are read-only.
        Copy one (copy.deepcopy) before changing it. The list itself is new.
        """
        return list(self._chunks()[1])

    def chunk_events(self) -> list[SSEEvent]:
        """The events behind chunks(), in the same order."""
        return list(self._chunks()[0])

    def _chunks(self) -> tuple[tuple[SSEEvent, ...], tuple[dict, ...]]:
        if self._decoded is None:
            object.__setattr__(self, "_decoded", _decode_events(self.events))
        return self._decoded


def _decode_events(events: tuple[SSEEvent, ...]) -> tuple[tuple[SSEEvent, ...], tuple[dict, ...]]:
    chunk_events: list[SSEEvent] = []
    chunks: list[dict] = []
    for event in events:
        if event.data is not None:
            verdict, value = _judge_data(event.data)
            if verdict is None:
                chunk_events.append(event)
                chunks.append(value)
    return tuple(chunk_events), tuple(chunks)


def parse_sse(body: bytes) -> SSEStream:
    """Parse a complete SSE body. Never raises; every oddity becomes a problem."""
    body = bytes(body)
    stream = _parse_common(body)
    return stream if stream is not None else _parse_any(body)


def _parse_any(body: bytes) -> SSEStream:
    """Any body, line by line: this is the specification of parse_sse."""
    position = len(_UTF8_BOM) if body.startswith(_UTF8_BOM) else 0

    blocks = list(_blocks(body, position))
    non_sse_line = _first_line_if_not_sse(blocks)

    events: list[SSEEvent] = []
    problems: list[FramingProblem] = []
    chunk_events: list[SSEEvent] = []
    chunks: list[dict] = []
    if non_sse_line is not None:
        problems.append(FramingProblem(NON_SSE_BODY, None, _clip(non_sse_line)))

    for index, block in enumerate(blocks):
        event, event_problems, chunk = _read_event(index, block, is_last=index == len(blocks) - 1)
        events.append(event)
        if chunk is not None:
            chunk_events.append(event)
            chunks.append(chunk)
        # In a body that is not SSE at all (a JSON array, an HTML page, a bare
        # JSON error), line-by-line complaints would bury the one finding that
        # matters, so data-less blocks stay quiet behind NON_SSE_BODY.
        if non_sse_line is not None and event.data is None:
            continue
        problems.extend(event_problems)

    if not events:
        problems.append(FramingProblem(EMPTY_STREAM, None, ""))
    return SSEStream(tuple(events), tuple(problems), (tuple(chunk_events), tuple(chunks)))


# --- the common case, fast ------------------------------------------------------
#
# Nearly every stream is framed exactly as Gemini frames it, and a long one would cost more to read
# line by line than to decode. Such a body is a run of events, each one `data: ` line plus a blank
# line, with one kind of line end throughout: split on the doubled line end, it gives those lines and
# nothing else. For any other body (a BOM, a comment, an event of two lines, an extra blank line, no
# final blank line, invalid UTF-8) _parse_common answers None and _parse_any reads it. For the bodies
# both read they give equal streams (tests/test_sse.py compares them).

_DATA_PREFIX = "data: "
# Each doubled line end, with the CRs and LFs in it.
_SEPARATORS = ((b"\r\n\r\n", "\r\n\r\n", 2, 2), (b"\n\n", "\n\n", 0, 2), (b"\r\r", "\r\r", 2, 0))


def _parse_common(body: bytes) -> SSEStream | None:
    """The stream of a body framed exactly like Gemini's; None for any other body."""
    for separator, text_separator, crs, lfs in _SEPARATORS:
        if body.endswith(separator):
            break
    else:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split(text_separator)
    count = len(lines) - 1
    # The last piece must be the empty rest after the final separator, and every CR and LF of the body
    # must be in a separator: then each other piece is one line.
    if lines.pop() or body.count(b"\r") != crs * count or body.count(b"\n") != lfs * count:
        return None
    # Offsets count bytes; a line's length in characters is its length in bytes only if it is ASCII.
    sizes = map(len, lines if len(text) == len(body) else body.split(separator))
    step = len(separator)

    events: list[SSEEvent] = []
    problems: list[FramingProblem] = []
    chunk_events: list[SSEEvent] = []
    chunks: list[dict] = []
    start = 0
    for index, (line, size) in enumerate(zip(lines, sizes)):
        if not line.startswith(_DATA_PREFIX):
            return None
        data = line[len(_DATA_PREFIX):]
        end = start + size + step
        event = SSEEvent(index, (line,), data, start, end, True)
        events.append(event)
        verdict, value = _judge_data(data)
        if verdict is None:
            chunk_events.append(event)
            chunks.append(value)
        else:
            problems.append(FramingProblem(verdict, index, _clip(line), detail=value))
        start = end
    return SSEStream(tuple(events), tuple(problems), (tuple(chunk_events), tuple(chunks)))




# --- reading -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    start: int
    valid_utf8: bool


@dataclass(frozen=True, slots=True)
class _Block:
    lines: tuple[_Line, ...]
    end: int
    terminated: bool


def _blocks(body: bytes, position: int) -> Iterator[_Block]:
    """Group lines into blocks separated by blank lines."""
    pending: list[_Line] = []
    for raw, start, end in _lines(body, position):
        if raw:
            pending.append(_decode_line(raw, start))
            continue
        # A blank line. With nothing pending it is a stray extra blank line,
        # which dispatches nothing under the SSE spec and breaks no SDK.
        if pending:
            yield _Block(tuple(pending), end=end, terminated=True)
            pending = []
    if pending:
        yield _Block(tuple(pending), end=len(body), terminated=False)


def _lines(body: bytes, position: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield (line bytes, start offset, offset after the terminator).

    Splitting bytes (not text) keeps offsets exact; CR and LF never occur
    inside a multi-byte UTF-8 sequence, so this cannot cut a character.
    A final line without terminator is yielded too (its end is the body end).
    """
    for match in _LINE_END.finditer(body, position):
        yield body[position:match.start()], position, match.end()
        position = match.end()
    if position < len(body):
        yield body[position:], position, len(body)


def _decode_line(raw: bytes, start: int) -> _Line:
    try:
        return _Line(raw.decode("utf-8"), start, valid_utf8=True)
    except UnicodeDecodeError:
        return _Line(raw.decode("utf-8", errors="replace"), start, valid_utf8=False)


def _field_name(line: str) -> str:
    name, _, _ = line.partition(":")
    return name


def _first_line_if_not_sse(blocks: list[_Block]) -> str | None:
    """The first line, if it shows the body is not SSE (e.g. `[{` or `<html>`)."""
    if not blocks:
        return None
    first = blocks[0].lines[0].text
    if first.startswith(":") or _field_name(first) in _SSE_FIELDS:
        return None
    return first


def _read_event(index: int, block: _Block, *, is_last: bool) -> tuple[SSEEvent, list[FramingProblem], dict | None]:
    problems: list[FramingProblem] = []
    data_lines: list[str] = []
    first_data_line: str | None = None

    for line in block.lines:
        text = line.text
        if text.startswith(":"):
            problems.append(FramingProblem(COMMENT_LINE, index, _clip(text)))
            continue
        name, colon, value = text.partition(":")
        if name != "data":
            problems.append(FramingProblem(OTHER_FIELD, index, _clip(text), detail=name))
            continue
        if first_data_line is None:
            first_data_line = text
        if value.startswith(" "):
            value = value[1:]
        else:
            # Covers "data:{...}" and a bare "data"; google-genai only treats
            # lines starting with "data: " as data.
            problems.append(FramingProblem(DATA_WITHOUT_SPACE, index, _clip(text)))
        data_lines.append(value)

    data = "\n".join(data_lines) if data_lines else None

    if len(data_lines) > 1:
        problems.append(
            FramingProblem(MULTIPLE_DATA_LINES, index, _clip(first_data_line or ""), detail=str(len(data_lines)))
        )
    chunk = None
    if data is not None:
        verdict, value = _judge_data(data)
        if verdict is None:
            chunk = value
        else:
            problems.append(FramingProblem(verdict, index, _clip(first_data_line or ""), detail=value))
    bad_line = next((line.text for line in block.lines if not line.valid_utf8), None)
    if bad_line is not None:
        problems.append(FramingProblem(INVALID_UTF8, index, _clip(bad_line)))
    if is_last and not block.terminated:
        problems.append(FramingProblem(UNTERMINATED_EVENT, index, _clip(block.lines[-1].text)))

    event = SSEEvent(
        index=index,
        lines=tuple(line.text for line in block.lines),
        data=data,
        start=block.lines[0].start,
        end=block.end,
        terminated=block.terminated,
    )
    return event, problems, chunk


def _reject_constant(name: str) -> object:
    # NaN/Infinity are Python extensions; JSON.parse in the JS SDK rejects them.
    raise ValueError(f"{name} is not valid JSON")


# The C scanner behind json.loads, built once (json.loads with a keyword argument builds one per call).
_scan_once = json.JSONDecoder(parse_constant=_reject_constant).scan_once


def _decode(data: str) -> object:
    """json.loads(data, parse_constant=_reject_constant): the same value or the same error, faster."""
    try:
        value, end = _scan_once(data, 0)
    except (StopIteration, ValueError, RecursionError):
        end = -1
    if end != len(data):
        # Whitespace around the value, extra data, or no valid JSON: json.loads decides and words it.
        return json.loads(data, parse_constant=_reject_constant)
    return value


def _judge_data(data: str) -> tuple[str | None, object]:
    """(None, parsed object) for a good chunk, else (problem kind, reason)."""
    try:
        value = _decode(data)
    except (ValueError, RecursionError) as error:
        # [DONE] is never JSON, so looking for it only here keeps the common path short.
        if data.strip() == "[DONE]":
            return DONE_SENTINEL, ""
        return NOT_JSON, str(error)[:200]
    if not isinstance(value, dict):
        return NOT_AN_OBJECT, type(value).__name__
    return None, value


# --- messages ----------------------------------------------------------------

_JSON_TYPE_NAMES = {"list": "an array", "str": "a string", "int": "a number", "float": "a number",
                    "bool": "a boolean", "NoneType": "null"}


def _explain(problem: FramingProblem) -> str:
    line = f'"{problem.line}"'
    kind = problem.kind
    if kind == COMMENT_LINE:
        return f"comment line {line} (google-genai raises UnknownApiResponseError)"
    if kind == OTHER_FIELD:
        if problem.detail in _SSE_FIELDS:
            what = f"{problem.detail}: field"
        else:
            what = "non-data line"
        return (f"{what} {line} (google-genai raises UnknownApiResponseError; "
                "@google/genai drops events that do not start with data:)")
    if kind == DATA_WITHOUT_SPACE:
        return f'{line} has no space after "data:" (google-genai raises UnknownApiResponseError)'
    if kind == DONE_SENTINEL:
        return f"{line} sentinel (google-genai raises UnknownApiResponseError)"
    if kind == MULTIPLE_DATA_LINES:
        count = problem.detail or "several"
        return f"JSON split over {count} data lines, starting {line} (Gemini sends one data line per event)"
    if kind == NOT_JSON:
        reason = f": {problem.detail}" if problem.detail else ""
        return f"data is not valid JSON{reason}; line {line}"
    if kind == NOT_AN_OBJECT:
        shape = _JSON_TYPE_NAMES.get(problem.detail, problem.detail or "not an object")
        return f"data is {shape}, not a JSON object; line {line}"
    if kind == UNTERMINATED_EVENT:
        return (f"last event is not followed by a blank line (ends with {line}); "
                '@google/genai throws "Incomplete JSON segment at the end"')
    if kind == NON_SSE_BODY:
        return f"body is not SSE: it starts with {line} (a JSON array or plain JSON instead of data: events?)"
    if kind == EMPTY_STREAM:
        return "no events at all (the body is empty or only blank lines)"
    if kind == INVALID_UTF8:
        return f"bytes are not valid UTF-8 (shown with U+FFFD): {line}"
    return f"{kind} {line}"


def _clip(line: str) -> str:
    return line[:_MAX_LINE_IN_PROBLEM]
