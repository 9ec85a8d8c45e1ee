"""Faults that break rules of the versions area (conformance/checks/versions.py) first."""

from __future__ import annotations

from .fault import Fault

FAULTS = (
    Fault(
        "v1_not_served",
        "Only /v1beta routes are registered; google-genai 3.x's default /v1 calls get 404 (facts §7, §9 rule 1).",
        ("VER-01", "SDK-06"),
        unserved_versions=("v1",),
    ),
    Fault(
        "ignores_path_prefix",
        "Routes match anywhere in the path, so a wrong base-URL prefix silently works instead of failing "
        "(catch-all {path} routers; bugs §1 wrong base_url prefix).",
        ("VER-02",),
        loose_routing=True,
    ),
)
