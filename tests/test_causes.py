"""Failures grouped by root cause (conformance/report/causes.py), on records as results.json holds them."""

from __future__ import annotations

from conformance.report.causes import case_of, causes_of

REFUSED = {"status": 401, "body_excerpt": '{"error":{"code":401,"message":"API key is missing."}}'}


def record(rule, test, outcome="fail", level="MUST", target="gw", blocked_by=None, **evidence):
    return {
        "rule": rule, "test": f"conformance/checks/x.py::{test}", "outcome": outcome, "level": level, "target": target,
        "blocked_by": blocked_by, "evidence": evidence or None, "message": "",
    }


def rules_of(causes):
    return [(c.rules, c.blocked_rules) for c in causes]


def test_one_refused_request_is_one_cause_with_what_it_blocked():
    causes = causes_of([
        record("SDK-05", "sdk_default_auth[gw]", level="SHOULD", expected="the call to succeed", actual="ClientError", **REFUSED),
        record("AUTH-01", "declared_auth_accepted[gw-x-goog-api-key]", expected="200", actual="401", **REFUSED),
        record("SDK-01", "sdk_generate_content[gw]", outcome="blocked", blocked_by="AUTH-01"),
    ])
    assert rules_of(causes) == [(["AUTH-01", "SDK-05"], ["SDK-01"])]
    assert causes[0].lead["rule"] == "AUTH-01", "a MUST rule's failure shows the cause"


def test_the_same_wrong_value_at_the_same_path_is_one_cause_across_rules_and_cases():
    missing = {"path": "$.error.status", "expected": "schemas/error.schema.json", "actual": "'status' is a required property"}
    causes = causes_of([record("ERR-01", f"error_shape[gw-{case}]", **missing) for case in ("missing-key", "bad-json")] +
                       [record("ERR-02", "error_status[gw]", **missing)])
    assert rules_of(causes) == [(["ERR-01", "ERR-02"], [])]


def test_two_faults_on_one_stream_stay_two_causes():
    stream = {"status": 200, "body_excerpt": "data: {...}"}
    causes = causes_of([
        record("STREAM-02", "data_only_framing[gw]", expected="data: {json}", actual="data: [DONE]", **stream),
        record("SSE-04", "no_done_sentinel[gw]", expected="data: {json}", actual="data: [DONE]", **stream),
        record("STREAM-06", "usage_totals[gw]", expected="totals add up", actual="12 != 10", **stream),
    ])
    assert rules_of(causes) == [(["SSE-04", "STREAM-02"], []), (["STREAM-06"], [])]


def test_causes_never_span_targets_and_a_should_only_cause_comes_after_the_musts():
    causes = causes_of([
        record("SHAPE-09", "a[one]", level="SHOULD", target="one", expected="x", actual="y"),
        record("GEN-01", "b[one]", target="one", expected="p", actual="q"),
        record("GEN-01", "b[two]", target="two", expected="p", actual="q"),
    ])
    assert [(c.target, c.rules) for c in causes] == [("one", ["GEN-01"]), ("one", ["SHAPE-09"]), ("two", ["GEN-01"])]


def test_a_check_blocked_by_a_rule_that_did_not_fail_is_a_cause_of_its_own():
    causes = causes_of([record("SSE-01", "sse_lines[gw]", outcome="blocked", blocked_by="STREAM-02")])
    assert rules_of(causes) == [([], ["SSE-01"])]


def test_the_case_is_the_parametrized_id_without_the_target():
    assert case_of(record("AUTH-01", "declared_auth_accepted[gw-x-goog-api-key]")) == "x-goog-api-key"
    assert case_of(record("SDK-01", "sdk_generate_content[gw]")) == ""
    assert case_of(record("GEN-01", "plain")) == ""
