"""Reader for `:streamGenerateContent` bodies sent without `alt=sse`.

Without `alt=sse` Gemini streams one JSON array of GenerateContentResponse
objects, written progressively (`[{...}\\r\\n,\\r\\n{...}]`). This reader walks
the array item by item with `json.JSONDecoder.raw_decode`, keeps each item's
byte offsets (the HTTP layer maps them to network read timestamps), and turns
every deviation into a human sentence instead of raising.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

__all__ = ["ArrayItem", "JSONArrayStream", "parse_json_array_stream"]

_UTF8_BOM = b"\xef\xbb\xbf"
# JSON whitespace (RFC 8259): anything else between items is an error.
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_JSON_TYPE_NAMES = {"list": "an array", "str": "a string", "int": "a number", "float": "a number",
                    "bool": "a boolean", "NoneType": "null"}


@dataclass(frozen=True, slots=True)
class ArrayItem:
    value: object
    start: int  # byte offset of the item's first byte
    end: int    # byte offset just after the item


@dataclass(frozen=True, slots=True)
class JSONArrayStream:
    items: tuple[ArrayItem, ...]
    problems: tuple[str, ...]

    def values(self) -> list:
        return [item.value for item in self.items]


def parse_json_array_stream(body: bytes) -> JSONArrayStream:
    """Parse a streamed JSON array body. Never raises."""
    return _ArrayReader(bytes(body)).read()


def _reject_constant(name: str) -> object:
    # NaN/Infinity are Python extensions that JSON.parse (the JS SDK) rejects.
    raise ValueError(f"{name} is not valid JSON")


class _ArrayReader:
    def __init__(self, body: bytes) -> None:
        skip = len(_UTF8_BOM) if body.startswith(_UTF8_BOM) else 0
        self.skip = skip
        # surrogateescape maps each invalid byte to one lone surrogate, so
        # re-encoding a slice gives back exactly its original bytes and the
        # character -> byte offset mapping stays exact even for broken UTF-8.
        self.text = body[skip:].decode("utf-8", errors="surrogateescape")
        self.valid_utf8 = _is_valid_utf8(body[skip:])
        self.decoder = json.JSONDecoder(parse_constant=_reject_constant)
        self.items: list[ArrayItem] = []
        self.problems: list[str] = []
        self._mapped_char = 0
        self._mapped_byte = skip

    def read(self) -> JSONArrayStream:
        try:
            self._read_array()
        except Exception as error:  # noqa: BLE001 - the contract is "never raise"
            self.problems.append(f"reader failed unexpectedly: {type(error).__name__}: {error}")
        if not self.valid_utf8:
            self.problems.insert(0, "body is not valid UTF-8 (invalid bytes shown as U+FFFD)")
        return JSONArrayStream(items=tuple(self.items), problems=tuple(self.problems))

    def _read_array(self) -> None:
        text = self.text
        position = self._skip_whitespace(0)
        if position >= len(text):
            self.problems.append("body is empty, not a JSON array")
            return
        if text[position] != "[":
            self.problems.append(f"body is not a JSON array (starts with {_show(text[position])})")
            return
        position += 1
        expecting_item = True  # after "[" or ","
        after_comma = False
        while True:
            position = self._skip_whitespace(position)
            if position >= len(text):
                self.problems.append("truncated: array not closed")
                return
            char = text[position]
            if char == "]":
                if after_comma:
                    self.problems.append(f"trailing comma before ']' at byte {self._byte(position)}")
                position += 1
                break
            if char == ",":
                if expecting_item:
                    self.problems.append(f"unexpected ',' at byte {self._byte(position)} (missing item)")
                position += 1
                expecting_item = after_comma = True
                continue
            index = len(self.items)
            if not expecting_item:
                self.problems.append(f"missing ',' before item {index} at byte {self._byte(position)}")
            try:
                value, end = self.decoder.raw_decode(text, position)
            except json.JSONDecodeError as error:
                self.problems.append(self._describe_bad_item(index, position, error))
                return
            except (ValueError, RecursionError) as error:
                self.problems.append(f"item {index} is not valid JSON: {error}")
                return
            if not self.valid_utf8:
                value = _replace_surrogates(value)
            self.items.append(ArrayItem(value=value, start=self._byte(position), end=self._byte(end)))
            if not isinstance(value, dict):
                shape = _JSON_TYPE_NAMES.get(type(value).__name__, type(value).__name__)
                self.problems.append(f"item {index} is not an object (it is {shape})")
            position = end
            expecting_item = after_comma = False

        if self._skip_whitespace(position) < len(text):
            self.problems.append(f"trailing data after the array (at byte {self._byte(position)})")

    def _describe_bad_item(self, index: int, position: int, error: json.JSONDecodeError) -> str:
        # An error at the very end means the body stopped mid-item (a cut
        # connection), which is a different finding from malformed JSON.
        if self._skip_whitespace(error.pos) >= len(self.text):
            return f"truncated: item {index} is incomplete and the array is not closed"
        return f"item {index} is not valid JSON ({error.msg} at byte {self._byte(error.pos)})"

    def _skip_whitespace(self, position: int) -> int:
        match = _WHITESPACE.match(self.text, position)
        return match.end() if match else position

    def _byte(self, char_index: int) -> int:
        """Byte offset in the body of a character index in the text.

        Callers ask for increasing indexes, so mapping incrementally from the
        last answer keeps the total cost linear in the body size.
        """
        if char_index < self._mapped_char:
            self._mapped_char, self._mapped_byte = 0, self.skip
        chunk = self.text[self._mapped_char:char_index]
        self._mapped_byte += len(chunk.encode("utf-8", errors="surrogateescape"))
        self._mapped_char = char_index
        return self._mapped_byte


def _is_valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _replace_surrogates(value: object) -> object:
    """Swap surrogate-escaped invalid bytes for U+FFFD, as errors='replace' would."""
    if isinstance(value, str):
        return _ESCAPED_BYTE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_replace_surrogates(key): _replace_surrogates(item) for key, item in value.items()}
    return value


def _show(char: str) -> str:
    if _ESCAPED_BYTE.match(char):
        return f"byte 0x{ord(char) & 0xFF:02x}"
    return repr(char)
