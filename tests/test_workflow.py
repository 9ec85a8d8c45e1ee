"""The nightly workflow runs every real target with its key, and merges what the jobs leave."""

from __future__ import annotations

import yaml

from conformance.targets import load_targets
from tests.harness import REPO


def test_every_real_target_runs_nightly_with_its_key_from_secrets():
    workflow = yaml.safe_load((REPO / ".github/workflows/nightly.yml").read_text())
    job = workflow["jobs"]["conformance"]
    targets = load_targets(REPO / "targets.yaml")
    real = {name for name, t in targets.items() if t.reference is None}
    assert real <= set(job["strategy"]["matrix"]["target"])
    run_step = next(step for step in job["steps"] if step.get("name") == "Conformance run")
    for name in real:
        variable = targets[name].api_key_env
        assert run_step["env"][variable] == f"${{{{ secrets.{variable} }}}}"
    assert "--baseline=baseline/results.json" in run_step["run"]
    merge = next(step for step in workflow["jobs"]["report"]["steps"] if step.get("name") == "One merged report")
    assert "python -m conformance merge" in merge["run"]
