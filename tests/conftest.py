from __future__ import annotations

import pytest

from conformance.reference import FAULTS, PROFILES
from tests.harness import run_suite

SHORT_TIMEOUTS = {"connect": 5, "read": 20, "image": 20}


@pytest.fixture(scope="session")
def fault_run(tmp_path_factory):
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
    return run_suite(tmp_path_factory.mktemp("fault-run"), {"targets": targets}, "--target", "all", "-n", "2", *FAST)


# What the fault runs read is results.json: no HTML report of 18,000 rows, no per-check capture.
FAST = ("-p", "no:html", "--capture=no")
