"""The pytest plugin: options, targets, per-target parametrization, outcomes, and the run summary.

Loaded from the repo's root conftest.py; shaped so it can become a ``pytest11`` entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.client.http import LEDGER
from conformance.client.redact import Redactor
from conformance.evidence import render_failure
from conformance.outcomes import GatewayUnreachable, RequestTimedOut, RuleViolation
from conformance.rules import Rule, rule_of
from conformance.run import Run, outcome_of
from conformance.targets import Target, TargetsFileError, load_targets, select

CHECKS_DIR = Path(__file__).parent / "checks"
DEFAULT_TARGET = "local"

_targets = pytest.StashKey[dict[str, Target]]()
_redactor = pytest.StashKey[Redactor]()
_run = pytest.StashKey[Run]()


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
    parser.addini("targets_file", "default targets file", default="targets.yaml")


@pytest.hookimpl(tryfirst=True)  # before pytest-html reads where its report goes
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xdist_group(name): run in the worker for this target")
    config.addinivalue_line("markers", "semantic: a check of what a real model says (few calls, SHOULD)")
    config.stash[_redactor] = Redactor()
    if not (config.getoption("target") or _running_checks(config)):
        return
    path = config.getoption("targets_file") or Path(config.rootpath, config.getini("targets_file"))
    try:
        targets = load_targets(path)
        chosen = select(targets, config.getoption("target") or [DEFAULT_TARGET], Path(path).name)
    except TargetsFileError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[_targets] = {t.name: t for t in chosen}
    config.stash[_run] = Run(config.stash[_targets])
    config.pluginmanager.register(RunReporter(config.stash[_run], config), "conformance-run")
    _default_html_report(config)


def targets_of(config: pytest.Config) -> dict[str, Target]:
    return config.stash.get(_targets, {})


def redactor_of(config: pytest.Config) -> Redactor:
    return config.stash[_redactor]


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


def pytest_runtest_setup(item: pytest.Item) -> None:
    rule = rule_of(getattr(item, "obj", None))
    target = _target_of(item)
    if rule is None or target is None:
        return
    reason = target.missing_key_reason() or _not_declared(rule, target, item)
    if reason:
        pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    rule = rule_of(getattr(item, "obj", None))
    target = _target_of(item)
    if rule is None or target is None:
        return report
    cost = LEDGER.drain()
    report.user_properties += [
        ("rule", rule.id),
        ("level", str(rule.level)),
        ("area", rule.area),
        ("target", target.name),
        ("source", "; ".join(map(str, rule.sources))),
        ("http_requests", len(cost)),
        ("model_calls", sum(e.billable for e in cost)),
        ("tokens", sum(e.tokens for e in cost)),
    ]
    if report.failed and call.excinfo is not None:
        error = call.excinfo.value
        if isinstance(error, RequestTimedOut):
            report.user_properties.append(("outcome", "timeout"))
        if isinstance(error, (RuleViolation, RequestTimedOut, GatewayUnreachable)):
            report.longrepr = render_failure(rule, error, target)
        deviation = target.deviations.get(rule.id)
        if deviation is not None and report.when == "call":
            report.outcome = "skipped"
            report.wasxfail = f"declared deviation: {deviation.reason}"
    if report.failed and report.longrepr is not None:
        report.longrepr = item.config.stash[_redactor].text(str(report.longrepr))
    return report


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config):
    outcome = outcome_of(report)
    if outcome == "timeout":
        return "timeout", "T", ("TIMEOUT", {"red": True})
    if outcome == "deviation":
        return "deviation", "D", ("DEVIATION", {"yellow": True})
    return None


class RunReporter:
    """Collects every report (on the xdist controller too) and writes the run's summary and results."""

    def __init__(self, run: Run, config: pytest.Config) -> None:
        self.run = run
        self.config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.run.add(report)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if hasattr(self.config, "workerinput"):
            return
        for line in self.run.summary_lines():
            terminalreporter.write_line(line)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return
        self.run.write_results(Path(self.config.getoption("report_dir")) / "results.json")


# pytest-html: rule, level and target columns; the run's cost in the summary.


@pytest.hookimpl(optionalhook=True)
def pytest_html_report_title(report) -> None:
    report.title = "Gemini gateway conformance"


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_header(cells: list[str]) -> None:
    cells.insert(1, "<th>Rule</th>")
    cells.insert(2, "<th>Level</th>")
    cells.insert(3, "<th>Target</th>")


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_table_row(report: pytest.TestReport, cells: list[str]) -> None:
    properties = dict(report.user_properties)
    cells.insert(1, f"<td>{properties.get('rule', '')}</td>")
    cells.insert(2, f"<td>{properties.get('level', '')}</td>")
    cells.insert(3, f"<td>{properties.get('target', '')}</td>")


@pytest.hookimpl(optionalhook=True)
def pytest_html_results_summary(prefix: list[str], summary: list[str], postfix: list[str], session) -> None:
    run = session.config.stash.get(_run, None)
    if run is not None:
        prefix.extend(f"<p>{line.strip()}</p>" for line in run.summary_lines()[1:])


def _target_of(item: pytest.Item) -> Target | None:
    callspec = getattr(item, "callspec", None)
    name = callspec.params.get("target") if callspec is not None else None
    return targets_of(item.config).get(name) if name else None


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
    placement = item.callspec.params.get("placement")  # type: ignore[attr-defined]
    if placement is not None and placement not in target.auth:
        return f"target {target.name} does not declare auth placement {placement}"
    return None


def _running_checks(config: pytest.Config) -> bool:
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::", 1)[0]).resolve()
        if path == CHECKS_DIR or CHECKS_DIR in path.parents or path in CHECKS_DIR.parents:
            return True
    return False


def _default_html_report(config: pytest.Config) -> None:
    """A self-contained HTML report under the report dir, unless the user chose one."""
    if not config.pluginmanager.hasplugin("html") or hasattr(config, "workerinput"):
        return
    if getattr(config.option, "htmlpath", None) is None:
        config.option.htmlpath = str(Path(config.getoption("report_dir")) / "report.html")
        config.option.self_contained_html = True
