"""The hook points app.py calls, answered by combining the active faults (none = the clean gateway).

Faults combine in the order they were given: value hooks (placements, verdicts, skipped checks,
stalls) are unions, transforms are applied one after another, and for single-valued hooks
(reroutes, media types, the unrouted reply) the last fault that sets one wins.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .envelopes import ApiError
from .faults import FAULTS, Fault
from .streaming import Write
from .wire import Reply

STALL_SECONDS = 3600.0


@dataclass(frozen=True)
class Behaviour:
    faults: tuple[Fault, ...] = ()

    @classmethod
    def of(cls, fault_names: Iterable[str]) -> Behaviour:
        return cls(tuple(FAULTS[name] for name in fault_names))

    # Auth

    def reads_placement(self, placement: str) -> bool:
        return not any(placement in fault.ignores_placements for fault in self.faults)

    def admits(self, verdict: str) -> bool:
        return any(verdict in fault.admits for fault in self.faults)

    # Requests

    def checks(self, check: str) -> bool:
        return not any(check in fault.skips for fault in self.faults)

    def rewrite_request(self, body: Any) -> Any:
        for fault in self.faults:
            if fault.rewrite_request:
                body = fault.rewrite_request(body)
        return body

    def action_performed(self, action: str) -> str:
        for fault in self.faults:
            action = fault.reroutes.get(action, action)
        return action

    async def stall_if_due(self, action: str, model_kind: str, client_gone: Callable[[], Awaitable[None]]) -> None:
        """Hang without a byte until the client gives up (or stop() cuts it off), at most an hour.

        Waking on hang-up rather than sleeping blindly lets a stalled handler end with its
        connection, so a gateway with stall faults still stops at once.
        """
        if any((action, model_kind) in fault.stalls for fault in self.faults):
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(client_gone(), STALL_SECONDS)

    # Responses

    def reshape(self, kind: str, body: Any) -> Any:
        for fault in self.faults:
            if kind in fault.reshape:
                body = fault.reshape[kind](body)
        return body

    def media_type(self, kind: str, clean: str) -> str:
        for fault in self.faults:
            clean = fault.media_types.get(kind, clean)
        return clean

    def success_status(self, kind: str) -> int:
        status = 200
        for fault in self.faults:
            status = fault.success_status.get(kind, status)
        return status

    def streams_sse(self, alt_sse: bool) -> bool:
        """Whether a stream is framed as SSE: as `alt` asks, unless a fault ignores it."""
        formats = [fault.stream_format for fault in self.faults if fault.stream_format]
        return formats[-1] == "sse" if formats else alt_sse

    def frame_sse(self, frames: list[bytes]) -> list[bytes]:
        for fault in self.faults:
            if fault.frame_sse:
                frames = fault.frame_sse(frames)
        return frames

    def schedule(self, writes: list[Write]) -> list[Write]:
        for fault in self.faults:
            if fault.schedule:
                writes = fault.schedule(writes)
        return writes

    def restate_error(self, error: ApiError) -> ApiError:
        for fault in self.faults:
            if fault.restate_error:
                error = fault.restate_error(error)
        return error

    def hangs_up_on(self, reason: str) -> bool:
        return any(reason in fault.hangs_up_on for fault in self.faults)

    def commits_streams_early(self) -> bool:
        return any(fault.commits_streams_early for fault in self.faults)

    def serves_version(self, version: str) -> bool:
        return not any(version in fault.unserved_versions for fault in self.faults)

    def routes_loosely(self) -> bool:
        return any(fault.loose_routing for fault in self.faults)

    def substitutes_model(self) -> bool:
        return any(fault.substitutes_model for fault in self.faults)

    def knows_model(self, kind: str) -> bool:
        return not any(kind in fault.unknown_models for fault in self.faults)

    def routes_by_prefix(self, action: str) -> bool:
        return any(action in fault.prefix_routed for fault in self.faults)

    def unrouted_reply(self) -> Reply | None:
        replies = [fault.unrouted for fault in self.faults if fault.unrouted]
        return replies[-1] if replies else None
