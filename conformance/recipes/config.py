"""The recipes of the config area: what its checks (conformance/checks/config.py) read."""

from __future__ import annotations

from conformance.recipes import bodies
from conformance.recipes.engine import recipe


@recipe
def capped_answer(client, target):
    return client.generate(target.model("text"), bodies.capped_request(target))


@recipe
def stop_sequence_answer(client, target):
    return client.generate(target.model("text"), bodies.stop_sequence_request(target))


@recipe
def json_mode_answer(client, target, schema_field):
    return client.generate(target.model("text"), bodies.json_mode_request(target, schema_field))


@recipe
def system_instruction_answer(client, target):
    return client.generate(target.model("text"), bodies.system_instruction_request(target))
