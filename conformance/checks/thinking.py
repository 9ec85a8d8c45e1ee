"""Thinking: the thinkingConfig a client sends is applied, and thoughts are flagged and counted.

THINK-01 thinkingBudget 0: no thought parts, thoughtsTokenCount 0 or absent
THINK-02 with includeThoughts, thoughts arrive as parts flagged thought: true
THINK-03 thoughts are counted: thoughtsTokenCount is reported and totalTokenCount includes it
THINK-04 thinkingLevel is accepted, where the target declares it
THINK-05 thinkingBudget -1 (the model decides) is accepted
THINK-06 model-name suffixes (-nothinking, -thinking, -thinking-N, -thinking-low/-high) apply, where declared
THINK-07 thought parts come back only when includeThoughts asks for them

THINK-01 reads the text answer (text_response), which asks for thinkingBudget 0 wherever thinking is declared.
The other rules ask the thinking model to think on a small budget (bodies.THINKING_BUDGET), so a
real model's thoughts stay cheap. A model may decide a question needs no thought; THINK-02 and
THINK-03 then have nothing to judge and do not apply.
"""

from __future__ import annotations

import pytest

from conformance import expect
from conformance.outcomes import blocked, model_decided
from conformance.recipes import bodies
from conformance.recipes.common import text_response
from conformance.recipes.thinking import (
    answer_with_thoughts,
    dynamic_budget_answer,
    low_thinking_level_answer,
    suffixed_model_answer,
)
from conformance.rules import GENERATE, MUST, Needs, rule
from conformance.sources import GATEWAY_BUGS, GEMINI_API, NEBULA, TOKENSMART
from conformance.usage import ADDENDS, count_of

RESPONSE = "generate_content_response"
THINKING = Needs(actions=("generateContent",), features=("thinking",), models=("thinking",))
THINKING_CONFIG = GEMINI_API.at("§2 GenerationConfig: thinkingConfig")


@rule(
    "THINK-01",
    MUST,
    "with thinkingBudget 0 the answer has no thought parts and thoughtsTokenCount is 0 or absent",
    source=(THINKING_CONFIG, TOKENSMART.at("thinkingBudget semantics: 0 disables thinking"), GATEWAY_BUGS.at("§5 rule 14: no thinkingConfig over the client's; §6 F23")),
    needs=GENERATE + Needs(features=("thinking",)),
    reads=text_response,
)
def zero_budget_no_thoughts():
    exchange = text_response()
    body = expect.accepted(exchange)
    for fragment in ("NoThoughts", "NoThoughtParts"):
        expect.matches_schema(body, f"{RESPONSE}#/$defs/{fragment}", exchange, what="the answer to thinkingBudget 0")


def _thoughts(answer_with_thoughts):
    """The thinking model's answer with includeThoughts, and how many thought tokens it reports."""
    exchange = answer_with_thoughts()
    body = expect.accepted(exchange)
    count = count_of(body, "thoughtsTokenCount") or 0
    parts = [part for candidate in body.get("candidates") or () for part in (candidate.get("content") or {}).get("parts") or ()]
    if not count and not any(part.get("thought") is True for part in parts):
        model_decided("the model answered without thinking, so there are no thoughts to judge")
    return exchange, body, count


@rule(
    "THINK-02",
    MUST,
    "with includeThoughts, the thoughts arrive as parts flagged thought: true, never as ordinary answer text",
    source=(THINKING_CONFIG, GEMINI_API.at("§6: thought parts arrive with \"thought\": true"), NEBULA.at("Thinking mode: includeThoughts"), GATEWAY_BUGS.at("§5 rule 10; §1 new-api: thought text kept as content; litellm#15779; §6 F18")),
    needs=THINKING,
    reads=answer_with_thoughts,
)
def thoughts_flagged():
    exchange, body, count = _thoughts(answer_with_thoughts)
    expect.matches_schema(body, f"{RESPONSE}#/$defs/ThoughtParts", exchange, what=f"an answer reporting {count} thought tokens")


