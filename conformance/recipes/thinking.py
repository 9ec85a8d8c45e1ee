"""The recipes of the thinking area: what its checks (conformance/checks/thinking.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe

THINKING_CONFIGS = {
    "thoughts": {"includeThoughts": True, "thinkingBudget": bodies.THINKING_BUDGET},
    "low_level": {"thinkingLevel": "LOW"},
    "dynamic_budget": {"thinkingBudget": -1},
}


def _thinking(client, target, config: str):
    return client.generate(target.model("thinking"), bodies.thinking_request(target, THINKING_CONFIGS[config]))


answer_with_thoughts = recipe(_thinking, name="answer_with_thoughts", config="thoughts")


low_thinking_level_answer = recipe(_thinking, name="low_thinking_level_answer", config="low_level")


dynamic_budget_answer = recipe(_thinking, name="dynamic_budget_answer", config="dynamic_budget")


@recipe
def suffixed_model_answer(client, target, suffix):
    return client.generate(target.model("thinking") + suffix, bodies.thinking_request(target, None))
