"""The HTML report is a web page, so check it like one: render it in headless Chromium, at a laptop's
width and at 800 px, and look for what a reader needs (issue: a report read in one minute)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from conformance.report.merge import merge
from tests.harness import run_suite

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
# Flags for a sandboxed root session with no network (see the machine notes): no first-run UI,
# no background requests that the closed network would refuse.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDTHS = (1400, 800)
# Three faults: a refused key placement (AUTH-01, blocking the SDK's rules), a [DONE] sentinel (two
# framing rules, one stream) and image generateContent that never answers (timeouts: the image bound is
# set short, yet well above what a clean image answer takes, so only the stalled requests time out).
FAULTS = ["rejects_x_goog_api_key", "done_sentinel", "stall_image_generation"]
# Measures the page as laid out (overflow; the lowest contrast of any text of ours against what is
# behind it, by WCAG's formula), follows each matrix cell's link, and writes what it saw into the DOM.
PROBE = """<script>
function gcRgb(css) { return css.match(/[\\d.]+/g).map(Number); }
function gcBehind(e) {
  for (; e; e = e.parentElement) { var c = gcRgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0) return c; }
  return [255, 255, 255];
}
function gcLuminance(c) {
  return [0, 1, 2].reduce(function (sum, i) {
    var v = c[i] / 255; v = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return sum + v * [0.2126, 0.7152, 0.0722][i];
  }, 0);
}
function gcLowestContrast(root) {
  var worst = {ratio: 21, text: ""};
  root.querySelectorAll("*").forEach(function (e) {
    var own = Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    if (!own || !e.getClientRects().length) return;
    var a = gcLuminance(gcRgb(getComputedStyle(e).color)), b = gcLuminance(gcBehind(e));
    var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst.ratio) worst = {ratio: Math.round(ratio * 100) / 100, text: e.textContent.slice(0, 60)};
  });
  return worst;
}
window.addEventListener("load", function () {
  var seen = {overflow: document.documentElement.scrollWidth - window.innerWidth, width: window.innerWidth, links: [],
              contrast: gcLowestContrast(document.getElementById("gc-report"))};
  document.querySelectorAll(".gc-matrix td a").forEach(function (link) {
    link.click();
    var row = document.getElementById(link.getAttribute("href").slice(1));
    var box = row && row.getBoundingClientRect();
    seen.links.push({cell: link.parentElement.id, row: row ? row.id : null, rule: row ? row.cells[0].textContent : "",
                     shown: !!box && box.height > 0, top: box ? Math.round(box.top) : null});
  });
  var out = document.createElement("pre"); out.id = "gc-probe"; out.textContent = JSON.stringify(seen);
  document.body.append(out);
});
</script>"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """report.html of a clean run, of a run with three faults compared with the clean one, and of
    both merged as a nightly would."""
    tmp = tmp_path_factory.mktemp("browser")
    clean = run_suite(tmp / "clean", {"targets": {"gw": {"reference": "full"}}}, "--target", "gw")
    faulty_target = {"reference": {"profile": "full", "faults": FAULTS}, "timeouts": {"image": 2}}
    faulty = run_suite(tmp / "faulty", {"targets": {"gw": faulty_target}}, "--target", "gw", f"--baseline={clean.report_dir / 'results.json'}")
    renamed = tmp / "clean-renamed" / "results.json"  # merge takes each target once: the clean run's under its own name
    renamed.parent.mkdir()
    renamed.write_text(clean.report_dir.joinpath("results.json").read_text().replace('"gw"', '"gw-clean"'))
    merged = merge([faulty.report_dir / "results.json", renamed], tmp / "merged")
    return tmp, {"clean": clean.report_dir / "report.html", "faulty": faulty.report_dir / "report.html", "merged": merged / "report.html"}


def chromium(tmp, *args: str) -> subprocess.CompletedProcess:
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def rendered(tmp, html, width: int) -> tuple[str, dict]:
    """The DOM after Chromium laid the page out at ``width`` and ran the probe."""
    probe = html.with_name(f"probe-{width}.html")
    probe.write_text(html.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = chromium(tmp, f"--window-size={width},900", "--virtual-time-budget=3000", "--dump-dom", probe.as_uri()).stdout
    found = re.search(r'<pre id="gc-probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return dom, json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


def verdict_lines(dom: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", line) for line in re.findall(r'<p class="gc-verdict-line">(.*?)</p>', dom)]


def cause_titles(dom: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", title) for title in re.findall(r'<details class="gc-cause"[^>]*><summary>(.*?)</summary>', dom, re.S)]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_clean_report_says_conformant_first_and_fits(reports, width):
    tmp, pages = reports
    dom, seen = rendered(tmp, pages["clean"], width)
    assert verdict_lines(dom) == ["Conformant at every level it claims (8): core, generation-config, images, multimodal, tools, thinking, actions, sdk."]
    assert cause_titles(dom) == []
    badge = pages["clean"].with_name("gw") / "badge.svg"  # the badge says what the page says
    assert "core · generation-config · images · multimodal · tools · thinking · actions · sdk" in badge.read_text()
    assert seen["width"] == width and seen["overflow"] <= 0, seen


@pytest.mark.parametrize("width", WIDTHS)
def test_a_report_with_faults_leads_with_why_and_shows_each_fault_once(reports, width):
    tmp, pages = reports
    dom, seen = rendered(tmp, pages["faulty"], width)
    assert seen["width"] == width and seen["overflow"] <= 0, seen
    assert seen["contrast"]["ratio"] >= 4.5, seen["contrast"]
    [verdict] = verdict_lines(dom)
    assert verdict.startswith("Not conformant at core, images, multimodal, sdk (its checks blocked): "), verdict
    assert "AUTH-01" in verdict and "3 root causes" in verdict and "7 timeouts" in verdict, verdict
    assert "not conformant: core not reached" in (pages["faulty"].with_name("gw") / "badge.svg").read_text()
    # The regressions lead the page, right under the verdict, above the causes.
    assert dom.index("gc-verdict-line") < dom.index('id="gc-regressions"') < dom.index('id="gc-causes"')
    titles = cause_titles(dom)
    assert len(titles) == 3, titles
    assert "breaks AUTH-01, SDK-05; blocks SDK-01, SDK-02, SDK-03, SDK-04, SDK-06" in titles[0]
    assert any("breaks SSE-04, STREAM-02" in title for title in titles), titles
    assert any("TIME-03" in title and "IMG-01" in title for title in titles), titles
    # Every matrix cell with failures links to a row that is there, shown, and scrolled to (a blocked
    # check's row is folded until its link opens it).
    assert seen["links"] and all(link["row"] and link["shown"] and link["top"] is not None for link in seen["links"]), seen
    sdk = next(link for link in seen["links"] if link["cell"] == "cell-gw-sdk")
    assert sdk["rule"].startswith("SDK-01 MUST"), sdk
    # pytest-html's own table is folded below ours, its skips in plain words.
    assert dom.index('id="gc-report"') < dom.index('id="gc-pytest-html"') < dom.index('id="results-table"')
    assert "NotApplicable" not in dom and "(&#x27;" not in dom


@pytest.mark.parametrize("width", WIDTHS)
def test_a_merged_report_reads_as_a_single_runs(reports, width):
    tmp, pages = reports
    dom, seen = rendered(tmp, pages["merged"], width)
    assert seen["overflow"] <= 0, seen
    lines = verdict_lines(dom)
    assert lines[0].startswith("Not conformant at core") and lines[1].startswith("Conformant at every level"), lines
    assert len(cause_titles(dom)) == 3


def test_the_report_renders_to_a_real_picture(reports):
    tmp, pages = reports
    picture = tmp / "report.png"
    chromium(tmp, "--window-size=1400,1600", f"--screenshot={picture}", pages["faulty"].as_uri())
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size > 50_000, "a blank page compresses to almost nothing"
