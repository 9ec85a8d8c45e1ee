"""Faults that break rules of the casing area (conformance/checks/casing.py) first."""

from __future__ import annotations

from .fault import Fault
from .transforms import drop_key, drop_snake_case_fields, reject_float_top_k

FAULTS = (
    Fault(
        "ignores_snake_case_fields",
        "The request reader knows camelCase names only and silently drops snake_case ones such as "
        "system_instruction or thinking_budget (QuantumNous/new-api#1431, #2448, PR#1145).",
        ("CASE-01", "CASE-02", "CASE-04", "MEDIA-01"),
        rewrite_request=drop_snake_case_fields,
    ),
    Fault(
        "drops_snake_case_system_instruction",
        "A snake_case system_instruction is ignored while systemInstruction works (QuantumNous/new-api#1431, #2448).",
        ("CASE-02",),
        rewrite_request=drop_key("system_instruction"),
    ),
    Fault(
        "rejects_float_top_k",
        "A Go gateway unmarshals generationConfig into int32 fields and rejects the `topK: 40.0` google-genai "
        "sends with 400 (facts §1, §9 rule 4).",
        ("CASE-03",),
        rewrite_request=reject_float_top_k,
    ),
)
