"""The pytest plugin: options, targets, per-target parametrization, and each check's outcome.

Beside it: what the run keeps for its length (run_state.py), how its targets are dealt to xdist
workers (dealing.py), and what it leaves behind, from results.json to the terminal summary
(run_reporter.py).

Installed as a ``pytest11`` entry point (pyproject.toml), so its options exist before pytest reads the
command line and ``pytest --target NAME`` works from any directory; the checkout's conftest.py names it
too, for a checkout that is not installed. Inert unless a target is chosen or checks are named.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance import dealing
from conformance.client.ledger import Ledger
from conformance.client.redact import Redactor
from conformance.evidence import evidence_of, render_failure
from conformance.levels import LEVELS
from conformance.outcomes import (
    Blocked,
    GatewayUnreachable,
    ModelDecided,
    Outcome,
    RequestTimedOut,
    RuleViolation,
    SkipKind,
    no_key,
    not_applicable,
    skip_kind,
)
from conformance.recipes.engine import Recipe, plan, unmatched
from conformance.report.baseline import (
    BaselineError,
    load_outcomes,
)
from conformance.report.results import Run
from conformance.rules import Rule, rule_of
from conformance.run_reporter import RunReporter
from conformance.run_state import (
    LEDGER,
    PARTIAL,
    PLAN,
    REDACTOR,
    TARGETS,
    ledger_of,
    report_dir_of,
    target_of,
    targets_of,
)
from conformance.targets import (
    Deviation,
    Target,
    TargetsFileError,
    adhoc_target,
    load_targets,
    select,
)

if TYPE_CHECKING:
    from conformance.session import Fleet

# The per-target fixtures come with the plugin, wherever it is loaded from (the xdist dealing too: it
# is registered as the run configures, since this module imports it and pytest_plugins would warn).
pytest_plugins = ["conformance.fixtures"]

CHECKS_DIR = Path(__file__).parent / "checks"
DEFAULT_TARGET = "local"

_run = pytest.StashKey[Run]()
_baseline = pytest.StashKey[dict[str, str]]()
_every_check = pytest.StashKey[bool]()  # the plugin named every check module itself
_fleet = pytest.StashKey["Fleet"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "Gemini gateway conformance")
    group.addoption(
        "--target",
        action="append",
        default=[],
        metavar="NAME",
        help="target from targets.yaml to certify; repeatable; 'all' for every target (default: local)",
    )
    group.addoption(
        "--targets-file",
        default=None,
        metavar="PATH",
        help="read targets from PATH instead of ./targets.yaml",
    )
    group.addoption(
        "--report-dir",
        default="reports",
        metavar="DIR",
        help="where the HTML report and results.json go (default: reports/)",
    )
    group.addoption(
        "--level",
        action="append",
        default=[],
        metavar="LEVEL",
        help="run only the checks of this conformance level (core, tools, sdk, ...); repeatable (default: all)",
    )
    group.addoption(
        "--allow-missing-keys",
        action="store_true",
        default=False,
        help="a target whose key variable is not set is skipped and the run may still pass (never with --baseline)",
    )
    group.addoption(
        "--no-evidence",
        dest="evidence",
        action="store_false",
        default=True,
        help="do not write the run's exchanges as evidence (by default every exchange is written, redacted, "
        "to <report-dir>/<target>/evidence/, beside the certificate whose verdicts it supports)",
    )
    group.addoption(
        "--baseline",
        default=None,
        metavar="PATH",
        help="a previous results.json: the run fails only on regressions against it",
    )
    adhoc = parser.getgroup("conformance ad-hoc target", "certify a gateway without editing targets.yaml")
    adhoc.addoption("--base-url", default=None, metavar="URL", help="the gateway's base URL")
    adhoc.addoption("--api-key-env", default=None, metavar="VAR", help="environment variable holding its key")
    adhoc.addoption("--auth", action="append", default=[], metavar="PLACEMENT", help="bearer, x-goog-api-key, x-api-key or query; repeatable")
    adhoc.addoption("--model", action="append", default=[], metavar="ROLE=NAME", help="e.g. text=gemini-2.5-flash; repeatable")
    adhoc.addoption("--action", action="append", default=[], metavar="ACTION", help="a declared action; repeatable")
    adhoc.addoption("--feature", action="append", default=[], metavar="FEATURE", help="a declared feature; repeatable")
    adhoc.addoption("--target-name", default="adhoc", metavar="NAME", help="the ad-hoc target's name (default: adhoc)")
    parser.addini("targets_file", "default targets file", default="targets.yaml")


@pytest.hookimpl(tryfirst=True)  # before pytest-html reads where its report goes
def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.is_registered(dealing):
        config.pluginmanager.register(dealing, "conformance-dealing")
    config.addinivalue_line("markers", "xdist_group(name): run in the worker for this target")
    config.addinivalue_line("markers", "semantic: a check of what a real model says (few calls, SHOULD)")
    config.stash[REDACTOR] = Redactor()
    _CONFIG["config"] = config  # the warnings hook is not given the config
    for name in LOGGERS:
        logging.getLogger(name).addFilter(_RedactedLogs(config.stash[REDACTOR]))
    config.stash[LEDGER] = Ledger()  # what this run's requests cost (each xdist worker keeps its own)
    if not (config.getoption("target") or config.getoption("base_url") or _running_checks(config)):
        return
    try:
        chosen = _chosen_targets(config)
    except TargetsFileError as error:
        raise pytest.UsageError(str(error)) from None
    unknown = [name for name in config.getoption("level") if name not in {level.name for level in LEVELS}]
    if unknown:
        raise pytest.UsageError(f"--level {unknown[0]}: no such level; the levels: {', '.join(level.name for level in LEVELS)}")
    config.stash[TARGETS] = {t.name: t for t in chosen}
    if config.getoption("baseline"):
        try:
            config.stash[_baseline] = load_outcomes(Path(config.getoption("baseline")))
        except BaselineError as error:
            raise pytest.UsageError(str(error)) from None
    _checks_wherever_run_from(config)
    config.stash[PARTIAL] = partial_run(config)
    config.stash[_run] = Run(config.stash[TARGETS], tuple(config.getoption("level")))
    config.pluginmanager.register(RunReporter(config.stash[_run], config, config.stash.get(_baseline, None)), "conformance-run")
    _default_html_report(config)
    dealing.no_idle_workers(config)


def _chosen_targets(config: pytest.Config) -> list[Target]:
    names = config.getoption("target")
    chosen: list[Target] = []
    if config.getoption("base_url"):
        if not config.getoption("api_key_env"):
            raise TargetsFileError("command line: --base-url needs --api-key-env VAR (the variable holding the key)")
        options = {
            "base_url": config.getoption("base_url"),
            "api_key_env": config.getoption("api_key_env"),
            "auth": config.getoption("auth"),
            "models": config.getoption("model"),
            "actions": config.getoption("action"),
            "features": config.getoption("feature"),
        }
        chosen.append(adhoc_target(config.getoption("target_name"), options))
        if not names:
            return chosen
    path = config.getoption("targets_file") or Path(config.rootpath, config.getini("targets_file"))
    return chosen + select(load_targets(path), names or [DEFAULT_TARGET], Path(path).name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" not in metafunc.fixturenames:
        return
    targets = targets_of(metafunc.config)
    metafunc.parametrize(
        "target",
        [pytest.param(name, id=name, marks=pytest.mark.xdist_group(name)) for name in targets],
        indirect=True,
        scope="session",
    )


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: Any):
    """A check's test id leads with its rule: ``conformance/checks/auth.py::AUTH-01_declared_auth_accepted[local-bearer]``,
    in the terminal, the short summary, JUnit and results.json alike, and as typed to run it again."""
    made = yield
    rule = rule_of(obj)
    if rule is None or not made:
        return made
    # Made again under the new name, as pytest makes a check (its node id is built from its name when
    # it is made, however each pytest keeps it).
    return [_led_by(item, rule.id) if isinstance(item, pytest.Function) else item for item in (made if isinstance(made, list) else [made])]


class RuleCheck(pytest.Function):
    """A rule's check. The gateway's outcomes are reported as the suite's own paragraph
    (evidence.render_failure, in pytest_runtest_makereport), so pytest's traceback of them, which
    reads and parses source for tens of milliseconds a failure, is not built at all."""

    def repr_failure(self, excinfo):  # noqa: ANN001 - pytest's signature
        if excinfo.errisinstance((RuleViolation, RequestTimedOut, GatewayUnreachable)):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


def _led_by(item: pytest.Function, rule_id: str) -> pytest.Function:
    """The check made again with its name led by the rule. pytest 9.2 builds the node id from the
    original name (earlier ones from the name), so both are led by it; the function is given as is."""
    callspec = getattr(item, "callspec", None)
    return RuleCheck.from_parent(
        item.parent,
        name=f"{rule_id}_{item.name}",
        originalname=f"{rule_id}_{item.originalname}",
        callobj=item.obj,
        fixtureinfo=item._fixtureinfo,
        **({"callspec": callspec, "keywords": {callspec.id: True}} if callspec is not None else {}),
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every recipe a check reads can be matched to the check's parameters; --level keeps the checks
    of the chosen levels' areas (a cheaper run certifies only those)."""
    for item in items:
        rule = rule_of(getattr(item, "obj", None))
        if rule is not None:
            item.extra_keyword_matches.add(rule.id)  # -k GEN-01 (or -k GEN) selects a rule's checks
        params = getattr(getattr(item, "callspec", None), "params", {})
        for read in rule.reads if rule is not None else ():
            missing = unmatched(read, params)
            if missing:
                raise pytest.UsageError(
                    f"check {item.name} reads recipe {read.name}, which takes {', '.join(missing)} "
                    "from its reader, but the check is not parametrized by it"
                )
    chosen = config.getoption("level")
    if not chosen:
        return
    areas = {area for level in LEVELS if level.name in chosen for area in level.areas}
    kept, dropped = [], []
    for item in items:
        rule = rule_of(getattr(item, "obj", None))
        (kept if rule is None or rule.area in areas else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """The plan: per target, every response its selected checks will read, to fetch ahead. Not when
    this process runs only some of a target's checks, nor when the run may stop at a failure (-x,
    --maxfail): what was fetched for checks that never run would be spent. A check skipped for a
    missing key or an undeclared need reads nothing, so costs nothing."""
    config = session.config
    wanted: dict[str, list[tuple[tuple[Recipe, ...], dict[str, Any]]]] = {}
    if dealing.runs_whole_targets(config) and not config.option.maxfail:
        for item in session.items:
            rule, target = rule_of(getattr(item, "obj", None)), target_of(item)
            if rule is not None and target is not None and not any(why_not_run(item)):
                wanted.setdefault(target.name, []).append((rule.reads, item.callspec.params))  # type: ignore[attr-defined]
    config.stash[PLAN] = {name: plan(checks) for name, checks in wanted.items()}
    # Every target this process runs that waits on the network fetches side by side from now.
    from conformance.session import waits_on_the_network

    mine = dealing.targets_of_this_process(session)
    fleet_of(config).open_ahead([t for t in _targets_in_order(session.items) if t.name in wanted and t.name in mine and waits_on_the_network(t)])


def _targets_in_order(items: list[pytest.Item]) -> list[Target]:
    seen: dict[str, Target] = {}
    for item in items:
        target = target_of(item)
        if target is not None:
            seen.setdefault(target.name, target)
    return list(seen.values())


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Every target session still open closes before the run's record is written (what it fetched
    and no check read is charged to the run)."""
    if _fleet in session.config.stash:
        session.config.stash[_fleet].close_all()


def fleet_of(config: pytest.Config) -> Fleet:
    """The run's target sessions (conformance/session.py), made on first use."""
    from conformance.session import Fleet

    if _fleet not in config.stash:
        config.stash[_fleet] = Fleet(config)
    return config.stash[_fleet]


