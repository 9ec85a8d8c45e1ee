"""Recipes: the named requests whose responses checks read, each fetched once per target.

Real targets bill per call, so every check that can share a response does, and a run should take
about as long as its slowest chain of requests, not the sum of them. So a check does not send its
requests; it names a recipe as a parameter::

    @recipe
    def stop_sequence_answer(client, target):
        return client.generate(target.model("text"), requests.stop_sequence_request(target))

    @rule("CFG-03", ...)
    def stop_sequences(stop_sequence_answer):
        exchange = stop_sequence_answer()
        ...

Before the first check of a target runs, the suite starts every recipe its selected, applicable
checks name (a pytest fixture per recipe tells it which), concurrently. The check's parameter is a
handle: calling it waits for the response, inside the check, so a timeout or an unreachable gateway
is that check's outcome, and the response's cost is charged to the first check that reads it.

A recipe's parameters are, by name: ``client``, ``target``, ``responses`` (to continue another
recipe's response), ``sdk``, ``rate_limited_key``, ``upstream``, and any parameter the checks that
read it are parametrized by (``placement``, ``case``, ...): one response per value. ``recipe(fetch,
name=..., case="wrong_key")`` fixes such a parameter under a name of its own (a parameter with a
default keeps it unless fixed), and ``recipe(fetch, name=..., each=[{"text": t} for t in TEXTS])``
makes one response per set of parameters, fetched side by side, read as a list. A response whose
timing a check judges is fetched ``alone=True``: while nothing else of the target is in flight, since the
suite's own load (the reference gateways run in its process) would otherwise show in the timing.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance import requests
from conformance.client.http import LEDGER, NO_KEY, Exchange, GeminiClient, LedgerEntry
from conformance.targets import Target

# What a recipe may name besides the parameters of the checks that read it.
CONTEXT = frozenset({"client", "target", "responses", "sdk", "rate_limited_key", "upstream"})

UNKNOWN_MODEL = "gemini-conformance-no-such-model"
WRONG_KEY = "gc-wrong-key-0000000000000000"


def _missing_key(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(target.model("text"), requests.tiny_request(target), auth=NO_KEY)


def _wrong_key(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(target.model("text"), requests.tiny_request(target), key=WRONG_KEY)


def _unknown_model(client: GeminiClient, target: Target) -> Exchange:
    return client.generate(UNKNOWN_MODEL, requests.tiny_request(target))


def _missing_contents(client: GeminiClient, target: Target) -> Exchange:
    body = requests.tiny_request(target)
    del body["contents"]
    return client.generate(target.model("text"), body)


def _malformed_json(client: GeminiClient, target: Target) -> Exchange:
    return client.action(target.model("text"), "generateContent", raw_body=b'{"contents": [{"parts": [')


def _bad_role(client: GeminiClient, target: Target) -> Exchange:
    body = requests.tiny_request(target)
    body["contents"][0]["role"] = "assistant"
    return client.generate(target.model("text"), body)


# Requests a gateway must reject, by name. Each is cheap: rejected before any model runs.
REJECTED_REQUESTS: dict[str, Callable[[GeminiClient, Target], Exchange]] = {
    "missing_key": _missing_key,
    "wrong_key": _wrong_key,
    "unknown_model": _unknown_model,
    "missing_contents": _missing_contents,
    "malformed_json": _malformed_json,
    "bad_role": _bad_role,
}


@dataclass(frozen=True)
class Recipe:
    name: str
    fetch: Callable[..., Any] = field(compare=False)
    fixed: tuple[tuple[str, Any], ...]  # parameters the recipe itself fixes
    chosen: tuple[str, ...]  # parameters the reading check's parametrization chooses
    context: tuple[str, ...]  # what it needs of the target's session (CONTEXT)
    each: tuple[tuple[tuple[str, Any], ...], ...] | None = None  # one response per set of parameters
    alone: bool = False  # fetched while no other response of the target is in flight

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


RECIPES: dict[str, Recipe] = {}


def recipe(
    fetch: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    each: Iterable[Mapping[str, Any]] | None = None,
    alone: bool = False,
    **fixed: Any,
) -> Any:
    """Register ``fetch`` as a recipe and make it a pytest fixture (of its name, or ``name``) whose
    value is the handle a check calls."""

    def register(fetch: Callable[..., Any]) -> Any:
        recipe_name = name or fetch.__name__
        variants = tuple(tuple(sorted(variant.items())) for variant in each) if each is not None else None
        varied = {param for variant in variants or () for param, _ in variant}
        signature = inspect.signature(fetch).parameters
        parameters = [p for p in signature if p not in fixed and p not in varied]
        defaulted = {p for p in parameters if signature[p].default is not inspect.Parameter.empty}
        made = Recipe(
            recipe_name,
            fetch,
            tuple(sorted(fixed.items())),
            tuple(p for p in parameters if p not in CONTEXT and p not in defaulted),
            tuple(p for p in parameters if p in CONTEXT),
            variants,
            alone,
        )
        hash((made.key({}), variants))  # parameters must be hashable: they tell responses apart
        known = RECIPES.get(recipe_name)
        if known is not None and (known.fetch.__module__, known.fetch.__qualname__) != (fetch.__module__, fetch.__qualname__):
            raise ValueError(f"recipe {recipe_name} is already {known.fetch.__module__}.{known.fetch.__qualname__}")
        RECIPES[recipe_name] = made

        def handle(responses: SharedResponses, request: pytest.FixtureRequest) -> Pending:
            return Pending(responses, made, {p: request.getfixturevalue(p) for p in made.chosen})

        handle.__doc__ = fetch.__doc__
        return pytest.fixture(name=recipe_name)(handle)

    return register(fetch) if fetch is not None else register


class Pending:
    """A recipe's response as a check sees it: call it to get the response (or its exception)."""

    def __init__(self, responses: SharedResponses, recipe: Recipe, chosen: dict[str, Any]) -> None:
        self._responses = responses
        self._recipe = recipe
        self._chosen = chosen

    def __call__(self) -> Any:
        return self._responses.fetched(self._recipe, self._chosen)

    def __repr__(self) -> str:
        chosen = ", ".join(f"{k}={v!r}" for k, v in self._chosen.items())
        return f"<recipe {self._recipe.name}({chosen})>"


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
class _Shared:
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None
    cost: list[LedgerEntry] = field(default_factory=list)


