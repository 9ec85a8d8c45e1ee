"""How a run behaves for its users: honest outcomes, no hangs, clear errors, no leaked keys."""

from __future__ import annotations

import json
import socket

import pytest

from conformance.reference import PROFILES, GatewayConfig, ReferenceGateway
from conformance.vocabulary import AUTH_PLACEMENTS
from tests.harness import leaks_of, run_suite

SENTINEL = "gc-sentinel-KEY-5f1e2d3c4b5a69788796"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _declared_like(profile: str) -> dict:
    p = PROFILES[profile]
    return {"auth": list(p.auth), "actions": list(p.actions), "features": list(p.features), "models": dict(p.models)}


def test_plain_pytest_means_target_local_and_passes(tmp_path):
    run = run_suite(tmp_path, None)
    assert run.returncode == 0, run.stdout[-3000:]
    assert {r["target"] for r in run.records} == {"local"}
    assert {r["outcome"] for r in run.records} <= {"pass", "skipped"}
    assert "local (reference gateway, profile full):" in run.stdout


def test_parallel_run_gives_the_same_verdicts_as_serial_and_costs_the_same(tmp_path):
    serial = run_suite(tmp_path / "serial", None, "--target", "local", "--target", "local-aione")
    parallel = run_suite(tmp_path / "parallel", None, "--target", "local", "--target", "local-aione", "-n", "2")
    verdicts = lambda run: {r["test"]: r["outcome"] for r in run.records}  # noqa: E731
    assert verdicts(serial) and verdicts(serial) == verdicts(parallel)
    # -n never costs more than serial: each target's checks share one worker, which fetches its
    # responses once (pytest 9.2 broke xdist's own grouping; the suite schedules by target itself).
    cost = lambda run, target: sum(r["http_requests"] for r in run.records_of(target))  # noqa: E731
    for target in ("local", "local-aione"):
        assert cost(parallel, target) == cost(serial, target) > 0, target


def test_a_check_is_scheduled_with_its_target_whatever_its_other_parameters():
    from conformance.dealing import target_in

    names = ["local-aione", "local"]  # longest first, as the scheduler orders them
    assert target_in("conformance/checks/auth.py::declared_auth_accepted[local-aione-x-api-key]", names) == "local-aione"
    assert target_in("conformance/checks/auth.py::declared_auth_accepted[local-x-api-key]@local", names) == "local"
    assert target_in("conformance/checks/streaming.py::chunk_schema[local]", names) == "local"
    assert target_in("tests/test_x.py::test_y", names) is None


def test_no_more_workers_start_than_there_are_targets(tmp_path):
    two = run_suite(tmp_path / "two", None, "--target", "local", "--target", "local-aione", "-n", "4", "-v", "-k", "GEN or generate")
    assert "-n 4: 2 targets, so 2 workers" in two.stdout and "created: 2/2 workers" in two.stdout
    one = run_suite(tmp_path / "one", None, "--target", "local", "-n", "4", "-v", "-k", "generate_response_schema")
    assert "-n 4: one target, so its checks run in this process" in one.stdout and "created:" not in one.stdout
    assert one.returncode == 0 and [r["outcome"] for r in one.records] == ["pass"]


def test_a_run_of_chosen_levels_checks_only_their_rules(tmp_path):
    run = run_suite(tmp_path, None, "--target", "local", "--level", "tools")
    assert run.returncode == 0, run.stdout[-2000:]
    assert {r["area"] for r in run.records} == {"tools"}
    results = json.loads((run.report_dir / "results.json").read_text())
    levels = {name: level["result"] for name, level in results["targets"]["local"]["levels"].items()}
    assert levels["tools"] == "reached" and levels["core"] == "not run"


def test_a_target_without_its_key_is_skipped_with_one_reason_and_never_a_green_run(tmp_path):
    run = run_suite(tmp_path / "default", None, "--target", "aione", "--target", "local", unset=("AIONE_API_KEY",))
    aione = run.records_of("aione")
    assert {(r["outcome"], r["skip"], r["message"]) for r in aione} == {("skipped", "no key", "set AIONE_API_KEY to run target aione")}
    assert run.returncode == pytest.ExitCode.TESTS_FAILED  # local passed; aione did not run at all
    assert "NOT RUN aione: set AIONE_API_KEY to run target aione; so the run fails" in run.stdout  # no -rs needed
    allowed = run_suite(tmp_path / "allowed", None, "--target", "aione", "--allow-missing-keys", unset=("AIONE_API_KEY",))
    assert allowed.returncode == 0 and "NOT RUN aione: set AIONE_API_KEY" in allowed.stdout
    # A nightly whose secret vanished: a failure, not "0 regressions", whatever it allows.
    baseline = f"--baseline={run.report_dir / 'results.json'}"
    nightly = run_suite(tmp_path / "nightly", None, "--target", "aione", "--allow-missing-keys", baseline, unset=("AIONE_API_KEY",))
    assert nightly.returncode == pytest.ExitCode.TESTS_FAILED and "0 regression(s)" in nightly.stdout


