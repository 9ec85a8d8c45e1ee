"""Dealing a run's targets to xdist workers: every check of a target in one worker, where its
responses are fetched once, and no more workers than targets.

A pytest plugin of its own, registered by conformance.plugin as the run configures; the plugin calls
``no_idle_workers`` then too, before xdist reads the worker list.
"""

from __future__ import annotations

import functools

import pytest

from conformance.run_state import TARGETS, targets_of

_workers_note = pytest.StashKey[str]()


def no_idle_workers(config: pytest.Config) -> None:
    """Start no more xdist workers than there are targets: a target's checks all run in one worker
    (they share its responses and its rate limit), so any more would only start, collect and wait.
    One target runs in this process. Runs before xdist reads the worker list (it configures last)."""
    requested = len(getattr(config.option, "tx", None) or ())
    if hasattr(config, "workerinput") or getattr(config.option, "dist", "no") == "no" or requested <= 1:
        return
    targets = len(config.stash[TARGETS])
    if targets >= requested:
        return
    if targets <= 1:
        config.option.numprocesses, config.option.dist, config.option.tx = 0, "no", []
        config.stash[_workers_note] = f"-n {requested}: one target, so its checks run in this process (a target's checks share one worker)"
    else:
        config.option.numprocesses, config.option.tx = targets, config.option.tx[:targets]
        config.stash[_workers_note] = f"-n {requested}: {targets} targets, so {targets} workers (a target's checks share one worker)"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """Tell each xdist worker how the controller hands out checks (a worker's own dist is "no")."""
    node.workerinput["conformance_dist"] = node.config.getoption("dist")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """--dist=loadgroup, by target: every check of a target goes to one worker, where its responses
    are fetched once. xdist groups by an "@group" suffix it writes into node ids, which pytest 9.2 no
    longer lets a plugin change: each target's checks were spread over the workers, and each worker
    fetched the target's responses again (twice the bill with -n 2). The target is read from the
    check's own id instead, on every pytest the project allows. Each worker is given its targets
    all at once, as ``targets_by_worker`` says, so it knows them from its collection on and fetches
    them side by side, as a serial run does: ten slow targets over two workers cost about one
    critical path, not five."""
    if config.getoption("dist") != "loadgroup" or not targets_of(config):
        return None  # not a conformance run: xdist schedules as it would
    from xdist.scheduler import LoadScopeScheduling

    names = target_names(config)
    # A check's scope, read from its id once: xdist asks again for every report.
    scope_of = functools.cache(lambda nodeid: target_in(nodeid, names) or nodeid)

    class ByTarget(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

        def schedule(self) -> None:
            if self.collection is not None or not self._check_nodes_have_same_collection():
                return super().schedule()
            self.collection = list(next(iter(self.registered_collections.values())))
            checks = scopes_of(self.collection, names)
            workers = {node.gateway.id: node for node in self.nodes}
            for worker, scopes in enumerate(dealt(list(checks), len(workers))):
                node = workers[f"gw{worker}"]
                index = {nodeid: at for at, nodeid in enumerate(self.registered_collections[node])}
                for scope in scopes:
                    self.assigned_work.setdefault(node, {})[scope] = dict.fromkeys(checks[scope], False)
                    node.send_runtest_some([index[nodeid] for nodeid in checks[scope]])
            for node in self.nodes:
                node.shutdown()  # it has all its work: it ends when that is done

    return ByTarget(config, log)


def target_names(config: pytest.Config) -> list[str]:
    """The run's target names, longest first: "local-aione" is found in a check's id before "local"."""
    return sorted(targets_of(config), key=len, reverse=True)


def scopes_of(nodeids: list[str], names: list[str]) -> dict[str, list[str]]:
    """The checks of each scope (a target; a check without one is a scope of its own), the scopes in
    order of first appearance."""
    scopes: dict[str, list[str]] = {}
    for nodeid in nodeids:
        scopes.setdefault(target_in(nodeid, names) or nodeid, []).append(nodeid)
    return scopes


def dealt(scopes: list[str], workers: int) -> list[list[str]]:
    """Scopes dealt to xdist workers, in order, round: the controller schedules by it and each worker
    reads its own share from its collection, which is the controller's."""
    return [scopes[worker::workers] for worker in range(workers)]


def targets_by_worker(nodeids: list[str], names: list[str], workers: int) -> list[list[str]]:
    """Which targets (scopes) each xdist worker runs."""
    return dealt(list(scopes_of(nodeids, names)), workers)


def target_in(nodeid: str, names: list[str]) -> str | None:
    """The target a check's node id runs on: the id of its parameters starts with the target's name
    (the plugin parametrizes the target first), possibly followed by xdist's "@group"."""
    start, end = nodeid.find("["), nodeid.rfind("]")
    if start < 0 or end < start:
        return None
    params = nodeid[start + 1 : end]
    return next((name for name in names if params == name or params.startswith(name + "-")), None)


def runs_whole_targets(config: pytest.Config) -> bool:
    """Every check of a target runs in this process: serial, or workers given a target each
    (--dist=loadgroup). Only then may a target's responses be fetched ahead for all its checks."""
    workerinput = getattr(config, "workerinput", None)
    return workerinput is None or workerinput.get("conformance_dist") == "loadgroup"


def pytest_report_header(config: pytest.Config) -> str | None:
    return config.stash.get(_workers_note, None)


def targets_of_this_process(session: pytest.Session) -> set[str]:
    """All targets when this process runs every check; a worker's share when targets are dealt to
    workers (pytest_xdist_make_scheduler); none when checks are handed out one by one."""
    names = target_names(session.config)
    workerinput = getattr(session.config, "workerinput", None)
    if workerinput is None:
        return set(names)
    if workerinput.get("conformance_dist") != "loadgroup":
        return set()
    worker = int(workerinput["workerid"].removeprefix("gw"))
    return set(targets_by_worker([item.nodeid for item in session.items], names, workerinput["workercount"])[worker])
