"""Recipes: each shared response is fetched once, ahead of its checks, and charged to its first reader.

The unit tests drive TargetResponses with recipes that record a fake cost instead of sending; the
runs prove that the suite fetches ahead only what its selected, applicable checks read.
"""

from __future__ import annotations

import threading

import pytest

from conformance.client.ledger import Ledger, LedgerEntry
from conformance.outcomes import ResponseTooLarge
from conformance.recipes.engine import (
    Recipe,
    TargetResponses,
    plan,
    reading,
    recipe,
    unmatched,
)
from conformance.targets import Target
from tests.harness import run_suite

TARGET = Target(name="unit")


class Counting:
    """Fetch functions that count their calls and record one ledger entry per call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.lock = threading.Lock()
        self.ledger = Ledger()

    def fetch(self, what: str) -> str:
        with self.lock:
            self.calls.append(what)
        self.ledger.record(LedgerEntry(target="unit", action="generateContent", billable=True, tokens=1))
        return f"answer to {what}"


@pytest.fixture
def counting() -> Counting:
    return Counting()


def _recipe(counting: Counting, name: str, **options) -> Recipe:
    """A recipe whose fetch asks `counting`."""

    def fetch(client, case="") -> str:
        return counting.fetch(f"{name}{case}")

    return recipe(fetch, name=f"unit_{name}", **options)


def _by_case(counting: Counting) -> Recipe:
    """A recipe whose case its reading check chooses."""
    return recipe(lambda client, case: counting.fetch(f"rejection{case}"), name="unit_rejection")


def _shared(ledger: Ledger) -> TargetResponses:
    return TargetResponses(client=None, target=TARGET, ledger=ledger)


def test_a_response_read_by_many_is_fetched_once_and_charged_to_its_first_reader(counting):
    text = _recipe(counting, "text")
    shared = _shared(counting.ledger)
    assert shared.fetched(text, {}) == "answer to text"
    assert len(counting.ledger.drain()) == 1  # the first reader pays
    assert shared.fetched(text, {}) == "answer to text"
    assert counting.ledger.drain() == []
    assert counting.calls == ["text"]


def test_fetched_ahead_then_read(counting):
    text, stream = _recipe(counting, "text"), _recipe(counting, "stream")
    shared = _shared(counting.ledger)
    shared.prefetch([(text, {}), (stream, {})], concurrency=2)
    assert shared.fetched(stream, {}) == "answer to stream"
    assert len(counting.ledger.drain()) == 1  # only what this reader read
    shared.close()
    assert sorted(counting.calls) == ["stream", "text"]
    assert len(counting.ledger.drain()) == 1  # the unread one is charged to the run when the target closes


def test_a_fixed_parameter_and_a_chosen_one_are_the_same_response(counting):
    any_case = _recipe(counting, "rejection")
    wrong_key = Recipe("wrong_key_rejection", any_case.fetch, (("case", "-wrong-key"),), (), any_case.context)
    shared = _shared(counting.ledger)
    assert shared.fetched(any_case, {"case": "-wrong-key"}) == shared.fetched(wrong_key, {})
    assert counting.calls == ["rejection-wrong-key"]


def test_each_value_is_its_own_response_read_as_a_list(counting):
    singles = _recipe(counting, "single", each=[{"case": "-a"}, {"case": "-b"}])
    shared = _shared(counting.ledger)
    shared.prefetch([(singles, variant) for variant in singles.variants({})], concurrency=2)
    assert shared.fetched(singles, {}) == ["answer to single-a", "answer to single-b"]
    assert sorted(counting.calls) == ["single-a", "single-b"]
    shared.close()


def test_an_error_reaches_every_reader(counting):
    def failing(client):
        raise TimeoutError("no answer")

    broken = Recipe("broken", failing, (), (), ("client",))
    shared = _shared(counting.ledger)
    for _ in range(2):
        with pytest.raises(TimeoutError, match="no answer"):
            shared.fetched(broken, {})


def test_a_kept_outcome_does_not_keep_what_its_request_read(counting):
    """A response refused at its byte cap is megabytes in the frames its outcome was raised through:
    fourteen hostile targets peaked at 920 MB while their outcomes waited for their checks."""
    import weakref

    class Body(bytearray):
        pass

    read: list[weakref.ref] = []

    def too_large(client):
        body = Body(b"x" * 1024)
        read.append(weakref.ref(body))
        try:
            raise ValueError("the transport's own error")
        except ValueError:
            raise ResponseTooLarge("the response exceeded 4 MB") from None

    shared = _shared(counting.ledger)
    refused = Recipe("refused", too_large, (), (), ("client",))
    shared.prefetch([(refused, {})], concurrency=1)
    shared.close()
    assert read[0]() is None  # nothing holds the body any longer
    with pytest.raises(ResponseTooLarge, match="exceeded 4 MB") as raised:
        shared.fetched(refused, {})
    assert raised.value.__context__ is None


def test_a_recipe_names_what_it_needs_and_what_its_checks_choose():
    from conformance.recipes.auth import answer_with_key_in

    assert answer_with_key_in.context == ("client", "target")
    assert answer_with_key_in.chosen == ("placement",)
    assert unmatched(answer_with_key_in, {"target": "local"}) == ["placement"]
    assert unmatched(answer_with_key_in, {"target": "local", "placement": "query"}) == []


def test_a_check_reads_a_recipe_through_its_rule_with_its_own_parameters(counting):
    any_case = _by_case(counting)
    other = _recipe(counting, "other")
    shared = _shared(counting.ledger)
    with reading(shared, {"case": "-missing-key", "target": "unit"}, "error_envelope[-missing-key]", (any_case,)):
        assert any_case() == "answer to rejection-missing-key"
        with pytest.raises(RuntimeError, match="error_envelope.* reads recipe unit_other but its rule does not name it"):
            other()
    with pytest.raises(RuntimeError, match="outside a check"):
        any_case()


def test_the_plan_reads_each_response_once_in_order_of_first_reading(counting):
    text, any_case = _recipe(counting, "text"), _by_case(counting)
    checks = [((text,), {}), ((any_case, text), {"case": "a"}), ((any_case,), {"case": "b"}), ((any_case,), {"case": "a"})]
    assert [(r.name, chosen) for r, chosen in plan(checks)] == [
        ("unit_text", {}),
        ("unit_rejection", {"case": "a"}),
        ("unit_rejection", {"case": "b"}),
    ]


def test_every_rule_reads_its_recipes_by_import():
    """From a check, one jump reaches what was sent: each recipe a rule reads is a module-level name of
    its check module, imported from conformance/recipes/."""
    import importlib

    from conformance.rules import load_all_rules

    for rule in load_all_rules().values():
        module = importlib.import_module(rule.module)
        for read in rule.reads:
            assert isinstance(read, Recipe), rule.id
            assert getattr(module, read.name, None) is read, f"{rule.id} reads {read.name}, which {rule.module} does not import by that name"
            assert read.fetch.__module__.startswith("conformance.recipes."), f"{read.name} lives in {read.fetch.__module__}"


def test_a_check_reading_a_recipe_it_cannot_parametrize_is_a_collection_error(tmp_path):
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / "test_unmatched.py").write_text(
        "from conformance.recipes.common import rejection\n"
        "from conformance.rules import MUST, rule\n"
        "from conformance.sources import GEMINI_API\n"
        "@rule('ZZZ-01', MUST, 'a rule that forgot its case', source=GEMINI_API.at('§5'), reads=rejection)\n"
        "def forgot_its_case():\n"
        "    rejection()\n"
    )
    targets = {"targets": {"local": {"reference": "full"}}}
    # The plugin named with -p: the checkout's conftest.py does not reach a file outside it.
    run = run_suite(tmp_path, targets, "-p", "conformance.plugin", "-p", "conformance.fixtures", "--target", "local", str(checks / "test_unmatched.py"))
    assert run.returncode == 4, run.stdout[-2000:] + run.stderr[-2000:]
    assert "check ZZZ-01_forgot_its_case[local] reads recipe rejection, which takes case" in run.stderr


def test_one_check_sends_only_the_requests_it_reads(tmp_path):
    run = run_suite(tmp_path, None, "--target", "local", "-k", "generate_response_schema or missing_key_rejected")
    assert run.returncode == 0, run.stdout[-2000:]
    ran = [r for r in run.records if r["outcome"] == "pass"]
    assert {r["rule"] for r in ran} == {"GEN-01", "AUTH-02"}
    assert sum(r["http_requests"] for r in run.records) == 2  # the text answer and the missing-key rejection


def test_a_check_that_does_not_apply_sends_nothing(tmp_path):
    run = run_suite(tmp_path, None, "--target", "local-nexusflow", "-k", "images or thinking")  # declares neither
    assert run.returncode == 0, run.stdout[-2000:]
    assert run.records and all(r["skip"] == "not declared" for r in run.records)
    assert sum(r["http_requests"] for r in run.records) == 0


def test_a_worker_fetches_ahead_only_when_it_runs_whole_targets():
    from types import SimpleNamespace

    from conformance.dealing import runs_whole_targets

    assert runs_whole_targets(SimpleNamespace())  # no xdist
    assert runs_whole_targets(SimpleNamespace(workerinput={"conformance_dist": "loadgroup"}))
    assert not runs_whole_targets(SimpleNamespace(workerinput={"conformance_dist": "load"}))  # it gets some checks


def test_a_run_that_may_stop_early_fetches_nothing_ahead(tmp_path):
    targets = {"targets": {"zero": {"reference": {"profile": "full", "faults": ["count_tokens_zero"]}}}}
    run = run_suite(tmp_path, targets, "--target", "zero", "-x")  # ACT-01, the first check, fails
    assert run.returncode == 1
    assert [r["rule"] for r in run.records if r["outcome"] == "fail"] == ["ACT-01"]
    assert sum(r["http_requests"] for r in run.records) == 1  # not the whole run's requests, spent ahead


def test_a_response_fetched_alone_waits_for_the_others_and_holds_them_back(counting):
    started = threading.Event()
    release = threading.Event()
    overlapping: list[str] = []

    def slow(client):
        started.set()
        release.wait(5)
        return "slow"

    def timed(client):
        overlapping.extend(name for name in ("slow",) if not release.is_set())
        return "timed"

    slow_recipe = Recipe("unit_slow", slow, (), (), ("client",))
    timed_recipe = Recipe("unit_timed", timed, (), (), ("client",), alone=True)
    shared = _shared(counting.ledger)
    shared.prefetch([(slow_recipe, {})], concurrency=2)
    assert started.wait(5)
    threading.Timer(0.2, release.set).start()
    assert shared.fetched(timed_recipe, {}) == "timed"  # waited for the slow one to finish
    assert overlapping == []
    shared.close()


def test_a_recipe_fetched_alone_cannot_be_read_by_another(counting):
    inner = Recipe("unit_inner", lambda client: "inner", (), (), ("client",), alone=True)
    outer = Recipe("unit_outer", lambda responses: responses.fetched(inner, {}), (), (), ("responses",))
    with pytest.raises(RuntimeError, match="fetched alone"):
        _shared(counting.ledger).fetched(outer, {})


def test_a_check_waits_for_a_stuck_recipe_only_so_long(counting):
    """A recipe stuck outside any exchange (every exchange has its deadline) times out the check
    that reads it instead of hanging the run."""
    from conformance.client.limits import RetryPolicy, Timeouts
    from conformance.outcomes import RequestTimedOut

    release = threading.Event()
    stuck = Recipe("unit_stuck", lambda client: release.wait(10), (), (), ("client",))
    target = Target(name="unit", timeouts=Timeouts(connect=0.01, read=0.01, image=0.01), retries=RetryPolicy(budget_s=0))
    responses = TargetResponses(client=None, target=target, ledger=counting.ledger)
    responses.prefetch([(stuck, {})], concurrency=1)
    with pytest.raises(RequestTimedOut, match="recipe unit_stuck: no response"):
        responses.fetched(stuck, {})
    release.set()
    responses.close()


def test_a_response_long_by_design_is_planned_first():
    from conformance.recipes.engine import plan, recipe

    quick, slow = recipe(lambda client: None, name="quick"), recipe(lambda client: None, name="slow", first=True)
    assert [planned.name for planned, _ in plan([((quick,), {}), ((slow, quick), {})])] == ["slow", "quick"]
