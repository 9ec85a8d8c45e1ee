"""Conformance levels: what a certificate says a target reached.

``core`` is every MUST rule of the areas every Gemini-native gateway must get right. Each further
level is a feature family a target may declare; it is claimed only by targets that declare it, and
reached only when every MUST rule of its areas that applies to the target ran and passed (declared
deviations aside, which are listed). A skip for a missing key or a timeout keeps a level unreached:
a level is never reported from checks that did not run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.rules import MUST, Rule
from conformance.targets import Target


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    description: str
    areas: tuple[str, ...]
    claimed_by: Callable[[Target], bool]

    def rules(self, rules: dict[str, Rule]) -> list[Rule]:
        return [rule for rule in rules.values() if rule.area in self.areas and rule.level is MUST]


def _always(target: Target) -> bool:
    return True


def _feature(name: str) -> Callable[[Target], bool]:
    return lambda target: name in target.features


def _model(role: str) -> Callable[[Target], bool]:
    return lambda target: target.model(role) is not None


def _any_action(*actions: str) -> Callable[[Target], bool]:
    return lambda target: any(action in target.actions for action in actions)


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


def reached_levels(run: object, target_name: str) -> dict[str, dict[str, object]]:
    """Per level: is it claimed by the target's declarations, what is its result, and the counts."""
    from conformance.rules import load_all_rules

    rules = load_all_rules()
    target = run.targets.get(target_name)  # type: ignore[attr-defined]
    records = run.by_target().get(target_name, [])  # type: ignore[attr-defined]
    chosen = getattr(run, "levels", None)  # --level: the only levels this run checked
    results: dict[str, dict[str, object]] = {}
    for level in LEVELS:
        ids = {rule.id for rule in level.rules(rules)}
        if not ids:
            continue
        applicable = [r for r in records if r.rule in ids and r.applicable]
        counts = {o: sum(r.outcome == o for r in applicable) for o in ("pass", "fail", "timeout", "deviation", "skipped", "error")}
        never_ran = sorted(ids - {r.rule for r in records if r.rule in ids})
        claimed = target is not None and level.claimed_by(target)
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
    if counts["fail"] or counts["timeout"] or counts["error"]:
        return "not reached"
    if counts["skipped"] or never_ran or not counts["pass"]:
        return "not reached: not every rule ran"
    return "reached with declared deviations" if counts["deviation"] else "reached"
