"""The rule registry: every check is a small named function registered here by ``@rule``.

A rule has a stable id (``AREA-NN``), a level (MUST / SHOULD), a one-line statement, the document it
comes from, and what the target must declare for the rule to apply. The decorated function is the
check: pytest collects it by its plain name (``cumulative_usage``), so report lines read as English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from conformance.sources import Source

if TYPE_CHECKING:
    from conformance.recipes.engine import Recipe

F = TypeVar("F", bound=Callable[..., object])

RULE_ID = re.compile(r"^[A-Z]+-[0-9]{2,}$")


class Requirement(str, Enum):
    """How binding a rule is (RFC 2119). Not to be confused with a conformance level (levels.py)."""

    MUST = "MUST"
    SHOULD = "SHOULD"

    def __str__(self) -> str:
        return self.value


MUST = Requirement.MUST
SHOULD = Requirement.SHOULD


@dataclass(frozen=True, slots=True)
class Needs:
    """What a target must declare in targets.yaml for a rule to apply (otherwise: skipped)."""

    actions: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    models: tuple[str, ...] = ()  # model roles: text, image, embedding, thinking
    absent_features: tuple[str, ...] = ()  # the rule is about targets that do NOT offer these

    def __add__(self, other: Needs) -> Needs:
        return Needs(
            self.actions + other.actions,
            self.features + other.features,
            self.models + other.models,
            self.absent_features + other.absent_features,
        )


GENERATE = Needs(actions=("generateContent",), models=("text",))
STREAM = Needs(actions=("streamGenerateContent",), features=("sse",), models=("text",))
IMAGE = Needs(actions=("generateContent",), models=("image",))
NOTHING = Needs()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Requirement
    title: str
    sources: tuple[Source, ...]
    needs: Needs
    area: str
    check: str  # the function that checks it
    module: str = field(default="", compare=False)
    reads: tuple[Recipe, ...] = field(default=(), compare=False)  # the recipes whose responses it judges


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    level: Requirement,
    title: str,
    *,
    source: Source | tuple[Source, ...],
    needs: Needs = NOTHING,
    reads: Recipe | tuple[Recipe, ...] = (),
) -> Callable[[F], F]:
    """Register the decorated function as the check for ``rule_id``; ``reads`` names the recipes
    (``conformance/recipes/``) whose responses the check judges, fetched ahead of it."""
    if not RULE_ID.match(rule_id):
        raise ValueError(f"rule id {rule_id!r} must look like AREA-01")
    sources = source if isinstance(source, tuple) else (source,)
    recipes = reads if isinstance(reads, tuple) else (reads,)

    def register(check: F) -> F:
        module = check.__module__
        known = RULES.get(rule_id)
        if known is not None and (known.module, known.check) != (module, check.__name__):
            raise ValueError(f"rule {rule_id} is already checked by {known.module}.{known.check}")
        RULES[rule_id] = Rule(
            id=rule_id,
            level=level,
            title=title,
            sources=sources,
            needs=needs,
            area=module.rsplit(".", 1)[-1],
            check=check.__name__,
            module=module,
            reads=recipes,
        )
        check.conformance_rule = RULES[rule_id]  # type: ignore[attr-defined]
        # pytest collects any function whose __test__ is True, whatever its name.
        check.__test__ = True  # type: ignore[attr-defined]
        return _reading_its_target(check)

    return register


def _reading_its_target(check: Any) -> Any:
    """Every check runs once per target, with its target's responses at hand (conformance/fixtures.py)."""
    import pytest

    return pytest.mark.usefixtures("reading")(check)


def rule_of(function: object) -> Rule | None:
    return getattr(function, "conformance_rule", None)


def load_all_rules() -> dict[str, Rule]:
    """Import every check module so the registry is complete (for catalogues and self-tests)."""
    import importlib
    import pkgutil

    import conformance.checks as checks

    for module in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{module.name}")
    return dict(sorted(RULES.items()))
