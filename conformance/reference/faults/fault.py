"""A fault: one realistic gateway bug, as values for the reference gateway's hook points
(the hook points are listed in this package's docstring)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..envelopes import ApiError
from ..streaming import Write
from ..wire import Reply

Transform = Callable[[Any], Any]
# Client timeouts (seconds) the self-test uses for stall faults, so a stall is detected in seconds.
# Not one: on a loaded two-core machine an answer that does not stall (the SDK's, say) took 1.1 s.
STALL_TIMEOUTS = {"read": 2, "image": 2}


def _mapping(**kwargs: Any) -> Any:
    # Mappings can't be hashed; keep them out of the generated __hash__/__eq__.
    return field(hash=False, compare=False, **kwargs)


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    breaks: tuple[str, ...]
    profile: str = "full"  # the profile the self-test runs the fault under
    timeouts: Mapping[str, float] | None = _mapping(default=None)  # short client timeouts for the self-test
    # Behaviour. Each default is the clean gateway.
    ignores_placements: tuple[str, ...] = ()
    admits: tuple[str, ...] = ()
    skips: tuple[str, ...] = ()
    rewrite_request: Transform | None = None
    reroutes: Mapping[str, str] = _mapping(default_factory=dict)
    stalls: tuple[tuple[str, str], ...] = ()
    reshape: Mapping[str, Transform] = _mapping(default_factory=dict)
    media_types: Mapping[str, str] = _mapping(default_factory=dict)
    success_status: Mapping[str, int] = _mapping(default_factory=dict)
    stream_format: str | None = None
    frame_sse: Callable[[list[bytes]], list[bytes]] | None = None
    schedule: Callable[[list[Write]], list[Write]] | None = None
    restate_error: Callable[[ApiError], ApiError] | None = None
    hangs_up_on: tuple[str, ...] = ()
    commits_streams_early: bool = False
    unrouted: Reply | None = None
    unserved_versions: tuple[str, ...] = ()
    loose_routing: bool = False
    substitutes_model: bool = False
    unknown_models: tuple[str, ...] = ()
    prefix_routed: tuple[str, ...] = ()
