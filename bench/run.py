"""Benchmark: wall time, parallel scaling and cost of a conformance run, side by side.

    python bench/run.py [--latency-ms 0 --latency-ms 300 ...] [--out bench/results]

It starts the reference gateway itself (through the suite's own targets mechanism) and prints one
table, and writes the same numbers as JSON to bench/results/<date>.json so later runs compare:

- cost: HTTP requests, billable model calls by kind, and tokens for a full run on `local`, per level;
- wall time of the full suite at injected latency 0, 300 and 1000 ms, serial and with -n 8, next to
  the ideal `requests x latency / workers` and the ratio to it;
- ten gateways at 1000 ms in one run (reference gateways in processes of their own, declared as real
  targets), serial and with -n 2, next to one of them alone (its critical path: the longest chain of
  requests that must follow one another): targets that wait on the network fetch side by side, so ten
  should take about one critical path, not ten;
- a run against every hostile gateway of tests/hostile.py (trickles, floods, an endless stream and
  line, a huge body, a gzip bomb, deep JSON, ...): its wall time and the run's peak memory;
- the client-side cost of the checks: parse + validate a 1000-chunk SSE stream and a 5 MB image
  response, next to plain json.loads of the same bytes.

Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from conformance.client.sse import parse_sse  # noqa: E402
from conformance.images import inline_images  # noqa: E402
from conformance.levels import LEVELS  # noqa: E402
from conformance.schemas import validate  # noqa: E402

LATENCIES_MS = (0, 300, 1000)
WORKERS = (1, 8)
TARGETS = {
    "serial_local_budget_s": 15.0,  # full run on local at 0 ms, serial
    "parallel_ratio": 1.3,  # wall / ideal at 1000 ms with -n 8
    "core_streaming_calls": 30,  # billable calls for levels core + streaming on a real target
    "core_streaming_tokens": 20_000,
    "parse_validate_ratio": 3.0,  # parse + validate the 1000-chunk stream vs json.loads
    "ten_targets_ratio": 2.0,  # ten targets at 1000 ms, serial and with -n, vs one target alone
    "hostile_peak_mb": 400,  # the run's peak memory against every hostile gateway
}
MANY_TARGETS, MANY_LATENCY_MS, MANY_WORKERS = 10, 1000, (1, 2)


def run_suite(latency_ms: int, workers: int, tmp: Path, levels: tuple[str, ...] = ()) -> dict:
    """One run on the reference gateway ('full' profile) at an injected latency: every check, or
    those of ``levels`` (--level)."""
    tag = "-".join((str(latency_ms), str(workers), *levels))
    targets = tmp / f"targets-{tag}.yaml"
    targets.write_text(
        json.dumps({"targets": {"local": {"reference": {"profile": "full", "latency_ms": latency_ms}}}}),
        encoding="utf-8",
    )
    report_dir = tmp / f"reports-{tag}"
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:html", f"--targets-file={targets}",
        f"--report-dir={report_dir}", f"--basetemp={tmp / 'basetemp'}", "--target", "local",
    ]
    if workers > 1:
        command += ["-n", str(workers)]
    for level in levels:
        command += ["--level", level]
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    wall = time.monotonic() - started
    results = json.loads((report_dir / "results.json").read_text())
    records = results["records"]
    requests = sum(r["http_requests"] for r in records)
    ideal = requests * latency_ms / 1000 / workers
    return {
        "latency_ms": latency_ms,
        "workers": workers,
        "exit_status": done.returncode,
        "wall_s": round(wall, 2),
        "http_requests": requests,
        "ideal_s": round(ideal, 2),
        "ratio": round(wall / ideal, 2) if ideal else None,
        "records": records,
    }


def run_many(count: int, latency_ms: int, workers: int, tmp: Path) -> dict:
    """One run over ``count`` gateways at an injected latency, as a nightly over real gateways runs:
    each a reference gateway in a process of its own (python -m conformance.reference), declared as
    a real target (base_url, key variable), so the run's own process does only the client's work."""
    from conformance.reference import PROFILES

    profile = PROFILES["full"]
    declared = {"auth": list(profile.auth), "actions": list(profile.actions), "features": list(profile.features), "models": dict(profile.models)}
    gateways, entries = [], {}
    for n in range(1, count + 1):
        port = _free_port()
        gateways.append(subprocess.Popen(
            [sys.executable, "-m", "conformance.reference", "--port", str(port), "--key", "bench-key", "--latency-ms", str(latency_ms)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
        entries[f"gw{n:02d}"] = {"base_url": f"http://127.0.0.1:{port}", "api_key_env": "BENCH_KEY", **declared}
        _wait_for(port)
    try:
        targets = tmp / f"targets-many-{count}-{latency_ms}-{workers}.yaml"
        targets.write_text(json.dumps({"targets": entries}), encoding="utf-8")
        report_dir = tmp / f"reports-many-{count}-{latency_ms}-{workers}"
        command = [
            sys.executable, "-m", "pytest", "-q", "-p", "no:html", "--no-evidence", f"--targets-file={targets}",
            f"--report-dir={report_dir}", f"--basetemp={tmp / 'basetemp'}", "--target", "all",
        ]
        if workers > 1:
            command += ["-n", str(workers)]
        started = time.monotonic()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env={**os.environ, "BENCH_KEY": "bench-key"})
        wall = time.monotonic() - started
    finally:
        for gateway in gateways:
            gateway.terminate()
            gateway.wait()
    records = json.loads((report_dir / "results.json").read_text())["records"]
    return {"targets": count, "latency_ms": latency_ms, "workers": workers, "exit_status": done.returncode,
            "wall_s": round(wall, 2), "http_requests": sum(r["http_requests"] for r in records)}


def hostile_run(tmp: Path) -> dict:
    """The suite against every hostile gateway (tests/hostile.py, one target each): wall time and the
    peak resident memory of the pytest process."""
    from contextlib import ExitStack

    from tests import hostile

    with ExitStack() as stack:
        targets, _ = hostile.battery(stack, "HOSTILE_KEY")
        file = tmp / "targets-hostile.yaml"
        file.write_text(json.dumps({"targets": targets}), encoding="utf-8")
        pytest_command = [sys.executable, "-m", "pytest", "-q", "-p", "no:html", f"--targets-file={file}",
                          f"--report-dir={tmp / 'reports-hostile'}", f"--basetemp={tmp / 'basetemp'}", "--target", "all"]
        # A process of its own measures its child's peak: RUSAGE_CHILDREN of this one holds every run before.
        measure = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-c", measure, *pytest_command], cwd=REPO, capture_output=True, text=True, env={**os.environ, "HOSTILE_KEY": hostile.KEY})
        wall = time.monotonic() - started
    return {"gateways": len(targets), "wall_s": round(wall, 2), "peak_mb": round(int(done.stdout.strip() or 0) / 1024, 1)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, within_s: float = 15.0) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the reference gateway on port {port} did not start")


def total(records: list[dict]) -> dict:
    """Requests, billable calls by kind, and tokens of these records."""
    kinds: Counter = Counter()
    for r in records:
        kinds.update(r.get("calls_by_action", {}))
    return {
        "http_requests": sum(r["http_requests"] for r in records),
        "model_calls": sum(r["model_calls"] for r in records),
        "by_kind": dict(kinds),
        "tokens": sum(r["tokens"] for r in records),
    }


def cost(records: list[dict], core_records: list[dict]) -> dict:
    """The full run's cost, what its checks of each level were charged (a shared response is charged to
    the first check that read it), and the cost of a run of the core level alone (which includes
    streaming and its framing): what `pytest --target X --level core` spends."""
    per_level = {level.name: total([r for r in records if r["area"] in level.areas]) for level in LEVELS}
    return {
        "run": total(records),
        "per_level": {k: v for k, v in per_level.items() if v["http_requests"]},
        "core_streaming": total(core_records),
    }


def _ratio(work, baseline, repeat: int = 9) -> float:
    """Best time of ``work`` over best time of ``baseline``, run in turns: this machine drifts between
    a fast and a slow state, and timing one after the other would put each side in a different one."""
    best = {work: float("inf"), baseline: float("inf")}
    for _ in range(repeat):
        for function in (work, baseline):
            started = time.perf_counter()
            function()
            best[function] = min(best[function], time.perf_counter() - started)
    return best[work] / best[baseline]


def client_overhead() -> dict:
    """What the checks add on top of decoding: SSE framing analysis and schema validation."""
    def chunk(index: int) -> bytes:
        # Every chunk differs (text, counts) as in a real stream, so no work can be reused between them.
        return json.dumps(
            {
                "candidates": [{"content": {"parts": [{"text": f" word {index} word"}], "role": "model"}, "index": 0}],
                "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 2 + index, "totalTokenCount": 10 + index},
                "modelVersion": "gemini-2.5-flash",
                "responseId": "bench",
            }
        ).encode()

    payloads = [chunk(index) for index in range(1000)]
    stream = b"".join(b"data: " + payload + b"\r\n\r\n" for payload in payloads)

    def parse_and_validate_stream() -> None:
        for item in parse_sse(stream).chunks():
            validate("stream_chunk", item)

    def plain_stream() -> None:
        for payload in payloads:
            json.loads(payload)

    image = base64.b64encode(os.urandom(5 * 1024 * 1024 * 3 // 4)).decode()
    body = json.dumps(
        {
            "candidates": [{"content": {"parts": [{"inlineData": {"mimeType": "image/png", "data": image}}], "role": "model"}, "index": 0}],
            "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 1290, "totalTokenCount": 1298},
        }
    ).encode()

    def parse_and_validate_image() -> None:
        response = json.loads(body)
        validate("generate_content_response", response)
        list(inline_images(response))

    def plain_image() -> None:
        json.loads(body)

    stream_ratio = _ratio(parse_and_validate_stream, plain_stream)
    image_ratio = _ratio(parse_and_validate_image, plain_image)
    return {
        "sse_1000_chunks": {"ratio": round(stream_ratio, 2), "bytes": len(stream)},
        "image_5mb": {"ratio": round(image_ratio, 2), "bytes": len(body)},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--latency-ms", type=int, action="append", metavar="MS",
        help=f"latency the reference gateway injects before every response; repeatable (default: {', '.join(map(str, LATENCIES_MS))})",
    )
    parser.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = parser.parse_args()
    latencies = sorted(set(args.latency_ms or LATENCIES_MS) | {0})  # 0 ms: the serial budget and the cost

    with tempfile.TemporaryDirectory() as tmp:
        runs = [run_suite(latency, workers, Path(tmp)) for latency in latencies for workers in WORKERS]
        core_run = run_suite(0, 1, Path(tmp), levels=("core",))
        alone = run_many(1, MANY_LATENCY_MS, 1, Path(tmp))
        many = [run_many(MANY_TARGETS, MANY_LATENCY_MS, workers, Path(tmp)) | {"one_target_s": alone["wall_s"]} for workers in MANY_WORKERS]
        for run in many:
            run["ratio"] = round(run["wall_s"] / alone["wall_s"], 2)
        hostile = hostile_run(Path(tmp))
    baseline_run = next(r for r in runs if r["latency_ms"] == 0 and r["workers"] == 1)
    spend = cost(baseline_run["records"], core_run["records"])
    overhead = client_overhead()
    slow_parallel = next((r for r in runs if r["latency_ms"] == 1000 and r["workers"] == 8), None)
    verdicts = {
        "serial_local_at_0ms": baseline_run["wall_s"] <= TARGETS["serial_local_budget_s"],
        "parallel_at_1000ms": None if slow_parallel is None else slow_parallel["ratio"] <= TARGETS["parallel_ratio"],
        "core_streaming_calls": spend["core_streaming"]["model_calls"] <= TARGETS["core_streaming_calls"],
        "core_streaming_tokens": spend["core_streaming"]["tokens"] <= TARGETS["core_streaming_tokens"],
        # The target is on the stream; the 5 MB image's ratio is shown beside it (see the README).
        "parse_validate_overhead": overhead["sse_1000_chunks"]["ratio"] <= TARGETS["parse_validate_ratio"],
        "ten_targets_one_critical_path": all(run["ratio"] <= TARGETS["ten_targets_ratio"] for run in many),
        "hostile_peak_memory": hostile["peak_mb"] <= TARGETS["hostile_peak_mb"],
    }
    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "targets": TARGETS,
        "runs": [{k: v for k, v in r.items() if k != "records"} for r in runs],
        "many_targets": many,
        "hostile": hostile,
        "cost": spend,
        "client_overhead": overhead,
        "verdicts": verdicts,
    }
    print(render(result))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    return 0


def render(result: dict) -> str:
    lines = [f"machine: {result['machine']['cpus']} CPUs, Python {result['machine']['python']}", ""]
    lines.append("| latency | workers | wall (s) | requests | ideal (s) | wall / ideal |")
    lines.append("|---:|---:|---:|---:|---:|---:|")
    for r in result["runs"]:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "–"
        lines.append(f"| {r['latency_ms']} ms | {r['workers']} | {r['wall_s']:.2f} | {r['http_requests']} | {r['ideal_s']:.2f} | {ratio} |")
    lines += ["", f"| {MANY_TARGETS} targets at {MANY_LATENCY_MS} ms | workers | wall (s) | requests | one target alone (s) | wall / one target |", "|---|---:|---:|---:|---:|---:|"]
    for r in result["many_targets"]:
        lines.append(f"| one run | {r['workers']} | {r['wall_s']:.2f} | {r['http_requests']} | {r['one_target_s']:.2f} | {r['ratio']:.2f} |")
    hostile = result["hostile"]
    lines += ["", "| against every hostile gateway | gateways | wall (s) | peak memory (MB) |", "|---|---:|---:|---:|",
              f"| one run | {hostile['gateways']} | {hostile['wall_s']:.2f} | {hostile['peak_mb']:.1f} |"]
    spend = result["cost"]
    lines += ["", "| cost on local | HTTP requests | billable calls | by kind | tokens |", "|---|---:|---:|---|---:|"]
    rows = [("full run", spend["run"]), ("run of core + streaming alone (`--level core`)", spend["core_streaming"])]
    rows += [(f"full run: checks of level {name}", c) for name, c in spend["per_level"].items()]
    for name, c in rows:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(c["by_kind"].items())) or "–"
        lines.append(f"| {name} | {c['http_requests']} | {c['model_calls']} | {kinds} | {c['tokens']} |")
    overhead = result["client_overhead"]
    lines += [
        "",
        "| client-side cost | parse + validate / json.loads |",
        "|---|---:|",
        f"| SSE stream, 1000 chunks | {overhead['sse_1000_chunks']['ratio']:.2f}x |",
        f"| image response, 5 MB | {overhead['image_5mb']['ratio']:.2f}x |",
        "",
        "targets met: " + ", ".join(f"{k} {'not measured' if v is None else 'yes' if v else 'NO'}" for k, v in result["verdicts"].items()),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