@rule(
    "THINK-03",
    MUST,
    "thoughts are counted: thoughtsTokenCount is reported and totalTokenCount includes it",
    source=(GEMINI_API.at("§3 UsageMetadata: totalTokenCount includes thoughtsTokenCount"), TOKENSMART.at("Token billing breakdown: thoughtsTokenCount billed as output"), GATEWAY_BUGS.at("§4 usageMetadata: ai-tally#376, metapi-go PR#303; §5 rule 8")),
    needs=THINKING,
    reads=answer_with_thoughts,
)
def thoughts_counted():
    exchange, body, count = _thoughts(answer_with_thoughts)
    usage = body.get("usageMetadata")
    if not isinstance(usage, dict):
        blocked("the answer carries no usageMetadata", by="GEN-04")
    if not count:
        raise expect.fail("the answer carries thought parts but no thoughtsTokenCount: the thinking went uncounted", exchange, path="$.usageMetadata.thoughtsTokenCount", expected="> 0", actual=count)
    # That the total is exactly the sum is GEN-05's; here, only that the thoughts are in it.
    least = sum(count_of(body, name) or 0 for name in ADDENDS)
    total = count_of(body, "totalTokenCount") or 0
    if total < least:
        raise expect.fail(
            f"totalTokenCount {total} leaves out thoughts: prompt, candidates and {count} thought tokens add up to {least}",
            exchange,
            path="$.usageMetadata.totalTokenCount",
            expected=f">= {least}",
            actual=total,
        )


@rule(
    "THINK-04",
    MUST,
    "thinkingConfig.thinkingLevel (LOW) is accepted by the thinking model",
    source=(THINKING_CONFIG, NEBULA.at("Thinking mode 2: thinkingConfig.thinkingLevel (Gemini 3 Pro): LOW / HIGH"), GEMINI_API.at("§9 rule 5: thinkingLevel forwarded intact")),
    needs=THINKING + Needs(features=("thinking_level",)),
    reads=low_thinking_level_answer,
)
def thinking_level_accepted():
    expect.accepted(low_thinking_level_answer())


@rule(
    "THINK-05",
    MUST,
    "thinkingBudget -1 (the model decides how much to think) is accepted",
    source=(THINKING_CONFIG, TOKENSMART.at("thinkingBudget semantics: -1 unlimited, model decides")),
    needs=THINKING,
    reads=dynamic_budget_answer,
)
def dynamic_budget_accepted():
    expect.accepted(dynamic_budget_answer())


# Suffix -> whether the model thinks under it (Nebula, seed 002).
SUFFIXES = {"-nothinking": False, "-thinking": True, f"-thinking-{bodies.THINKING_BUDGET}": True, "-thinking-low": True, "-thinking-high": True}


@rule(
    "THINK-06",
    MUST,
    "a thinking model-name suffix applies: -nothinking answers without thoughts, -thinking, -thinking-N and -thinking-low/-high think",
    source=(NEBULA.at("Thinking mode 3: model suffix -thinking, -thinking-8192, -nothinking, -thinking-low, -thinking-high"), GATEWAY_BUGS.at("§1 new-api model suffixes; §5 rule 16")),
    needs=THINKING + Needs(features=("thinking_suffixes",)),
    reads=suffixed_model_answer,
)
@pytest.mark.parametrize("suffix", list(SUFFIXES))
def thinking_suffix(suffix):
    exchange = suffixed_model_answer()
    body = expect.accepted(exchange)
    count = count_of(body, "thoughtsTokenCount") or 0
    if SUFFIXES[suffix] and not count:
        raise expect.fail(f"the {suffix} model answered without thinking", exchange, path="$.usageMetadata.thoughtsTokenCount", expected="> 0", actual=count)
    if not SUFFIXES[suffix]:
        expect.matches_schema(body, f"{RESPONSE}#/$defs/NoThoughts", exchange, what=f"the answer of the {suffix} model")


@rule(
    "THINK-07",
    MUST,
    "thought parts come back only when includeThoughts asks for them: a model left to think (thinkingBudget -1) "
    "without it answers with its answer alone, its thinking counted in usage",
    source=(THINKING_CONFIG, GEMINI_API.at("§2 GenerationConfig: thinkingConfig includeThoughts"), GATEWAY_BUGS.at("§6 F23")),
    needs=THINKING,
    reads=dynamic_budget_answer,
)
def thoughts_only_when_asked():
    exchange = dynamic_budget_answer()
    expect.answer_matches(exchange, "NoThoughtParts", what="the answer to a request without includeThoughts")
