"""Faults that break rules of the semantic area (conformance/checks/semantic.py) first."""

from __future__ import annotations

from .fault import Fault

FAULTS = (
    Fault(
        "semantic_ignores_instruction",
        "Text requests are silently served by a cheaper model that ignores instructions and tools "
        "(model substitution; bugs §5 rule 14, F23, F26).",
        ("SEM-01", "SEM-02"),
        substitutes_model=True,
    ),
)
