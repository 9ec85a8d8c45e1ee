"""The engine behind recipes: each response fetched once per target, ahead of the checks that read it.

Real targets bill per call, so every check that can share a response does, and a run should take
about as long as its slowest chain of requests, not the sum of them. So a check does not send its
requests: it names the recipes it reads in its rule, and calls them::

    # conformance/recipes/common.py
    @recipe
    def text_stream(client, target):
        return client.stream(target.model("text"), bodies.text_request(target))

    # conformance/checks/streaming.py
    from conformance.recipes.common import text_stream

    @rule("STREAM-01", ..., reads=text_stream)
    def event_stream_content_type():
        exchange = text_stream()

Before the first check of a target runs, the suite starts every recipe its selected, applicable
checks read (``plan``), concurrently. Calling a recipe inside a check waits for its response, so a
timeout or an unreachable gateway is that check's outcome, and the response's cost is charged to the
first check that reads it. A check that calls a recipe its rule does not name is an error: the plan
would not have fetched it ahead.

A recipe's parameters are, by name: ``client``, ``target``, ``responses`` (to continue another
recipe's response: ``responses.read(other_recipe)``), ``sdk``, ``rate_limited_key``, ``upstream``,
and any parameter the checks that read it are parametrized by (``placement``, ``case``, ...): one
response per value, taken from the reading check's parametrization (a check that reads such a recipe
but has no such parameter is an error at collection). ``recipe(fetch, name=..., case="wrong_key")``
fixes such a parameter under a name of its own (a parameter with a default keeps it unless fixed),
and ``recipe(fetch, name=..., each=[{"text": t} for t in TEXTS])`` makes one response per set of
parameters, fetched side by side, read as a list. A response whose timing a check judges is fetched
``alone=True``: while nothing else of the target is in flight, since the suite's own load (the
reference gateways run in its process) would otherwise show in the timing. A response that takes
long by design (a scripted minute of silence) is fetched ``first=True``: before anything else, so
the run lasts about as long as it, not as long as everything before it plus it.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.client.ledger import Ledger, LedgerEntry
from conformance.outcomes import RequestTimedOut, without_frames

# What a recipe may name besides the parameters of the checks that read it.
CONTEXT = frozenset({"client", "target", "responses", "sdk", "rate_limited_key", "upstream"})


@dataclass(frozen=True)
class Recipe:
    """A named request (or chain of requests) whose response checks read; call it inside a check."""

    name: str
    fetch: Callable[..., Any] = field(compare=False)
    fixed: tuple[tuple[str, Any], ...]  # parameters the recipe itself fixes
    chosen: tuple[str, ...]  # parameters the reading check's parametrization chooses
    context: tuple[str, ...]  # what it needs of the target's session (CONTEXT)
    each: tuple[tuple[tuple[str, Any], ...], ...] | None = None  # one response per set of parameters
    alone: bool = False  # fetched while no other response of the target is in flight
    first: bool = False  # a long wait by design: fetched before any other response of the target

    def __call__(self) -> Any:
        """The response, as the check being run reads it (waits for it; raises what fetching raised)."""
        reading = _READING.get(None)
        if reading is None:
            raise RuntimeError(f"recipe {self.name} is read outside a check (a recipe continuing another uses responses.read)")
        if not any(declared is self for declared in reading.reads):
            raise RuntimeError(f"check {reading.check} reads recipe {self.name} but its rule does not name it in reads=")
        return reading.responses.fetched(self, {p: reading.params[p] for p in self.chosen})

    def variants(self, chosen: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The parameters of each response this recipe reads as one."""
        if self.each is None:
            return [dict(chosen)]
        return [{**chosen, **dict(variant)} for variant in self.each]

    @property
    def fixed_params(self) -> dict[str, Any]:
        return dict(self.fixed)

    def key(self, chosen: Mapping[str, Any]) -> tuple:
        """Two recipes with one fetch and the same parameters are one response (one fetched alone
        is a response of its own)."""
        return (self.fetch, self.alone, *sorted({**self.fixed_params, **chosen}.items()))

    def __repr__(self) -> str:
        return f"<recipe {self.name}>"


