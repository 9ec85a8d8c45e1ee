"""The recipes of the framing area: what its checks (conformance/checks/framing.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.common import rejected_answer
from conformance.recipes.engine import recipe

# The same response ERR-05 reads for a stream: refused before any model runs.
unknown_model_stream = recipe(rejected_answer, name="unknown_model_stream", case="unknown_model", sent_to="streamGenerateContent")


@recipe
def upstream_failure_stream(client, target):
    return client.stream(target.model("text"), bodies.upstream_failure_request(target))