def test_an_unreachable_gateway_fails_fast_with_connection_refused(tmp_path):
    targets = {"targets": {"down": {"base_url": f"http://127.0.0.1:{_closed_port()}", "api_key_env": "GC_DOWN_KEY", **_declared_like("aione")}}}
    run = run_suite(tmp_path, targets, "--target", "down", env={"GC_DOWN_KEY": "k-down-1234"})
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    failed = [r for r in run.records if r["outcome"] != "skipped"]
    assert failed and all(r["outcome"] == "fail" for r in failed)
    assert all("connection refused" in r["message"] and "targets.yaml" in r["message"] for r in failed)
    assert "Traceback" not in run.stdout


def test_a_slow_gateway_ends_in_timeout_not_a_hang(tmp_path):
    targets = {"targets": {"slow": {"reference": {"profile": "full", "latency_ms": 3000}, "timeouts": {"read": 0.5, "image": 0.5}}}}
    run = run_suite(tmp_path, targets, "--target", "slow", "-k", "within")
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    assert len(run.records) == 3
    for record in run.records:
        assert record["outcome"] == "timeout"
        assert record["message"].startswith("timeout after 0.")
        assert "(bound 0.5 s)" in record["message"]
        # Named in the terminal summary with its rule and time, without -r flags.
        assert f"TIMEOUT {record['rule']} {record['test']}: timeout after 0." in run.stdout


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory):
    """A run that fails often, with the sentinel key sent in each placement: one target per
    placement (each declares it first), all in one run."""
    faults = ("openai_error_shape", "done_sentinel", "candidate_index_as_string", "echoes_key_in_auth_error")
    with ReferenceGateway(GatewayConfig(key=SENTINEL, profile="full", faults=faults)) as gateway:
        targets = {}
        for placement in AUTH_PLACEMENTS:
            declared = _declared_like("full")
            declared["auth"] = [placement, *(p for p in AUTH_PLACEMENTS if p != placement)]
            targets[f"leaky-{placement}"] = {"base_url": gateway.base_url, "api_key_env": "GC_SENTINEL_KEY", **declared}
        tmp = tmp_path_factory.mktemp("leaky")
        run = run_suite(
            tmp, {"targets": targets}, "--target", "all", f"--junitxml={tmp / 'reports' / 'junit.xml'}",
            env={"GC_SENTINEL_KEY": SENTINEL},
        )
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    assert {r["target"] for r in run.records} == {f"leaky-{placement}" for placement in AUTH_PLACEMENTS}
    return run


def test_no_artifact_contains_the_key(leaky_run):
    assert (leaky_run.report_dir / "junit.xml").exists()
    assert len(list(leaky_run.report_dir.rglob("*.meta.json"))) > 100  # every exchange, as a recording
    assert leaks_of(SENTINEL, leaky_run) == {}


def test_a_failure_names_rule_path_expectation_source_and_curl(leaky_run):
    report = (leaky_run.report_dir / "report.html").read_text()
    for evidence in ("STREAM-02", "path:", "expected:", "actual:", "seeds/000_0f63e6991fefb2ae.txt", "curl -sS", "$API_KEY"):
        assert evidence in report or evidence.replace('"', "&#34;") in report, evidence
    assert "STREAM-02 MUST" in leaky_run.stdout


def test_k_selects_a_rule_by_its_id(tmp_path):
    run = run_suite(tmp_path, None, "--target", "local", "-k", "GEN-01 or STREAM-03")
    assert run.returncode == 0, run.stdout[-2000:]
    assert {r["rule"] for r in run.records} == {"GEN-01", "STREAM-03"}