def recipe(
    fetch: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    each: Iterable[Mapping[str, Any]] | None = None,
    alone: bool = False,
    first: bool = False,
    **fixed: Any,
) -> Any:
    """Make ``fetch`` a recipe (named after it, or ``name``): as a decorator, or called with the
    parameters it fixes."""

    def make(fetch: Callable[..., Any]) -> Recipe:
        variants = tuple(tuple(sorted(variant.items())) for variant in each) if each is not None else None
        varied = {param for variant in variants or () for param, _ in variant}
        signature = inspect.signature(fetch).parameters
        parameters = [p for p in signature if p not in fixed and p not in varied]
        defaulted = {p for p in parameters if signature[p].default is not inspect.Parameter.empty}
        made = Recipe(
            name or fetch.__name__,
            fetch,
            tuple(sorted(fixed.items())),
            tuple(p for p in parameters if p not in CONTEXT and p not in defaulted),
            tuple(p for p in parameters if p in CONTEXT),
            variants,
            alone,
            first,
        )
        hash((made.key({}), variants))  # parameters must be hashable: they tell responses apart
        return made

    return make(fetch) if fetch is not None else make


# The plan: which responses a target's checks will read.


def unmatched(recipe: Recipe, params: Mapping[str, Any]) -> list[str]:
    """The parameters ``recipe`` takes from its reader that the reader's parametrization lacks."""
    return [p for p in recipe.chosen if p not in params]


def plan(checks: Iterable[tuple[tuple[Recipe, ...], Mapping[str, Any]]]) -> list[tuple[Recipe, dict[str, Any]]]:
    """Each response these checks will read (given as the recipes each reads and its parameters),
    once, in the order of first reading (those fetched ``first`` before the rest). A recipe its reader
    cannot parametrize is not planned (collection stops at it: see ``unmatched``)."""
    wanted: dict[tuple, tuple[Recipe, dict[str, Any]]] = {}
    for reads, params in checks:
        for read in reads:
            if unmatched(read, params):
                continue
            for chosen in read.variants({p: params[p] for p in read.chosen}):
                wanted.setdefault(read.key(chosen), (read, chosen))
    return sorted(wanted.values(), key=lambda planned: not planned[0].first)


# Reading: which check runs now, so that calling a recipe finds its target's responses.


@dataclass(frozen=True)
class Reading:
    responses: TargetResponses
    params: Mapping[str, Any]  # the check's parametrization
    check: str
    reads: tuple[Recipe, ...]  # what its rule says it reads


_READING: ContextVar[Reading | None] = ContextVar("conformance_reading", default=None)


@contextmanager
def reading(responses: TargetResponses, params: Mapping[str, Any], check: str, reads: tuple[Recipe, ...]) -> Iterator[None]:
    token = _READING.set(Reading(responses, params, check, reads))
    try:
        yield
    finally:
        _READING.reset(token)


