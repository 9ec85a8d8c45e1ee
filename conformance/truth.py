"""Real traffic judges the rules: each rule's own check, run on what Google's servers really sent.

A rule is judged on a recording only where the recording shows the precondition the rule needs:
the same kind of request, what the request must have asked (its sidecar's summary: the same cap,
tools declared, includeThoughts, ...), and what the recording must have kept (the exact bytes for
framing rules, the headers for content types). ``JUDGED_ON`` says that for every rule real traffic
can speak to; ``NOT_JUDGEABLE`` says why no recording can speak to the others. Each rule is in
exactly one of them (a self-test keeps it so).

A rule that fails a Gemini API recording fails Google itself: it is wrong, whatever a document
says (``tests/test_truth.py`` allows none). Vertex AI is another API: its recordings are judged
apart (``python -m conformance truth FOLDER``) and reported, not required.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType, SimpleNamespace
from typing import Any

import pytest

from conformance.outcomes import Blocked, ModelDecided, RuleViolation
from conformance.recipes import bodies
from conformance.recipes.engine import reading
from conformance.recordings import Recording
from conformance.reference.wire import snake_case
from conformance.rules import Rule, load_all_rules
from conformance.targets import Target
from conformance.vocabulary import ACTIONS, AUTH_PLACEMENTS, FEATURES

# What a request asked, read from a sidecar's summary ({} where the source kept none).


def anything(_: Any) -> bool:
    return True


def known(request: Mapping[str, Any]) -> bool:
    return bool(request)


def config(request: Mapping[str, Any]) -> dict[str, Any]:
    return request.get("generationConfig") or {}


def functions(request: Mapping[str, Any]) -> dict[str, list[str]]:
    tools = request.get("tools") or {}
    return tools.get("functions") or {}


def without_functions(request: Mapping[str, Any]) -> bool:
    """A request summarised whole (its generationConfig kept; a thinner summary, such as pydantic-ai
    460's, lost the tools its call was answered with) that declared no function."""
    return "generationConfig" in request and not functions(request)


def plain_turn(request: Mapping[str, Any]) -> bool:
    """The kind of request the suite sends: one user turn of text, no tools, no systemInstruction."""
    tools = request.get("tools") or {}
    return (
        request.get("contents") == 1
        and not tools.get("functions")
        and not tools.get("builtin")
        and "toolConfig" not in request
        and not request.get("systemInstruction")
    )


def asks(**entries: Any) -> Callable[[Mapping[str, Any]], bool]:
    """generationConfig had these entries, with these values."""
    return lambda request: all(config(request).get(name) == value for name, value in entries.items())


def thinking(**entries: Any) -> Callable[[Mapping[str, Any]], bool]:
    """The request's thinkingConfig has these entries (by their camelCase names; an SDK may have sent
    them in snake_case, as the summary keeps them)."""
    return lambda request: all(thinking_entry(request, name) == value for name, value in entries.items())


def thinking_entry(request: Mapping[str, Any], name: str) -> Any:
    settings = config(request).get("thinkingConfig") or config(request).get("thinking_config") or {}
    return settings.get(name, settings.get(snake_case(name)))


def thoughts_not_asked(request: Mapping[str, Any]) -> bool:
    """A request known (its summary kept) that did not set includeThoughts."""
    return "contents" in request and not thinking_entry(request, "includeThoughts")


def modalities(*wanted: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda request: set(wanted) <= set(config(request).get("responseModalities") or ())


def image_model(recording: Recording) -> bool:
    """Answered by an image model (gemini-2.5-flash-image, gemini-3-pro-image-preview, ...)."""
    return "image" in (recording.model or "")


def text_and_image(request: Mapping[str, Any]) -> bool:
    """Asked for text and image: both named, or no modality named (an image model's default)."""
    asked = set(config(request).get("responseModalities") or ())
    return not asked or {"TEXT", "IMAGE"} <= asked


def error_reason(reason: str) -> Callable[[Recording], bool]:
    """The error's ErrorInfo names this reason."""
    return lambda recording: recording.error_reason == reason


def model_not_found(recording: Recording) -> bool:
    """The request named a model that does not exist (Google's message says so)."""
    body = recording.json
    message = (body.get("error") or {}).get("message", "") if isinstance(body, dict) else ""
    return recording.status == 404 and "is not found" in message


@dataclass(frozen=True)
class Evidence:
    """Which recordings stand in for the response a rule's check reads."""

    answers: str  # the kind of request: generate, stream_sse, count_tokens, batch_embed
    error: bool = False  # an error answer rather than a success
    asked: Callable[[Mapping[str, Any]], bool] = anything  # the request's summary
    shows: Callable[[Recording], bool] = anything  # what the recording itself tells of the request
    exact_bytes: bool = False  # framing: only a body kept byte for byte
    headers: bool = False  # content types: only a recording that kept its headers
    # The check's parametrization, or what it is for a recording (the action a recording answers).
    params: Mapping[str, Any] | Callable[[Recording], Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    what: str = ""  # what the request must have asked, in words (RULES.md says it where none did)

    def admits(self, recording: Recording) -> bool:
        if recording.meta.get("edited"):
            return False  # trimmed or written by hand: not what Google's servers sent
        if recording.answers != self.answers and self.answers != "any":
            return False
        if recording.is_error != self.error:
            return False
        if self.exact_bytes and not recording.exact_bytes:
            return False
        if self.headers and not recording.headers:
            return False
        return self.asked(recording.request) and self.shows(recording)

    def params_for(self, recording: Recording) -> dict[str, Any]:
        return dict(self.params(recording) if callable(self.params) else self.params)


# The action each kind of recording answers.
RECORDED_ACTIONS = {
    "generate": "generateContent",
    "stream_sse": "streamGenerateContent",
    "count_tokens": "countTokens",
    "embed": "embedContent",
    "batch_embed": "batchEmbedContents",
}


GENERATED = Evidence("generate")
STREAMED = Evidence("stream_sse")
STREAM_BYTES = Evidence("stream_sse", exact_bytes=True)
AN_ERROR = Evidence("any", error=True, params={"case": "missing_contents", "sent_to": "generateContent"})

JUDGED_ON: dict[str, Evidence] = {
    "ACT-01": Evidence("count_tokens", asked=known),
    "ACT-03": Evidence("batch_embed", asked=lambda request: request.get("requests") == len(bodies.EMBED_BATCH_TEXTS), what=f"a batch of {len(bodies.EMBED_BATCH_TEXTS)} texts"),
    "ACT-11": Evidence("any", error=True, shows=lambda recording: recording.status == 429),
    "ACT-12": Evidence("any", error=True, shows=lambda recording: recording.status == 429),
    "AUTH-03": Evidence("any", error=True, shows=error_reason("API_KEY_INVALID")),
    "CFG-01": Evidence("generate", asked=asks(maxOutputTokens=bodies.CAPPED_MAX_OUTPUT_TOKENS), what=f"maxOutputTokens {bodies.CAPPED_MAX_OUTPUT_TOKENS}"),
    "CFG-02": Evidence("generate", asked=asks(maxOutputTokens=bodies.CAPPED_MAX_OUTPUT_TOKENS), what=f"maxOutputTokens {bodies.CAPPED_MAX_OUTPUT_TOKENS}"),
    "ERR-01": AN_ERROR,
    "ERR-02": AN_ERROR,
    "ERR-03": AN_ERROR,
    "ERR-04": Evidence("any", error=True, headers=True, params={"case": "missing_contents", "sent_to": "generateContent"}),
    "ERR-05": Evidence("any", error=True, shows=model_not_found, params=lambda recording: {"sent_to": RECORDED_ACTIONS[recording.answers]}),
    "GEN-01": GENERATED,
    "GEN-02": GENERATED,
    "GEN-03": GENERATED,
    "GEN-04": GENERATED,
    "GEN-05": GENERATED,
    "GEN-06": Evidence("generate", headers=True),
    # Any answer of a model that does not draw: none of Google's carries an image.
    "GEN-08": Evidence("generate", shows=lambda recording: not image_model(recording), what="a model that does not draw"),
    "IMG-01": Evidence("generate", shows=image_model, what="an image model"),
    "IMG-03": Evidence("stream_sse", asked=known, shows=image_model, what="a stream of an image model"),
    "IMG-07": Evidence("generate", asked=lambda request: known(request) and text_and_image(request), shows=image_model, what="text and image of an image model"),
    "MEDIA-04": Evidence("generate", shows=image_model, what="an image model"),
    "SHAPE-01": GENERATED,
    "SHAPE-02": GENERATED,
    "SHAPE-03": STREAMED,
    **{f"SSE-0{n}": STREAM_BYTES for n in range(1, 8)},
    "STREAM-01": Evidence("stream_sse", headers=True),
    "STREAM-02": STREAM_BYTES,
    "STREAM-03": STREAMED,
    "STREAM-04": Evidence("stream_sse", asked=plain_turn),
    "STREAM-05": STREAMED,
    "STREAM-06": STREAMED,
    "STREAM-09": STREAMED,
    "STREAM-10": STREAMED,
    "STREAM-11": STREAMED,
    "THINK-01": Evidence("generate", asked=thinking(thinkingBudget=0), what="thinkingBudget 0"),
    "THINK-02": Evidence("generate", asked=thinking(includeThoughts=True)),
    "THINK-03": Evidence("generate", asked=thinking(includeThoughts=True)),
    # Any answer to a request that did not ask for thoughts: none of Google's carries a thought part.
    "THINK-07": Evidence("generate", asked=thoughts_not_asked, what="a request without includeThoughts"),
    "TOOL-01": Evidence("generate", asked=lambda request: bool(functions(request)) and "toolConfig" not in request),
    # Any answer to a request that declared no function: none of Google's carries a functionCall.
    "TOOL-06": Evidence("generate", asked=without_functions, what="a request without functions"),
    "TOOL-03": Evidence("generate", asked=lambda request: "functionResponse" in (request.get("last_turn_part_kinds") or ())),
}

_NO_RECORDING_OF = "no recording is of "
NOT_JUDGEABLE: dict[str, str] = {
    "ACT-02": _NO_RECORDING_OF + "countTokens with a generateContentRequest",
    "ACT-04": "it compares a batch with single embeddings of the same texts: two answers to one set of texts",
    **dict.fromkeys(("ACT-05", "ACT-06", "ACT-07", "ACT-08", "ACT-09"), _NO_RECORDING_OF + "GET models"),
    "ACT-10": _NO_RECORDING_OF + "an unknown path",
    "AUTH-01": "a recording does not say where the key was placed",
    "AUTH-02": _NO_RECORDING_OF + "a request without a key",
    "AUTH-04": "it needs the key sent, which the recordings removed (Google's wrong-key answer names it in a DebugInfo detail, which the rule allows)",
    "AUTH-05": _NO_RECORDING_OF + "a request without a key",
    **{f"BRIDGE-0{n}": "the OpenAI-compatible bridge is a gateway's, not Google's" for n in range(1, 6)},
    **{f"CASE-0{n}": "the sidecars summarise requests in one spelling, not as sent" for n in range(1, 5)},
    "CFG-03": _NO_RECORDING_OF + "the suite's stop sequence",
    "CFG-04": "it judges the text against the suite's own schema, which no recording was asked with",
    "CFG-05": "it compares the prompt counts of two requests that differ only by a systemInstruction",
    "CFG-06": "it reads the suite's own counting answer: a recording's prompt may have asked for JSON in words",
    "ERR-06": _NO_RECORDING_OF + "a request without contents",
    "ERR-07": _NO_RECORDING_OF + "a body that is not JSON",
    "ERR-08": _NO_RECORDING_OF + "a bad role",
    "GEN-07": "it asks each model a target declares, and a recording has no target: Google's 404s are for models it does not serve",
    **{f"FID-{n:02d}": "it compares what a relay received from its upstream with what it passed on" for n in range(1, 24)},
    **{f"IMG-0{n}": "it asks the suite's own image sizes and variants" for n in (2, 4, 5, 6)},
    **{f"MEDIA-0{n}": "it sends the suite's own inline images and sizes" for n in (1, 2, 3)},
    **{f"SDK-0{n}": "it drives the google-genai SDK against the target" for n in range(1, 7)},
    "SEM-01": "it asks for the suite's own exact reply",
    "SEM-02": "it asks the suite's own weather question",
    "SSE-08": _NO_RECORDING_OF + "a stream for an unknown model",
    "SSE-09": "it compares a clean stream with a failing one",
    "STREAM-07": "no recording kept when each event arrived",
    "STREAM-08": _NO_RECORDING_OF + "a stream without alt=sse",
    "THINK-04": _NO_RECORDING_OF + "the thinking model with thinkingLevel LOW",
    "THINK-05": _NO_RECORDING_OF + "thinkingBudget -1",
    "THINK-06": "model-name suffixes are a gateway's, not Google's",
    **{f"TIME-0{n}": "no recording kept how long the answer took" for n in (1, 2, 3)},
    "TOOL-02": "it asks the suite's own two-function question",
    "TOOL-04": "it asks the suite's own prompts under each calling mode",
    "TOOL-05": "a sidecar does not show whether the call sent back kept its thoughtSignature",
    "UNSUP-01": "it needs an action the target does not declare: Google serves them all",
    "UNSUP-02": "it judges each declared action's answer to the suite's own request",
    "VER-01": _NO_RECORDING_OF + "/v1",
    "VER-02": _NO_RECORDING_OF + "a wrong path prefix",
}


class Verdict(str, Enum):
    CONFIRMED = "confirmed"
    FAILED = "failed"
    MODEL_DECIDED = "model decided"
    NOT_JUDGED = "not judged"  # the check could not judge it (blocked, not applicable)


@dataclass(frozen=True)
class Judgement:
    rule: str
    recording: str
    verdict: Verdict
    why: str = ""


# Google's own endpoint as a target: every action, placement and feature declared.
GOOGLE = Target(
    name="google",
    base_url="https://generativelanguage.googleapis.com/v1beta",
    auth=AUTH_PLACEMENTS,
    actions=ACTIONS,
    features=tuple(feature for feature in FEATURES if feature != "fidelity"),
    models=MappingProxyType({"text": "gemini-2.5-flash", "image": "gemini-2.5-flash-image", "embedding": "gemini-embedding-001", "thinking": "gemini-2.5-pro"}),
)


class _Recorded:
    """Stands in for a target's responses: whatever the check reads is the recording."""

    def __init__(self, exchange: Any) -> None:
        self.exchange = exchange

    def fetched(self, recipe: Any, chosen: Mapping[str, Any]) -> Any:
        return [self.exchange] if recipe.each is not None else self.exchange


def judge(rule: Rule, recording: Recording, target: Target = GOOGLE) -> Judgement | None:
    """The rule's check run on the recording; None where the recording cannot show the rule."""
    evidence = JUDGED_ON.get(rule.id)
    if evidence is None or not evidence.admits(recording):
        return None
    check = getattr(importlib.import_module(rule.module), rule.check)
    params = evidence.params_for(recording)
    context = {"target": target, "client": SimpleNamespace(rate_limited=()), **params}
    arguments = {name: context[name] for name in inspect.signature(check).parameters}
    with reading(_Recorded(recording.exchange()), params, rule.check, rule.reads):
        try:
            check(**arguments)
        except RuleViolation as violation:
            return Judgement(rule.id, recording.id, Verdict.FAILED, str(violation).splitlines()[0])
        except ModelDecided as decided:
            return Judgement(rule.id, recording.id, Verdict.MODEL_DECIDED, decided.msg)
        except (Blocked, pytest.skip.Exception) as skipped:
            return Judgement(rule.id, recording.id, Verdict.NOT_JUDGED, skipped.msg)
    return Judgement(rule.id, recording.id, Verdict.CONFIRMED)


def judge_all(recordings: Iterable[Recording], rules: Iterable[Rule] | None = None) -> list[Judgement]:
    recordings = list(recordings)
    judged = []
    for rule in rules if rules is not None else load_all_rules().values():
        for recording in recordings:
            judgement = judge(rule, recording)
            if judgement is not None:
                judged.append(judgement)
    return judged


def tally(judgements: Iterable[Judgement]) -> dict[str, dict[Verdict, int]]:
    """Per rule, how many recordings gave each verdict."""
    counts: dict[str, dict[Verdict, int]] = {}
    for judgement in judgements:
        per_rule = counts.setdefault(judgement.rule, dict.fromkeys(Verdict, 0))
        per_rule[judgement.verdict] += 1
    return counts