class SharedResponses:
    """The responses of one target's recipes: each fetched once, ahead of the checks that read it.

    ``prefetch`` starts the recipes the selected checks will read, at most ``concurrency`` at a time
    (the client's own cap bounds requests in flight as well). A check that reads a response nobody has
    started fetches it itself; one that reads a response still in flight waits for it. What fetching a
    response cost is charged to the first check that reads it, as if that check had sent it.
    """

    def __init__(self, client: GeminiClient, target: Target, context: Mapping[str, Any] | None = None) -> None:
        self.client = client
        self.target = target
        self._context: dict[str, Any] = {"client": client, "target": target, "responses": self, **(context or {})}
        self._lock = threading.Lock()
        self._quiet = threading.Condition()
        self._busy = 0  # fetches in flight
        self._alone = False  # one of them is fetched alone
        self._fetching = threading.local()  # how deep this thread is in fetches (a chain reads others)
        self._shared: dict[tuple, _Shared] = {}
        self._pool: ThreadPoolExecutor | None = None

    # Reading.

    def read(self, name: str, **chosen: Any) -> Any:
        """The response of the recipe ``name`` (a chain reads the response it continues this way)."""
        return self.fetched(RECIPES[name], chosen)

    def fetched(self, recipe: Recipe, chosen: Mapping[str, Any]) -> Any:
        if recipe.each is not None:
            variants = recipe.variants(chosen)
            if self._pool is not None:  # side by side, when the run fetches ahead
                for variant in variants:
                    self._pool.submit(self._fetch_unless_started, recipe, variant)
            return [self._fetched_one(recipe, variant) for variant in variants]
        return self._fetched_one(recipe, chosen)

    def _fetched_one(self, recipe: Recipe, chosen: Mapping[str, Any]) -> Any:
        shared = self._fetch_unless_started(recipe, chosen)
        shared.done.wait()
        self._charge(shared)
        if shared.error is not None:
            raise shared.error
        return shared.value

    # Fetching ahead.

    def prefetch(self, wanted: list[tuple[Recipe, dict[str, Any]]], concurrency: int) -> None:
        if not wanted:
            return
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=f"prefetch-{self.target.name}")
        for recipe, chosen in wanted:
            self._pool.submit(self._fetch_unless_started, recipe, chosen)

    def close(self) -> None:
        """Stop fetching ahead, and charge what no check read to the run anyway: it was spent."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for shared in list(self._shared.values()):
            if shared.done.is_set():
                self._charge(shared)

    def _fetch_unless_started(self, recipe: Recipe, chosen: Mapping[str, Any]) -> _Shared:
        shared, mine = self._start(recipe.key(chosen))
        if mine:
            self._fetch(lambda: self._call(recipe, chosen), shared, recipe.alone)
        return shared

    def _call(self, recipe: Recipe, chosen: Mapping[str, Any]) -> Any:
        arguments = {name: self.context(name) for name in recipe.context}
        return recipe.fetch(**arguments, **recipe.fixed_params, **chosen)

    def _start(self, key: tuple) -> tuple[_Shared, bool]:
        with self._lock:
            if key in self._shared:
                return self._shared[key], False
            shared = self._shared[key] = _Shared()
            return shared, True

    def _fetch(self, fetch: Callable[[], Any], shared: _Shared, alone: bool) -> None:
        with self._in_flight(alone), LEDGER.collecting() as cost:
            try:
                shared.value = fetch()
            except (Exception, pytest.skip.Exception) as error:  # every reader gets the same outcome
                shared.error = error
        shared.cost = cost
        shared.done.set()

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

    def _charge(self, shared: _Shared) -> None:
        with self._lock:
            cost, shared.cost = shared.cost, []
        LEDGER.charge(cost)

    def context(self, name: str) -> Any:
        """What a recipe names as a parameter: client, target, responses, or a value made on first use."""
        value = self._context[name]
        return value.get() if isinstance(value, MadeOnFirstUse) else value


FIRST_MODEL_PAGE_SIZE = 2
MODEL_PAGE_SIZE = 100
MAX_MODEL_PAGES = 20


def next_page_token(page: Exchange) -> str | None:
    """The page's nextPageToken as sent ("" included), None when absent or unreadable."""
    body = page.json if page.status == 200 and page.is_json else None
    token = body.get("nextPageToken") if isinstance(body, dict) else None
    return token if isinstance(token, str) else None


