"""The recipes of the generate area that are not shared with every other area (those are in common.py)."""

from __future__ import annotations

from conformance.recipes.common import image_response, text_response
from conformance.recipes.engine import recipe
from conformance.recipes.thinking import dynamic_budget_answer
from conformance.recipes.unsupported import action_answer

# The answer the run already asks of each kind of model: GEN-07 costs no request of its own.
ANSWER_OF = {"text": text_response, "image": image_response, "thinking": dynamic_budget_answer}
EMBEDDING_ACTIONS = ("embedContent", "batchEmbedContents")


@recipe
def declared_model_answer(responses, target, role):
    """An answer of the model the target declares for ``role``, or None when it declares none (or no
    action an embedding model answers)."""
    if target.model(role) is None:
        return None
    if role == "embedding":
        action = next((action for action in EMBEDDING_ACTIONS if action in target.actions), None)
        return None if action is None else responses.read(action_answer, action=action)
    return responses.read(ANSWER_OF[role])
