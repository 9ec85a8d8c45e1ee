"""The recipes of the unsupported area: what its checks (conformance/checks/unsupported.py) read."""

from __future__ import annotations

from conformance.recipes.common import ACTION_REQUESTS
from conformance.recipes.engine import recipe


@recipe
def action_answer(client, target, action):
    """The cheapest valid request of an action, declared or not (UNSUP-01 and -02 read each once)."""
    return ACTION_REQUESTS[action](client, target)
