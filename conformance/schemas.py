"""JSON Schema validation of Gemini wire objects and of the suite's own config.

The schemas live in ``<repo>/schemas/*.schema.json`` (JSON Schema 2020-12). They reference each other by
relative ``$ref`` (``common.schema.json#/$defs/...``); all of them are loaded into one offline
:class:`referencing.Registry`, so nothing is ever fetched over the network.

Usage::

    validate("generate_content_response", body)                     # -> [] when valid
    validate("generate_content_response#/$defs/ModelRole", body)    # one rule fragment

Each :class:`Violation` names the JSON path that broke (``$.candidates[0].finishReason``), so a
check's failure message can point at the exact field.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

__all__ = ["SCHEMA_DIR", "Violation", "validate", "schema_names"]

SCHEMA_DIR: Path = Path(__file__).resolve().parent.parent / "schemas"

_SUFFIX = ".schema.json"
_DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_MAX_MESSAGE = 200
_MAX_REPR = 60
# Keys printed as ".key"; anything else (empty, or containing . [ ] ' " or whitespace) as "['key']".
_PLAIN_KEY = re.compile(r"^[^.\[\]'\"\s]+$")


@dataclass(frozen=True)
class Violation:
    path: str  # JSONPath-like location in the instance: "$", "$.candidates[0].content.role"
    message: str  # jsonschema's message, at most 200 characters
    schema_path: str  # "generate_content_response#/$defs/ModelRole/properties/candidates/..." (best effort)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# --------------------------------------------------------------------------- loading / caching

_lock = threading.Lock()
_state: dict[str, Any] = {}  # "schemas": {stem: contents}, "registry": Registry
_validators: dict[str, tuple[Draft202012Validator, str]] = {}


def _load() -> tuple[dict[str, dict], Registry]:
    state = _state
    if "registry" in state:
        return state["schemas"], state["registry"]
    with _lock:
        if "registry" not in state:
            schemas: dict[str, dict] = {}
            resources = []
            for path in sorted(SCHEMA_DIR.glob("*" + _SUFFIX)):
                contents = json.loads(path.read_text(encoding="utf-8"))
                stem = path.name[: -len(_SUFFIX)]
                schemas[stem] = contents
                uri = contents.get("$id") or path.resolve().as_uri()
                resources.append((uri, Resource.from_contents(contents, default_specification=DRAFT202012)))
            registry = Registry().with_resources(resources).crawl()
            state["schemas"] = schemas
            state["registry"] = registry
    return state["schemas"], state["registry"]


def schema_names() -> list[str]:
    """Stems of the schema files, e.g. ``["batch_embed_contents_response", "common", ...]``."""
    schemas, _ = _load()
    return sorted(schemas)


def _split(schema: str) -> tuple[str, str]:
    name, _, pointer = schema.partition("#")
    name = name.strip()
    if name.endswith(_SUFFIX):
        name = name[: -len(_SUFFIX)]
    if pointer and not pointer.startswith("/"):
        raise KeyError(f"bad schema reference {schema!r}: the part after '#' must be a JSON pointer like '/$defs/X'")
    return name, pointer


def _validator(schema: str) -> tuple[Draft202012Validator, str]:
    cached = _validators.get(schema)
    if cached is not None:
        return cached
    schemas, registry = _load()
    name, pointer = _split(schema)
    if name not in schemas:
        raise KeyError(f"unknown schema {name!r}; valid names: {', '.join(sorted(schemas))}")
    contents = schemas[name]
    if pointer:
        uri = contents["$id"] + "#" + pointer
        try:
            registry.resolver().lookup(uri)
        except Unresolvable as exc:
            defs = ", ".join(f"#/$defs/{d}" for d in sorted(contents.get("$defs", {})))
            raise KeyError(f"schema {name!r} has nothing at {pointer!r}; its $defs: {defs or '(none)'}") from exc
        root: dict = {"$schema": contents.get("$schema", _DRAFT_2020_12), "$ref": uri}
        prefix = f"{name}#{pointer}"
    else:
        root = contents
        prefix = f"{name}#"
    # format_checker=None: "format" is never asserted; the schemas do not depend on it.
    validator = Draft202012Validator(root, registry=registry, format_checker=None)
    with _lock:
        _validators.setdefault(schema, (validator, prefix))
    return _validators[schema]


# --------------------------------------------------------------------------- the fast path
#
# jsonschema explains a violation well but costs ~0.5 ms per stream chunk; a long stream would cost
# the suite more than the gateway took. jsonschema-rs (the same 2020-12 schemas, validated in Rust)
# answers "valid?" about 50x faster, and jsonschema runs only to explain a "no". With the cross-check
# on (tests/test_schemas.py, the fault run) both run on every instance and must agree.

CROSSCHECK = "GEMINI_CONFORMANCE_SCHEMA_CROSSCHECK"  # set: run both validators and insist they agree
# Read once: a lookup of an unset variable costs as much as validating a small chunk.
crosscheck = bool(os.environ.get(CROSSCHECK))
_fast: dict[str, Any] = {}


def _fast_validator(schema: str) -> Any:
    cached = _fast.get(schema)
    if cached is not None:
        return cached
    schemas, _ = _load()
    name, pointer = _split(schema)
    with _lock:
        if "rust_registry" not in _state:
            _state["rust_registry"] = jsonschema_rs.Registry([(c["$id"], c) for c in schemas.values() if "$id" in c])
    root = {"$schema": schemas[name].get("$schema", _DRAFT_2020_12), "$ref": schemas[name]["$id"] + ("#" + pointer if pointer else "")}
    validator = jsonschema_rs.validator_for(root, registry=_state["rust_registry"])
    with _lock:
        _fast.setdefault(schema, validator)
    return _fast[schema]


# --------------------------------------------------------------------------- formatting


def _format_path(parts) -> str:
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif _PLAIN_KEY.match(p):
            out += f".{p}"
        else:
            out += "['" + p.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out


def _format_schema_path(prefix: str, parts, from_wrapper: bool) -> str:
    parts = list(parts)
    if from_wrapper and parts and parts[0] == "$ref":
        parts = parts[1:]  # the synthetic {"$ref": ...} wrapper used for "#/pointer" lookups
    tail = "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return f"{prefix}/{tail}" if tail else prefix


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _short_message(error: ValidationError) -> str:
    message = error.message
    full = repr(error.instance)
    if len(full) > _MAX_REPR and full in message:
        message = message.replace(full, _short_repr(error.instance))
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 3] + "..."
    return message


def _leaf(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf errors, descend to the most relevant sub-error (best_match); on a tie between
    alternatives take the one with the deepest instance path."""
    while error.context:
        best = best_match([error])
        if best is not error:
            error = best
        else:
            error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


