"""A failure says what happened, in the words a QA engineer reads in the report."""

from __future__ import annotations

import json

from conformance.checks.tools import _what_was_wrapped


def test_a_wrapped_call_whose_arguments_arrived_says_they_came_as_text():
    said = _what_was_wrapped({"arguments": json.dumps({"city": "Paris"})}, {"city"})
    assert said == "the arguments (city) arrived as JSON text under 'arguments' instead of as an object"


def test_a_wrapped_call_naming_undeclared_parameters_says_the_declaration_was_lost():
    said = _what_was_wrapped({"arguments": json.dumps({"query": "Paris"})}, {"city"})
    assert "names ['query']" in said and "parameters did not reach the model" in said


def test_gateway_text_in_a_failure_is_redacted_before_it_is_cut():
    """text[:200] of an answer that echoes the key would keep its first characters; redacted first,
    the cut falls inside the placeholder."""
    from types import SimpleNamespace

    from conformance import expect
    from conformance.client.redact import Redactor

    key = "AIzaSyA-" + "k" * 31
    exchange = SimpleNamespace(redactor=Redactor({key: "$API_KEY"}))
    assert expect.cut(exchange, "x" * 195 + key, 200) == "x" * 195 + "$API_"
    assert expect.cut(exchange, key + "y" * 195, 200, end=True) == "I_KEY" + "y" * 195
