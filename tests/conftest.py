from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from conformance.reference import FAULTS, PROFILES
from conformance.relay import RELAY_FAULTS, RELAY_PROFILE
from tests.harness import SuiteRun, run_suite

SHORT_TIMEOUTS = {"connect": 5, "read": 20, "image": 20}
# What the fault runs read is results.json: no HTML report of 28,000 rows, no per-check capture, no
# evidence of a hundred gateways' exchanges, and no summary of each failure in the terminal (pytest
# looks through every report for each failure's teardown: a tenth of a serial fault run's time).
FAST = ("-p", "no:html", "--capture=no", "--no-evidence", "--tb=no")


def _fault_run(tmp: Path) -> SuiteRun:
    """The whole suite, once, against every reference profile clean and every named fault.

    One subprocess with one target per gateway configuration is far cheaper than a run per fault,
    and it is exactly how a user runs several targets.
    """
    targets: dict = {f"clean-{name}": {"reference": name, "timeouts": SHORT_TIMEOUTS} for name in PROFILES}
    for name, fault in FAULTS.items():
        targets[f"fault-{name}"] = {
            "reference": {"profile": fault.profile, "faults": [name]},
            "timeouts": {**SHORT_TIMEOUTS, **(fault.timeouts or {})},
        }
    return run_suite(tmp, {"targets": targets}, "--target", "all", "-n", "2", *FAST)


def _relay_run(tmp: Path) -> SuiteRun:
    """The whole suite, once, against the clean test relay and the relay with each relay fault."""
    targets: dict = {"clean-relay": {"reference": RELAY_PROFILE, "timeouts": SHORT_TIMEOUTS}}
    for name in RELAY_FAULTS:
        targets[f"relay-fault-{name}"] = {"reference": {"profile": RELAY_PROFILE, "faults": [name]}, "timeouts": SHORT_TIMEOUTS}
    return run_suite(tmp, {"targets": targets}, "--target", "all", "-n", "2", *FAST)


def _hostile_run(tmp: Path) -> tuple[SuiteRun, list[bytes]]:
    """The whole suite, once, against every gateway of tests/hostile.py, one target each (and what
    the host a redirect points to received)."""
    from contextlib import ExitStack

    from tests import hostile

    with ExitStack() as stack:
        targets, received = hostile.battery(stack, "HOSTILE_KEY")
        # The core level: every area a hostile answer can break, at a third of the whole suite's cost.
        run = run_suite(tmp, {"targets": targets}, "--target", "all", "--level", "core", env={"HOSTILE_KEY": hostile.KEY}, timeout=600)
    return run, list(received)


# The long runs, started side by side as soon as the session knows it needs them: the relay and
# hostile runs mostly wait (on timing scenarios, on deadlines), so beside the fault run they cost
# almost nothing.
LONG_RUNS: dict[str, Callable[[Path], object]] = {"fault_run": _fault_run, "relay_run": _relay_run, "hostile_run": _hostile_run}
_started: dict[str, Future] = {}
_pool = ThreadPoolExecutor(max_workers=len(LONG_RUNS), thread_name_prefix="long-run")
_folders: list[str] = []


def _start(name: str) -> Future:
    if name not in _started:
        folder = tempfile.mkdtemp(prefix=f"gc-{name}-")
        _folders.append(folder)
        _started[name] = _pool.submit(LONG_RUNS[name], Path(folder))
    return _started[name]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that read a long run go last, so the rest run while it does."""
    items.sort(key=lambda item: any(name in LONG_RUNS for name in getattr(item, "fixturenames", ())))


def pytest_collection_finish(session: pytest.Session) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # under xdist each worker starts what its own tests need, when they need it
    needed = {name for item in session.items for name in getattr(item, "fixturenames", ()) if name in LONG_RUNS}
    for name in sorted(needed):
        _start(name)


def pytest_sessionfinish(session: pytest.Session) -> None:
    _pool.shutdown(wait=True, cancel_futures=True)
    for folder in _folders:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def fault_run() -> SuiteRun:
    return _start("fault_run").result()


@pytest.fixture(scope="session")
def relay_run() -> SuiteRun:
    return _start("relay_run").result()


@pytest.fixture(scope="session")
def hostile_run() -> tuple[SuiteRun, list[bytes]]:
    return _start("hostile_run").result()
