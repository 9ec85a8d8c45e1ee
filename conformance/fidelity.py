"""Fidelity probes: one marked request through the gateway, and what the scripted upstream saw.

A probe sends a request whose prompt carries a scenario marker (conformance/upstream/), through the
client like any other request, then fetches the upstream's record of it: what the gateway sent
upstream, and what the upstream answered, event by event. The checks compare the two ends. Probes
are recipes (checks/fidelity.py), so each is sent once per target, ahead of the checks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from conformance import expect
from conformance.client.exchange import Exchange
from conformance.client.http import GeminiClient
from conformance.client.redact import Redactor
from conformance.recipes import bodies
from conformance.reference.wire import FREE_FORM_FIELDS, camel_case, camel_case_keys
from conformance.targets import Target
from conformance.upstream import Recorded, marker

WHOLE = "generateContent"
STREAMED = "streamGenerateContent"
COUNTED = "countTokens"
EMBEDDED = "batchEmbedContents"
# A longer string is shown by its length and digest: an 8 MB image does not belong in a report.
SHOWN_CHARS = 80
# Differences listed in a failure beside the first (the count says how many there were in all).
LISTED_DIFFERENCES = 40

Difference = tuple[str, Any, Any]  # (JSON path, as expected, as found)


@dataclass
class Probe:
    scenario: str
    sent: Any  # the body the client sent
    exchange: Exchange  # what the client got
    records: list[Recorded]  # what the upstream received for this marker (a retrying gateway: several)
    upstream_base: str

    @property
    def streamed(self) -> bool:
        return self.exchange.action == STREAMED

    @property
    def upstream(self) -> Recorded:
        """The upstream's record of the (last) relayed request; the check fails if there is none."""
        if not self.records:
            raise expect.fail(
                f"the scripted upstream never received the {self.scenario} request: the gateway did not relay it"
                f" (is the target's model routed to {self.upstream_base}?)",
                self.exchange,
                expected="one request at the scripted upstream",
                actual=f"none; the client got {self.exchange.describe()}",
            )
        return self.records[-1]

    def client_events(self) -> list[Any]:
        """What the client got: the stream's JSON events (error events included), or the body."""
        if self.streamed:
            return self.exchange.sse.chunks()
        return [self.exchange.json] if self.exchange.is_json else []

    def pairs(self) -> Iterator[tuple[str, Any, Any]]:
        """(where, client's event, upstream's event), after checking the status and the count."""
        upstream = self.upstream
        if self.exchange.status != upstream.status:
            raise self.failure("the HTTP status", [("$status", upstream.status, self.exchange.status)])
        client, sent = self.client_events(), [event.body for event in upstream.sent]
        if len(client) != len(sent):
            raise self.failure("the number of stream events", [("$", f"{len(sent)} events", f"{len(client)} events")])
        for index, (ours, theirs) in enumerate(zip(client, sent)):
            yield (f"$chunk[{index}]" if self.streamed else "$"), ours, theirs

    def differences(self, part: Callable[[Any], Any]) -> list[Difference]:
        """Every difference between ``part`` of each event the client got and of the upstream's."""
        return [found for at, client, upstream in self.pairs() for found in differences(part(upstream), part(client), at)]

    def failure(self, what: str, found: list[Difference]) -> AssertionError:
        """The failure naming every difference found: the first as the evidence, each one listed."""
        mode = "stream" if self.streamed else "response"
        path, upstream_value, client_value = found[0]
        return expect.fail(
            f"{what} differs from what the upstream sent ({self.scenario} {mode}) at {path}" + more(found),
            self.exchange,
            path=path,
            expected=f"as the upstream sent it: {shown(upstream_value, self.exchange.redactor)}",
            actual=shown(client_value, self.exchange.redactor),
            details=listed(found, "the upstream sent", "the client got", self.exchange.redactor),
        )


# The bodies a probe may send, by name: (target, marker) -> body.
BODIES: dict[str, Callable[[Target, str], Any]] = {
    "marked": lambda target, mark: bodies.marked_request(mark),
    "every_field": bodies.marked_every_field_request,
    "snake_case": bodies.marked_snake_case_request,
    "count_tokens": lambda target, mark: bodies.marked_count_tokens_request(mark),
    "batch_embed": bodies.marked_batch_embed_request,
}


