"""Every rule is citable and catalogued."""

from __future__ import annotations

import pytest

from conformance.catalogue import markdown
from conformance.rules import load_all_rules
from conformance.sources import DOCUMENTS
from tests.harness import REPO

SHARED = REPO.parent / "shared"
RULES = load_all_rules()


def test_rules_md_is_current():
    assert (REPO / "RULES.md").read_text() == markdown(), "regenerate: python -m conformance rules > RULES.md"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/ is not beside this checkout")
def test_every_cited_document_exists():
    assert [d.path for d in DOCUMENTS if not (SHARED / d.path).is_file()] == []


def test_every_rule_cites_a_source_and_its_module_lists_it():
    import importlib

    for rule in RULES.values():
        assert rule.sources, rule.id
        docstring = importlib.import_module(rule.module).__doc__ or ""
        assert rule.id in docstring, f"{rule.module} docstring should list {rule.id}"