def _path_key(parts) -> tuple:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts)


# --------------------------------------------------------------------------- API


def validate(schema: str, instance: Any) -> list[Violation]:
    """Validate ``instance`` against ``schema`` ("stem" or "stem#/json/pointer").

    Returns ``[]`` when valid, otherwise the violations sorted by instance path.
    Raises ``KeyError`` for an unknown schema name or pointer.
    """
    fast = _fast.get(schema)
    if fast is None:
        _validator(schema)  # rejects unknown names before the fast path
        fast = _fast_validator(schema)
    fast_says_valid = fast.is_valid(instance)
    if fast_says_valid and not crosscheck:
        return []
    validator, prefix = _validator(schema)
    from_wrapper = not prefix.endswith("#")
    found: dict[tuple, tuple[tuple, Violation]] = {}
    for error in validator.iter_errors(instance):
        leaf = _leaf(error)
        parts = list(leaf.absolute_path)
        violation = Violation(
            path=_format_path(parts),
            message=_short_message(leaf),
            schema_path=_format_schema_path(prefix, leaf.absolute_schema_path, from_wrapper),
        )
        key = (violation.path, violation.message)
        if key not in found:
            found[key] = (_path_key(parts), violation)
    violations = [v for _, v in sorted(found.values(), key=lambda kv: (kv[0], kv[1].message))]
    if crosscheck and fast_says_valid != (not violations):
        raise AssertionError(f"{schema}: jsonschema-rs says {'valid' if fast_says_valid else 'invalid'}, jsonschema {violations[:2]}")
    # Otherwise jsonschema has the last word: on a string ending in a newline, Python's "$" still
    # matches (ECMA's does not), and a check must not fail on a violation no one can explain.
    return violations
