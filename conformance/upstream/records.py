"""What the scripted upstream received and sent, and the marker that finds a request's record."""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

RECORDED_PATH = "/__recorded"
MARKER = re.compile(r"gcfid:([a-z_]+):([0-9a-f]{8,32})")


def marker(scenario: str) -> str:
    """A fresh marker for one request: the scenario to play and a nonce that finds its record."""
    return f"gcfid:{scenario}:{secrets.token_hex(8)}"


@dataclass
class SentEvent:
    at_s: float  # seconds after the request arrived
    body: Any  # the JSON value sent: a whole body, or one stream chunk / error event


@dataclass
class Recorded:
    """One request the upstream received and, for scenario requests, what it answered."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    marker: str | None = None
    scenario: str | None = None
    status: int | None = None
    streamed: bool = False
    sent: list[SentEvent] = field(default_factory=list)
    dropped: bool = False  # the connection was cut after the events

    @property
    def action(self) -> str | None:
        _, colon, action = self.path.rpartition(":")
        return action if colon else None

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": [list(pair) for pair in self.query],
            "headers": [list(pair) for pair in self.headers],
            "body_base64": base64.b64encode(self.body).decode(),
            "marker": self.marker,
            "scenario": self.scenario,
            "status": self.status,
            "streamed": self.streamed,
            "sent": [{"at_s": event.at_s, "body": event.body} for event in self.sent],
            "dropped": self.dropped,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recorded:
        return cls(
            method=data["method"],
            path=data["path"],
            query=[tuple(pair) for pair in data["query"]],
            headers=[tuple(pair) for pair in data["headers"]],
            body=base64.b64decode(data["body_base64"]),
            marker=data["marker"],
            scenario=data["scenario"],
            status=data["status"],
            streamed=data["streamed"],
            sent=[SentEvent(event["at_s"], event["body"]) for event in data["sent"]],
            dropped=data["dropped"],
        )


class Recorder:
    def __init__(self) -> None:
        self._records: list[Recorded] = []
        self._lock = threading.Lock()

    def add(self, record: Recorded) -> None:
        with self._lock:
            self._records.append(record)

    def recorded(self, marker: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self._records if marker is None or r.marker == marker]