def pytest_runtest_setup(item: pytest.Item) -> None:
    missing_key, undeclared = why_not_run(item)
    if missing_key:
        no_key(missing_key)
    if undeclared:
        not_applicable(undeclared)


def why_not_run(item: pytest.Item) -> tuple[str | None, str | None]:
    """(why the check is skipped, why it does not apply): no key, or a need the target does not declare."""
    rule = rule_of(getattr(item, "obj", None))
    target = target_of(item)
    if rule is None or target is None:
        return None, None
    return target.missing_key_reason(), _not_declared(rule, target, item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    rule = rule_of(getattr(item, "obj", None))
    target = target_of(item)
    if rule is None or target is None:
        return report
    redactor = item.config.stash[REDACTOR]
    cost = ledger_of(item.config).drain()
    # Carried to the xdist controller with the report; JUnit gets the user_properties.
    report.conformance = {
        "rule": rule.id,
        "level": str(rule.level),
        "area": rule.area,
        "target": target.name,
        "title": rule.title,
        "sources": [str(source) for source in rule.sources],
        "http_requests": len(cost),
        "model_calls": sum(e.billable for e in cost),
        "calls_by_action": dict(Counter(e.kind for e in cost if e.billable)),
        "tokens": sum(e.tokens for e in cost),
        "timings": [(e.action, e.status, e.ttfb, e.elapsed) for e in cost],
    }
    report.user_properties += [("rule", rule.id), ("level", str(rule.level)), ("area", rule.area), ("target", target.name)]
    error = call.excinfo.value if call.excinfo is not None else None
    if report.failed and error is not None:
        report.conformance["evidence"] = redactor.data(evidence_of(error, redactor))
        if isinstance(error, (RuleViolation, RequestTimedOut, GatewayUnreachable)):
            report.longrepr = render_failure(rule, error, target, redactor)
    if report.failed and report.longrepr is not None:
        report.longrepr = redactor.text(str(report.longrepr))
    # Captured output and log sections reach the terminal, JUnit and the HTML report too.
    report.sections = [(name, redactor.text(content)) for name, content in report.sections]
    outcome, skip = _decide(report, error, target.deviations.get(rule.id))
    report.conformance["outcome"] = outcome.value
    report.conformance["skip"] = skip.value if skip is not None else None
    report.conformance["blocked_by"] = error.by if outcome is Outcome.BLOCKED and isinstance(error, Blocked) else None
    return report


def _decide(report: pytest.TestReport, error: BaseException | None, deviation: Deviation | None) -> tuple[Outcome, SkipKind | None]:
    """The check's outcome, decided once, here: every writer reads it from results.json."""
    if report.passed:
        return Outcome.PASS, None
    if report.skipped and isinstance(error, Blocked):
        return Outcome.BLOCKED, None
    if report.skipped and isinstance(error, ModelDecided):
        return Outcome.MODEL_DECIDED, None
    if report.skipped:
        return Outcome.SKIPPED, skip_kind(error) if error is not None else SkipKind.NOT_JUDGED
    if deviation is not None and report.when == "call":
        if deviation.until is None or deviation.until >= dt.date.today():
            # Shown, not failed: pytest counts it as an expected failure.
            report.outcome = "skipped"
            report.wasxfail = f"declared deviation: {deviation.reason}"
            return Outcome.DEVIATION, None
        report.longrepr = f"declared deviation expired on {deviation.until} ({deviation.reason})\n{report.longrepr}"
    if isinstance(error, RequestTimedOut):
        return Outcome.TIMEOUT, None
    return (Outcome.FAIL if report.when == "call" else Outcome.ERROR), None


def outcome_of(report: pytest.TestReport) -> Outcome | None:
    """The outcome the plugin decided for a check's report (None for a report that is not a check's)."""
    decided = getattr(report, "conformance", {}).get("outcome")
    return Outcome(decided) if decided else None


@pytest.hookimpl(tryfirst=True)  # before the terminal reporter keeps it for its warnings summary
def pytest_warning_recorded(warning_message, when, nodeid, location) -> None:  # noqa: ARG001
    """A warning can carry what a gateway echoed (the SDK warns "<value> is not a valid FinishReason")."""
    config = _CONFIG.get("config")
    if config is None or REDACTOR not in config.stash:
        return
    redactor = config.stash[REDACTOR]
    message = warning_message.message
    text = str(message)
    redacted = redactor.text(text)
    if redacted != text:
        warning_message.message = type(message)(redacted) if isinstance(message, Warning) else redacted


class _RedactedLogs(logging.Filter):
    """Log records of the HTTP clients and the SDK (httpx logs each request line, ?key= included)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redactor.text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


LOGGERS = ("httpx", "httpcore", "httpx2", "httpcore2", "google_genai", "google", "urllib3")
_CONFIG: dict[str, pytest.Config] = {}


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):  # noqa: ARG001
    outcome = outcome_of(report)
    if outcome is Outcome.TIMEOUT:
        return "timeout", "T", ("TIMEOUT", {"red": True})
    if outcome is Outcome.DEVIATION:
        return "deviation", "D", ("DEVIATION", {"yellow": True})
    if outcome is Outcome.BLOCKED:
        return "blocked", "B", ("BLOCKED", {"yellow": True})
    if outcome is Outcome.MODEL_DECIDED:
        return "model decided", "M", ("MODEL DECIDED", {"yellow": True})
    return None


def _not_declared(rule: Rule, target: Target, item: pytest.Item) -> str | None:
    needs = rule.needs
    for action in needs.actions:
        if action not in target.actions:
            return f"target {target.name} does not declare action {action}"
    for feature in needs.features:
        if feature not in target.features:
            return f"target {target.name} does not declare feature {feature}"
    for feature in needs.absent_features:
        if feature in target.features:
            return f"target {target.name} declares {feature}; this rule is for targets without it"
    for role in needs.models:
        if not target.model(role):
            return f"target {target.name} declares no {role} model"
    params = item.callspec.params  # type: ignore[attr-defined]
    placement = params.get("placement")
    if placement is not None and placement not in target.auth:
        return f"target {target.name} does not declare auth placement {placement}"
    sent_to = params.get("sent_to")  # the action a check's request goes to (errors are judged on each)
    if sent_to is not None and sent_to not in target.actions:
        return f"target {target.name} does not declare action {sent_to}"
    return None


def _running_checks(config: pytest.Config) -> bool:
    for arg in config.args:
        path = _path_of(config, arg)
        if path == CHECKS_DIR or CHECKS_DIR in path.parents or path in CHECKS_DIR.parents:
            return True
    return False


def _default_html_report(config: pytest.Config) -> None:
    """A self-contained HTML report and JUnit XML under the report dir, unless the user chose them
    (none for a run that only collects)."""
    if not config.pluginmanager.hasplugin("html") or hasattr(config, "workerinput") or config.option.collectonly:
        return
    if getattr(config.option, "htmlpath", None) is None:
        config.option.htmlpath = str(report_dir_of(config) / "report.html")
        config.option.self_contained_html = True
    if getattr(config.option, "xmlpath", None) is None:
        config.option.xmlpath = str(report_dir_of(config) / "junit.xml")


def _checks_wherever_run_from(config: pytest.Config) -> None:
    """Outside this checkout (no testpaths naming the checks, no paths given) collect the installed
    checks package, whose modules are not named test_*.py."""
    if config.args_source != pytest.Config.ArgsSource.INVOCATION_DIR:
        return
    config.addinivalue_line("python_files", str(CHECKS_DIR / "*.py"))
    config.args[:] = [str(CHECKS_DIR)]
    config.stash[_every_check] = True


def partial_run(config: pytest.Config) -> str | None:
    """What makes this run select only some checks on purpose (-k, -m, --lf, --deselect, a file or a
    check named on the command line, --collect-only), or None for a run of every check. A partial run
    must not replace a full run's artifacts, nor certify rules it did not run. --level is not partial:
    it certifies the levels it names, and says the others were not run."""
    option = config.option
    for flag, given in (
        ("--collect-only", option.collectonly),
        ("-k", option.keyword),
        ("-m", option.markexpr),
        ("--lf", getattr(option, "lf", False)),
        ("--deselect", getattr(option, "deselect", None)),
    ):
        if given:
            return flag
    for arg in config.args if not config.stash.get(_every_check, False) else ():
        path = _path_of(config, arg)
        if "::" in arg or (CHECKS_DIR in path.parents and path.is_file()):
            return arg
    return None


def _path_of(config: pytest.Config, arg: str) -> Path:
    """The file or folder a command-line argument names (a node id's file)."""
    return Path(config.invocation_params.dir, arg.split("::", 1)[0]).resolve()