def embedding_model(target: Target) -> str:
    return target.model("embedding") or target.model("text") or UNKNOWN_MODEL


# Every action the suite knows, each as its cheapest valid request. The first five are ones a target
# may declare; the rest are Google endpoints no seed gateway offers, probed to see how they're refused.
ACTION_REQUESTS: dict[str, Callable[[GeminiClient, Target], Exchange]] = {
    "countTokens": lambda c, t: c.action(t.model("text"), "countTokens", requests.count_tokens_request()),
    "embedContent": lambda c, t: c.action(embedding_model(t), "embedContent", requests.embed_request(embedding_model(t))),
    "batchEmbedContents": lambda c, t: c.action(
        embedding_model(t), "batchEmbedContents", requests.batch_embed_request(embedding_model(t))
    ),
    "listModels": lambda c, t: c.get("models"),
    "getModel": lambda c, t: c.get(f"models/{t.model('text')}"),
    "predict": lambda c, t: c.action(t.model("text"), "predict", {"instances": [{"prompt": "a red square"}]}),
    "batchGenerateContent": lambda c, t: c.action(
        t.model("text"), "batchGenerateContent", {"batch": {"input_config": {"requests": {"requests": []}}}}
    ),
    "files": lambda c, t: c.get("files"),
    "cachedContents": lambda c, t: c.get("cachedContents"),
}
