"""Faults that break rules of the versions area (conformance/checks/versions.py) first."""

from __future__ import annotations

from ..wire import Reply
from .fault import Fault

# What a catch-all route answers to any path it does not know: a JSON 200 (the API's "ok" stub).
JSON_CATCH_ALL = Reply(200, {"object": "list", "data": []})

FAULTS = (
    Fault(
        "v1_not_served",
        "Only /v1beta routes are registered; google-genai 3.x's default /v1 calls get 404 (facts §7, §9 rule 1).",
        ("VER-01", "SDK-06"),
        unserved_versions=("v1",),
    ),
    Fault(
        "v1_catch_all",
        "/v1 is not routed, but a catch-all answers every unknown path with a JSON 200, so /v1 looks "
        "served to a check that only asks for a 2xx JSON answer (issue: VER-01 passed on a catch-all).",
        ("VER-01", "VER-02", "ACT-10", "SDK-06", "UNSUP-01"),
        unserved_versions=("v1",),
        unrouted=JSON_CATCH_ALL,
    ),
    Fault(
        "ignores_path_prefix",
        "Routes match anywhere in the path, so a wrong base-URL prefix silently works instead of failing "
        "(catch-all {path} routers; bugs §1 wrong base_url prefix).",
        ("VER-02",),
        loose_routing=True,
    ),
)
