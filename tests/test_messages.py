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
