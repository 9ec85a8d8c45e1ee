"""What a conformance run leaves behind, written once from every check's report: results.json, a
certificate and badge per target, the baseline comparison, the terminal summary and the HTML report's
columns. Registered by the plugin (plugin.pytest_configure) when a run has targets.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import pytest

from conformance.outcomes import Outcome, SkipKind
from conformance.report import certificate, html, results
from conformance.report.baseline import Comparison, compare
from conformance.report.results import Run
from conformance.report.summary import summary_lines
from conformance.run_state import PARTIAL, report_dir_of


class RunReporter:
    """Collects every report (on the xdist controller too) and writes what the run leaves behind:
    results.json, a certificate and badge per target, the baseline comparison, the terminal summary,
    and the report's own columns in pytest-html's table (registered for a conformance run only)."""

    def __init__(self, run: Run, config: pytest.Config, baseline: dict[str, str] | None = None) -> None:
        self.run = run
        self.config = config
        self.baseline = baseline or {}  # --baseline's outcomes, read as the run started
        self.report_dir = report_dir_of(config)
        self.partial = config.stash[PARTIAL]
        self.results: dict | None = None
        self.keyless: dict[str, str] = {}
        # A target that could not run for want of its key passes only if asked, never against a baseline.
        self.keyless_allowed = bool(config.getoption("allow_missing_keys") and not config.getoption("baseline"))

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.run.add(report)

    @pytest.hookimpl(tryfirst=True)  # before pytest-html renders, and before pytest returns the exit status
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker or self.config.option.collectonly:
            return  # a run that only collects records nothing, and leaves every artifact as it was
        self.results = self.run.as_results()
        baseline = self.config.getoption("baseline")
        if baseline:
            comparison = compare(Path(baseline), self.baseline, self.results["records"])
            self.results["baseline"] = comparison.as_dict()
            if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
                # Nightly: only a regression fails the run; known failures are reported, not fatal.
                failed = pytest.ExitCode.TESTS_FAILED if comparison.regressions else pytest.ExitCode.OK
                session.exitstatus = failed
        results.write(self.results, self.report_dir)
        if not self.partial:
            certificate.write_all(self.results, self.report_dir)
        # A target that could not run at all for want of its key is never a green run: a nightly whose
        # secret vanished must not report "0 regressions". Unless asked, and never against a baseline.
        self.keyless = keyless_targets(self.results)
        if self.keyless and not self.keyless_allowed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.is_worker or self.results is None:
            return
        for line in summary_lines(self.results):
            terminalreporter.write_line(line)
        if "baseline" in self.results:
            comparison = Comparison(**self.results["baseline"])
            terminalreporter.write_line("  " + comparison.summary())
            for test in comparison.regressions:
                terminalreporter.write_line(f"    regression: {test}", red=True)
        for name, reason in self.keyless.items():
            allowed = self.keyless_allowed
            consequence = "skipped, as --allow-missing-keys allows" if allowed else "so the run fails (--allow-missing-keys to skip it)"
            terminalreporter.write_line(f"  NOT RUN {name}: {reason}; {consequence}", red=not allowed, yellow=allowed)
        if self.partial:
            terminalreporter.write_line(
                f"  partial run ({self.partial}): artifacts in {self.report_dir}/ (results.json, report.html); "
                "no certificate, and a full run's artifacts are left as they were"
            )
            return
        terminalreporter.write_line(f"  artifacts: {self.report_dir}/ (results.json, report.html, <target>/conformance-report.yaml)")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[str], summary: list[str], postfix: list[str], session) -> None:
        if self.results is not None:
            prefix.append(html.render(self.results))

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_report_title(self, report) -> None:
        report.title = "Gemini gateway conformance"

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells.insert(1, "<th>Rule</th>")
        cells.insert(2, "<th>Level</th>")
        cells.insert(3, "<th>Target</th>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        info = getattr(report, "conformance", {})
        cells.insert(1, f"<td>{info.get('rule', '')}</td>")
        cells.insert(2, f"<td>{info.get('level', '')}</td>")
        cells.insert(3, f"<td>{info.get('target', '')}</td>")

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        """A skip's reason as plain text, not the (file, line, reason) tuple pytest keeps."""
        if report.skipped and isinstance(report.longrepr, tuple):
            data[:] = [escape(results.skip_reason(report))]


def keyless_targets(document: dict[str, Any]) -> dict[str, str]:
    """Targets none of whose checks ran because a key variable is not set: name -> the reason."""
    by_target: dict[str, list[dict[str, Any]]] = {}
    for record in document["records"]:
        by_target.setdefault(record["target"], []).append(record)
    return {
        name: records[0]["message"]
        for name, records in by_target.items()
        if all(r["outcome"] == Outcome.SKIPPED.value and r["skip"] == SkipKind.NO_KEY.value for r in records)
    }
