"""Faults that break rules of the thinking area (conformance/checks/thinking.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import (
        for_each_part,
        omit_zero_thinking_budget,
        refuse_config,
        thoughts_always_included,
        usage_total_without_thoughts,
        without_part_field,
)

FAULTS = (
    Fault(
        "thoughts_despite_zero_budget",
        "A Go struct with `omitempty` drops thinkingBudget 0, so the model thinks anyway (bugs F23).",
        ("THINK-01",),
        rewrite_request=omit_zero_thinking_budget,
    ),
    Fault(
        "thoughts_not_flagged",
        "The thought flag is lost in translation, so thoughts read as answer text (new-api convert; "
        "BerriAI/litellm#15779; bugs F18).",
        ("THINK-02",),
        reshape={"generateContent": for_each_part(without_part_field("thought"))},
    ),
    Fault(
        "thoughts_unasked",
        "A channel option that shows the model's reasoning sets includeThoughts on every request that lets the "
        "model think: clients that never asked get thought parts among the answer (new-api's thinking-to-content "
        "channel setting; bugs F23: thinkingConfig added over the client's).",
        ("THINK-07",),
        rewrite_request=thoughts_always_included,
    ),
    Fault(
        "total_excludes_thoughts",
        "totalTokenCount is recomputed as prompt + candidates, leaving thinking unbilled "
        "(jain-aanchal/ai-tally#376; DeliciousBuding/metapi-go PR#303).",
        ("THINK-03",),
        reshape={"generateContent": usage_total_without_thoughts},
    ),
    Fault(
        "rejects_thinking_level",
        "The request validator knows thinkingBudget only and refuses thinkingLevel (facts §2: thinkingLevel "
        "is not in the proto).",
        ("THINK-04",),
        rewrite_request=refuse_config(
            "generationConfig.thinkingConfig",
            "thinkingLevel",
            'Invalid JSON payload received. Unknown name "thinkingLevel" at \'generation_config.thinking_config\'.',
        ),
    ),
    Fault(
        "rejects_budget_minus_one",
        "thinkingBudget is validated as a non-negative count, so -1 (dynamic thinking) is refused.",
        ("THINK-05",),
        rewrite_request=refuse_config(
            "generationConfig.thinkingConfig",
            "thinkingBudget",
            "thinkingBudget must be between 0 and 24576.",
            allowed=lambda budget: isinstance(budget, int) and budget >= 0,
        ),
    ),
    Fault(
        "suffix_not_applied",
        "A -thinking/-nothinking alias is routed to its base model without its thinkingConfig, so "
        "-nothinking still thinks (new-api ThinkingAdaptor switched off; bugs §1 model suffixes).",
        ("THINK-06",),
        profile="nebula",
        skips=("alias_preset",),
    ),
)
