"""Every rule is citable and catalogued."""

from __future__ import annotations

import pytest

from conformance import documents
from conformance.catalogue import markdown
from conformance.documents import passage, read
from conformance.rules import load_all_rules
from conformance.sources import DOCUMENTS, Source
from tests.harness import REPO

SHARED = REPO.parent / "shared"
RULES = load_all_rules()


def test_rules_md_is_current():
    assert (REPO / "RULES.md").read_text() == markdown(), "regenerate: python -m conformance rules > RULES.md"


def test_every_cited_document_is_carried_and_every_citation_finds_its_passage():
    assert [d.path for d in DOCUMENTS if read(d.path) is None] == []
    citations = {(s.document.path, s.section) for rule in RULES.values() for s in rule.sources if isinstance(s, Source)}
    assert [c for c in citations if not passage(*c)] == [], "a citation whose section the document does not have"


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared/ is not beside this checkout")
def test_the_carried_documents_are_the_shared_ones():
    assert [d.path for d in DOCUMENTS if (SHARED / d.path).read_bytes() != (documents.HERE / d.path).read_bytes()] == []


def test_every_rule_cites_a_source_and_its_module_lists_it():
    import importlib

    for rule in RULES.values():
        assert rule.sources, rule.id
        docstring = importlib.import_module(rule.module).__doc__ or ""
        assert rule.id in docstring, f"{rule.module} docstring should list {rule.id}"