def send_probe(
    client: GeminiClient, target: Target, upstream: Any, scenario: str, mode: str, auth: str | None, body: str
) -> Probe:
    """One request carrying ``scenario``'s marker (``body`` names its shape), sent as ``mode`` with the key
    in ``auth`` (None: the target's first placement), and the upstream's record of it."""
    mark = marker(scenario)
    sent = BODIES[body](target, mark)
    how = {"auth": auth} if auth else {}
    model = (target.model("embedding") if mode == EMBEDDED else None) or target.model("text") or ""
    if mode == STREAMED:
        exchange = client.stream(model, sent, **how)
    else:
        exchange = client.action(model, mode, sent, **how)
    return Probe(scenario, sent, exchange, upstream.recorded(mark), upstream.base_url)


def differences(expected: Any, actual: Any, at: str = "$", *, extra_ok: bool = False) -> list[Difference]:
    """Every place ``actual`` differs from ``expected``, in document order: a key dropped, added or
    changed, a list of another length (its items are then not compared one by one).

    With ``extra_ok``, keys only ``actual`` has are allowed (``expected`` need only be contained)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = [
            difference
            for key, value in expected.items()
            for difference in ([(f"{at}.{key}", value, "(missing)")] if key not in actual else differences(value, actual[key], f"{at}.{key}", extra_ok=extra_ok))
        ]
        return found + ([] if extra_ok else [(f"{at}.{key}", "(absent)", actual[key]) for key in actual if key not in expected])
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [(at, f"{len(expected)} items", f"{len(actual)} items")]
        return [d for index, (one, other) in enumerate(zip(expected, actual)) for d in differences(one, other, f"{at}[{index}]", extra_ok=extra_ok)]
    if type(expected) is not type(actual) or expected != actual:
        return [(at, expected, actual)]
    return []


def more(found: list[Difference]) -> str:
    return f" (and {len(found) - 1} more difference(s), listed)" if len(found) > 1 else ""


def listed(found: list[Difference], expected_side: str, actual_side: str, redactor: Redactor) -> tuple[str, ...]:
    """Each difference as one line, for the failure's details (the first LISTED_DIFFERENCES)."""
    lines = tuple(
        f"{path}: {expected_side} {shown(one, redactor)}, {actual_side} {shown(other, redactor)}" for path, one, other in found[:LISTED_DIFFERENCES]
    )
    return lines + ((f"... {len(found) - LISTED_DIFFERENCES} more",) if len(found) > LISTED_DIFFERENCES else ())


def normalized(body: Any) -> Any:
    """A request body with proto field names in camelCase (Google reads both spellings)."""
    return camel_case_keys(body)


def doubled_fields(value: Any, at: str = "$") -> Iterator[str]:
    """Paths where one proto field is spelled both ways (snake_case and camelCase)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from doubled_fields(item, f"{at}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            if "_" in key and camel_case(key) in value:
                yield f"{at}.{key} and {at}.{camel_case(key)}"
            if camel_case(key) not in FREE_FORM_FIELDS:
                yield from doubled_fields(item, f"{at}.{key}")


def contains(text: str, record: Recorded) -> list[str]:
    """Where in a recorded request ``text`` appears: header names, query names, the body."""
    places = [f"header {name}" for name, value in record.headers if text in value]
    places += [f"query parameter {name}" for name, value in record.query if text in value]
    if text.encode() in record.body:
        places.append("the body")
    return places


def shown(value: Any, redactor: Redactor) -> Any:
    """A value as a failure shows it: redacted, then cut (a cut must never fall inside a key)."""
    value = redactor.data(value)
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        digest = hashlib.sha256(value.encode()).hexdigest()[:12]
        return f"{value[:24]!r}... ({len(value)} chars, sha256 {digest})"
    if isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        return text if len(text) <= 3 * SHOWN_CHARS else text[: 3 * SHOWN_CHARS] + f"... ({len(text)} chars)"
    return value
