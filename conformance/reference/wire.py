"""What goes over the wire: content types, compact JSON, and the proto3 JSON mapping of requests.

Google's front end parses request bodies with the proto3 JSON mapping, so every field may arrive
as lowerCamelCase or as the original snake_case proto name, and int fields may arrive as integral
floats (`"topK": 40.0`) or strings. The gateway normalises field names to camelCase before looking
at a body, but leaves the *contents* of free-form values alone: those are user data whose keys are
names the user chose (function arguments, JSON Schemas), not proto fields.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

JSON = "application/json; charset=UTF-8"
SSE = "text/event-stream"
TEXT_PLAIN = "text/plain; charset=UTF-8"
HTML = "text/html; charset=UTF-8"

# Fields whose value is free-form JSON (google.protobuf.Struct / Value, or a JSON Schema). Their
# inner keys must reach the model exactly as sent: rewriting `user_id` to `userId` inside a
# function's arguments would change what the user asked for.
FREE_FORM_FIELDS = frozenset(
    {
        "args",  # FunctionCall.args
        "response",  # FunctionResponse.response, FunctionDeclaration.response
        "parameters",  # FunctionDeclaration.parameters
        "parametersJsonSchema",
        "responseSchema",
        "responseJsonSchema",
        "responseJsonSchemaOrdered",
        "partMetadata",
        "labels",
    }
)


@dataclass(frozen=True)
class Reply:
    """A complete (non-streamed) HTTP response: JSON-able bodies are encoded compactly, str/bytes sent as is."""

    status: int
    body: Any
    media_type: str = JSON

    def encoded_body(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return compact_json(self.body)


_CAPITAL = re.compile(r"(?<!^)(?=[A-Z])")  # where a lowerCamelCase name starts a word


def compact_json(value: Any) -> bytes:
    """One line, no spaces: SSE events must fit on a single `data: ` line."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def snake_case(name: str) -> str:
    """A lowerCamelCase JSON name as its proto field name: thinkingBudget -> thinking_budget."""
    return _CAPITAL.sub("_", name).lower()


def camel_case_keys(value: Any) -> Any:
    """Rename proto field names to lowerCamelCase throughout a request body, sparing free-form values.

    If a body spells one field both ways, the camelCase spelling wins whichever comes first.
    """
    if isinstance(value, list):
        return [camel_case_keys(item) for item in value]
    if not isinstance(value, dict):
        return value
    renamed: dict[str, Any] = {}
    for key, item in value.items():
        name = camel_case(key)
        if name != key and name in value:
            continue
        renamed[name] = item if name in FREE_FORM_FIELDS else camel_case_keys(item)
    return renamed


def as_int(value: Any) -> int:
    """An int32/int64 field value as proto3 JSON allows it: int, integral float, or decimal string."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError(value)
