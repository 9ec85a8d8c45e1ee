"""Conformance levels: what a certificate says a target reached.

``core`` is every MUST rule of the areas every Gemini-native gateway must get right. Each further
level is a feature family a target may declare; it is claimed only by targets that declare it, and
reached only when every MUST rule of its areas that applies to the target ran and passed (declared
deviations aside, which are listed). A skip for a missing key or a timeout keeps a level unreached:
a level is never reported from checks that did not run.

Levels are judged from results.json's records and the target's declarations as recorded there, once,
when the run's results are written; every report reads the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from conformance.outcomes import BROKEN_VALUES, Outcome, SkipKind
from conformance.rules import MUST, Rule

# A target's declarations as results.json records them (conformance.report.results.declarations).
Declared = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    description: str
    areas: tuple[str, ...]
    claimed_by: Callable[[Declared], bool]

    def rules(self, rules: dict[str, Rule]) -> list[Rule]:
        return [rule for rule in rules.values() if rule.area in self.areas and rule.level is MUST]


def _always(declared: Declared) -> bool:
    return True


def _feature(name: str) -> Callable[[Declared], bool]:
    return lambda declared: name in declared["features"]


def _model(role: str) -> Callable[[Declared], bool]:
    return lambda declared: declared["models"].get(role) is not None


def _any_action(*actions: str) -> Callable[[Declared], bool]:
    return lambda declared: any(action in declared["actions"] for action in actions)


LEVELS: tuple[Level, ...] = (
    Level(
        "core",
        "auth, generateContent, SSE streaming, errors, unsupported actions and timeouts: what every "
        "Gemini-native gateway must get right for the official SDKs to work",
        ("auth", "generate", "streaming", "framing", "shape", "casing", "errors", "unsupported", "timeouts"),
        _always,
    ),
    Level("generation-config", "generationConfig is honoured", ("config",), _always),
    Level("images", "image models: inline images, aspect ratio and size, streaming as documented", ("images",), _model("image")),
    Level("multimodal", "inline media input and request size limits", ("multimodal",), _feature("inline_images")),
    Level("tools", "function calling round trips", ("tools",), _feature("function_calling")),
    Level("thinking", "thinking budgets, levels, thought parts and their tokens", ("thinking",), _feature("thinking")),
    Level(
        "actions",
        "countTokens, embeddings and model listing in Google's shapes",
        ("actions",),
        _any_action("countTokens", "embedContent", "batchEmbedContents", "listModels", "getModel"),
    ),
    Level("sdk", "the official google-genai SDK works unchanged", ("sdk", "versions"), _always),
    Level("openai-image-bridge", "AIone's OpenAI-compatible image route", ("openai_bridge",), _feature("openai_image_bridge")),
    Level("fidelity", "a relaying gateway passes the upstream's answers and the client's requests through intact", ("fidelity",), _feature("fidelity")),
)


def level_results(records: list[dict[str, Any]], declared: Declared | None, chosen: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Per level: is it claimed by the target's declarations, what is its result, and the counts of
    its MUST rules' checks that apply. ``chosen``: --level, the only levels the run checked."""
    from conformance.rules import load_all_rules

    rules = load_all_rules()
    results: dict[str, dict[str, Any]] = {}
    for level in LEVELS:
        ids = {rule.id for rule in level.rules(rules)}
        if not ids:
            continue
        applicable = [r for r in records if r["rule"] in ids and r.get("skip") != SkipKind.NOT_DECLARED.value]
        counts = {o.value: sum(r["outcome"] == o.value for r in applicable) for o in Outcome}
        never_ran = sorted(ids - {r["rule"] for r in records if r["rule"] in ids})
        claimed = declared is not None and level.claimed_by(declared)
        results[level.name] = {
            "claimed": claimed,
            "result": "not run" if claimed and chosen and level.name not in chosen else _result(claimed, counts, never_ran),
            "rules": len(ids),
            **counts,
            **({"never_ran": never_ran} if never_ran else {}),
        }
    return results


def _result(claimed: bool, counts: dict[str, int], never_ran: list[str]) -> str:
    if not claimed:
        return "not claimed"
    if any(counts[value] for value in BROKEN_VALUES):
        return "not reached"
    if counts[Outcome.SKIPPED.value] or counts[Outcome.BLOCKED.value] or never_ran or not counts[Outcome.PASS.value]:
        return "not reached: not every rule ran"
    return "reached with declared deviations" if counts[Outcome.DEVIATION.value] else "reached"


def is_reached(result: str) -> bool:
    return result.startswith("reached")
