"""The HTML report is a web page, so check it like one: render it in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.harness import run_suite

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
# Flags for a sandboxed root session with no network (see the machine notes): no first-run UI,
# no background requests that the closed network would refuse.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    targets = {"targets": {"local": {"reference": "full"}, "broken": {"reference": {"profile": "full", "faults": ["done_sentinel"]}}}}
    run = run_suite(tmp, targets, "--target", "local", "--target", "broken")
    return tmp, run.report_dir / "report.html"


def chromium(tmp, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_the_rendered_report_shows_the_matrix_and_a_failures_evidence(report):
    tmp, html = report
    dom = chromium(tmp, "--dump-dom", html.as_uri()).stdout
    assert 'id="conformance-matrix"' in dom
    for shown in ("local", "broken", ">reached<", ">not reached<", "STREAM-02 MUST", "data: [DONE]", "curl -sS", "$API_KEY"):
        assert shown in dom, shown
    # pytest-html renders its results table with JavaScript: the failure's row must be there too.
    assert "data_only_framing[broken]" in dom


def test_the_report_renders_to_a_real_picture(report):
    tmp, html = report
    picture = tmp / "report.png"
    chromium(tmp, "--window-size=1400,1600", f"--screenshot={picture}", html.as_uri())
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size > 50_000, "a blank page compresses to almost nothing"