def test_the_tools_say_how_they_are_used():
    import subprocess
    import sys

    from tests.harness import REPO

    for args in ((), ("merge",), ("verify",)):
        done = subprocess.run([sys.executable, "-m", "conformance", *args, "--help"], cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0 and done.stdout.startswith("usage: python -m conformance"), done.stderr
    done = subprocess.run([sys.executable, "-m", "conformance", "nonsense"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 2 and "invalid choice: 'nonsense'" in done.stderr and "Traceback" not in done.stderr


def test_the_installed_plugin_runs_from_any_directory(tmp_path):
    """A nightly in another repository: pytest finds the plugin by its entry point, so the options
    exist before pytest reads the command line (`--targets-file PATH` with a space), and collects
    the installed checks."""
    import subprocess
    import sys

    from tests.harness import REPO

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "targets.yml").write_text("targets:\n  mine: {reference: full}\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--targets-file", "targets.yml", "--target", "mine", "--report-dir", str(tmp_path / "out"), "-q",
         "-p", "no:cacheprovider"],
        cwd=elsewhere, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert {r["target"] for r in results["records"]} == {"mine"} and len(results["records"]) > 100
    assert results["targets"]["mine"]["levels"]["core"]["result"] == "reached"
    assert (tmp_path / "out" / "mine" / "conformance-report.yaml").is_file()
    assert not (REPO / "targets.yml").exists()


def test_the_readmes_ad_hoc_line_reaches_core_against_a_clean_gateway(tmp_path):
    import re
    import shlex

    from tests.harness import REPO

    readme = (REPO / "README.md").read_text()
    line = re.search(r"^pytest --base-url .*?(?<!\\)$", readme.replace("\\\n", " "), re.M).group(0)
    args = shlex.split(line)[1:]
    key = "k-adhoc-" + "7" * 16
    with ReferenceGateway(GatewayConfig(key=key, profile="full")) as gateway:
        args[args.index("--base-url") + 1] = gateway.base_url
        run = run_suite(tmp_path, None, *args, env={"MYGW_KEY": key})
    results = json.loads((run.report_dir / "results.json").read_text())
    assert results["targets"]["adhoc"]["levels"]["core"]["result"] == "reached", run.stdout[-3000:]


@pytest.mark.parametrize(
    "fault, passes",
    [
        ("", True),  # the reference's 401
        ("wrong_key_as_plain_bad_request", False),  # 400 without API_KEY_INVALID: not an auth failure
    ],
)
def test_a_wrong_key_answered_as_google_does_is_an_auth_failure(tmp_path, fault, passes):
    """Google answers a wrong key 400 with ErrorInfo API_KEY_INVALID; the default accepts that, and
    only that kind of 400 (real recording: firebase-sdk-test-data/014-unary-failure-api-key)."""
    target = {"reference": {"profile": "full", "faults": [fault] if fault else []}, "expect": {"auth_failure": [401, 403, 400]}}
    run = run_suite(tmp_path, {"targets": {"gw": target}}, "--target", "gw", "-k", "AUTH-03")
    assert passes or "without Google's ErrorInfo reason API_KEY_INVALID" in run.stdout
    assert run.outcomes("gw") == {"AUTH-03": {"pass" if passes else "fail"}}, run.stdout[-2000:]


def test_googles_own_wrong_key_answer_passes_the_auth_rule():
    """The recorded body Google sent for a wrong key, judged by the same assertion the rule makes."""
    import httpx

    from conformance import expect
    from conformance.client.exchange import Exchange
    from conformance.client.redact import Redactor

    google = {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
                        "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                                     "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]}}
    exchange = Exchange("POST", "u", [], b"{}", "curl", "generateContent", "m", Redactor(), status=400,
                        headers=httpx.Headers({"content-type": "application/json"}), body=json.dumps(google).encode())
    expect.auth_failure(exchange, (401, 403, 400))
    plain = Exchange("POST", "u", [], b"{}", "curl", "generateContent", "m", Redactor(), status=400,
                     body=json.dumps({"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}).encode())
    with pytest.raises(AssertionError, match="API_KEY_INVALID"):
        expect.auth_failure(plain, (401, 403, 400))


def test_targets_are_dealt_to_workers_in_order_so_each_worker_knows_its_own_from_collection():
    from conformance.dealing import targets_by_worker

    ids = [f"conformance/checks/x.py::check[{name}]" for name in ("a", "b-x", "c", "a", "d", "b-x")] + ["x.py::untargeted"]
    assert targets_by_worker(ids, ["b-x", "a", "c", "d"], 2) == [["a", "c", "x.py::untargeted"], ["b-x", "d"]]