class MadeOnFirstUse:
    """A context value made when a recipe first needs it (the SDK is imported only then)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._outcome: tuple[Any, BaseException | None] | None = None

    def get(self) -> Any:
        with self._lock:
            if self._outcome is None:
                try:
                    self._outcome = (self._make(), None)
                except (Exception, pytest.skip.Exception) as error:
                    self._outcome = (None, error)
        value, error = self._outcome
        if error is not None:
            raise error
        return value


@dataclass
class _Fetch:
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None
    cost: list[LedgerEntry] = field(default_factory=list)


class TargetResponses:
    """The responses of one target's recipes: each fetched once, ahead of the checks that read it.

    ``prefetch`` starts the recipes the selected checks will read, at most ``concurrency`` at a time
    (the client's own cap bounds requests in flight as well). A check that reads a response nobody has
    started fetches it itself; one that reads a response still in flight waits for it. What fetching a
    response cost is charged to the first check that reads it, as if that check had sent it.
    """

    def __init__(self, client: Any, target: Any, context: Mapping[str, Any] | None = None, ledger: Ledger | None = None) -> None:
        self.client = client
        self.target = target
        self.ledger = ledger if ledger is not None else client.ledger  # the run's, where costs are charged
        self._context: dict[str, Any] = {"client": client, "target": target, "responses": self, **(context or {})}
        self._lock = threading.Lock()
        self._quiet = threading.Condition()
        self._busy = 0  # fetches in flight
        self._alone = False  # one of them is fetched alone
        self._fetching = threading.local()  # how deep this thread is in fetches (a chain reads others)
        self._fetches: dict[tuple, _Fetch] = {}
        self._pool: ThreadPoolExecutor | None = None

    # Reading.

    def read(self, recipe: Recipe, **chosen: Any) -> Any:
        """The response of ``recipe`` (a recipe continuing another's response reads it this way)."""
        return self.fetched(recipe, chosen)

    def fetched(self, recipe: Recipe, chosen: Mapping[str, Any]) -> Any:
        if recipe.each is not None:
            variants = recipe.variants(chosen)
            if self._pool is not None:  # side by side, when the run fetches ahead
                for variant in variants:
                    self._pool.submit(self._fetch_unless_started, recipe, variant)
            return [self._fetched_one(recipe, variant) for variant in variants]
        return self._fetched_one(recipe, chosen)

    def _fetched_one(self, recipe: Recipe, chosen: Mapping[str, Any]) -> Any:
        fetch = self._fetch_unless_started(recipe, chosen)
        bound = self._longest_wait()
        if not fetch.done.wait(bound):
            # Every exchange has its deadline, so this is a recipe stuck elsewhere: the check that
            # reads it times out, and the run goes on.
            raise RequestTimedOut(elapsed=bound or 0.0, bound=bound or 0.0, what=f"recipe {recipe.name}: no response", curl="")
        self._charge(fetch)
        if fetch.error is not None:
            # Every reader raises the same exception: without its old traceback, which would otherwise
            # grow by each reader's frames (a hundred checks of an unreachable gateway took 13 s).
            raise fetch.error.with_traceback(None)
        return fetch.value

    # Fetching ahead.

    def _longest_wait(self) -> float | None:
        """How long a check waits for a response: twenty-five of the target's longest exchanges (a
        recipe may page through a model list), plus its retry budget. None without a target."""
        timeouts, retries = getattr(self.target, "timeouts", None), getattr(self.target, "retries", None)
        if timeouts is None:
            return None
        return (timeouts.connect + max(timeouts.read, timeouts.image)) * 25 + getattr(retries, "budget_s", 0.0)

    def prefetch(self, wanted: list[tuple[Recipe, dict[str, Any]]], concurrency: int) -> None:
        if not wanted:
            return
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=f"prefetch-{getattr(self.target, 'name', '')}")
        for recipe, chosen in wanted:
            self._pool.submit(self._fetch_unless_started, recipe, chosen)

    def close(self) -> None:
        """Stop fetching ahead, and charge what no check read to the run anyway: it was spent."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for fetch in list(self._fetches.values()):
            if fetch.done.is_set():
                self._charge(fetch)

    def _fetch_unless_started(self, recipe: Recipe, chosen: Mapping[str, Any]) -> _Fetch:
        fetch, mine = self._start(recipe.key(chosen))
        if mine:
            self._run(lambda: self._call(recipe, chosen), fetch, recipe.alone)
        return fetch

    def _call(self, recipe: Recipe, chosen: Mapping[str, Any]) -> Any:
        arguments = {name: self.context(name) for name in recipe.context}
        return recipe.fetch(**arguments, **recipe.fixed_params, **chosen)

    def _start(self, key: tuple) -> tuple[_Fetch, bool]:
        with self._lock:
            if key in self._fetches:
                return self._fetches[key], False
            fetch = self._fetches[key] = _Fetch()
            return fetch, True

    def _run(self, call: Callable[[], Any], fetch: _Fetch, alone: bool) -> None:
        with self._in_flight(alone), self.ledger.collecting() as cost:
            try:
                fetch.value = call()
            except (Exception, pytest.skip.Exception) as error:  # every reader gets the same outcome
                fetch.error = without_frames(error)  # kept until the target's last check
        fetch.cost = cost
        fetch.done.set()

    @contextmanager
    def _in_flight(self, alone: bool) -> Iterator[None]:
        """Count a fetch in flight; one ``alone`` waits until none is, and holds the others back."""
        inside = getattr(self._fetching, "depth", 0)
        if alone and inside:
            raise RuntimeError("a recipe fetched alone cannot be read by another recipe: it would wait for it")
        self._fetching.depth = inside + 1
        with self._quiet:
            self._quiet.wait_for(lambda: not self._alone and (not alone or self._busy == 0))
            self._busy += 1
            self._alone = alone
        try:
            yield
        finally:
            self._fetching.depth = inside
            with self._quiet:
                self._busy -= 1
                self._alone = False
                self._quiet.notify_all()

    def _charge(self, fetch: _Fetch) -> None:
        with self._lock:
            cost, fetch.cost = fetch.cost, []
        self.ledger.charge(cost)

    def context(self, name: str) -> Any:
        """What a recipe names as a parameter: client, target, responses, or a value made on first use."""
        value = self._context[name]
        return value.get() if isinstance(value, MadeOnFirstUse) else value
