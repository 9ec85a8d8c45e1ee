"""What a conformance run keeps for its length, in pytest's stash, and how each part reads it.

The plugin fills it as the run starts (plugin.pytest_configure, pytest_collection_finish); the target
sessions, the fixtures and the xdist dealing read it here, without importing the plugin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.client.ledger import Ledger
from conformance.client.redact import Redactor
from conformance.recipes.engine import Recipe
from conformance.targets import Target

TARGETS = pytest.StashKey[dict[str, Target]]()
REDACTOR = pytest.StashKey[Redactor]()
LEDGER = pytest.StashKey[Ledger]()
PARTIAL = pytest.StashKey["str | None"]()  # what makes this run partial (plugin.partial_run), decided once
PLAN = pytest.StashKey[dict[str, list[tuple[Recipe, dict[str, Any]]]]]()


def targets_of(config: pytest.Config) -> dict[str, Target]:
    return config.stash.get(TARGETS, {})


def redactor_of(config: pytest.Config) -> Redactor:
    return config.stash[REDACTOR]


def ledger_of(config: pytest.Config) -> Ledger:
    return config.stash[LEDGER]


def target_of(item: pytest.Item) -> Target | None:
    callspec = getattr(item, "callspec", None)
    name = callspec.params.get("target") if callspec is not None else None
    return targets_of(item.config).get(name) if name else None


def planned_responses(config: pytest.Config, target: str) -> list[tuple[Recipe, dict[str, Any]]]:
    """What the plan fetches ahead for ``target`` (nothing when it fetches nothing ahead)."""
    return config.stash.get(PLAN, {}).get(target, [])


def is_partial(config: pytest.Config) -> bool:
    """The run checks only part of what its targets declare (partial_run): it certifies nothing."""
    return bool(config.stash.get(PARTIAL, None))


def report_dir_of(config: pytest.Config) -> Path:
    """--report-dir, or its partial/ folder for a partial run (a full run's artifacts stay)."""
    report_dir = Path(config.getoption("report_dir"))
    return report_dir / "partial" if config.stash.get(PARTIAL, None) else report_dir
