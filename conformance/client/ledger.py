"""What a run's requests cost: one ledger per run, written by the clients, drained by the plugin
after each test phase and attached to its report."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

BILLABLE_ACTIONS = ("generateContent", "streamGenerateContent", "embedContent", "batchEmbedContents", "chatCompletions")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    target: str
    action: str | None
    billable: bool
    tokens: int
    status: int = 0
    ttfb: float = 0.0
    elapsed: float = 0.0
    retried: bool = False  # this request repeats one the gateway rate-limited
    kind: str = "other"  # what was billed: the action, or "image" for an image model's generation


class Ledger:
    """What requests cost, drained by the plugin after each test phase and attached to its report.

    A thread fetching a recipe's response ahead of its checks records into a list of its own
    (``collecting``); the first check that reads the response is charged with it (``charge``)."""

    def __init__(self) -> None:
        self._entries: list[LedgerEntry] = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def record(self, entry: LedgerEntry) -> None:
        sink = getattr(self._local, "sink", None)
        if sink is not None:
            sink.append(entry)
            return
        with self._lock:
            self._entries.append(entry)

    def charge(self, entries: list[LedgerEntry]) -> None:
        for entry in entries:
            self.record(entry)

    @contextmanager
    def collecting(self) -> Iterator[list[LedgerEntry]]:
        outer = getattr(self._local, "sink", None)
        self._local.sink = sink = []
        try:
            yield sink
        finally:
            self._local.sink = outer

    def drain(self) -> list[LedgerEntry]:
        with self._lock:
            entries, self._entries = self._entries, []
        return entries
