"""The documents a rule may cite.

Every rule names where its expectation comes from: one of the four seed gateways' public docs, or
the Google Gemini API reference compiled in ``shared/reference``, both carried in
``conformance/documents``. Citing through these constants (rather than free text) keeps citations
checkable: a self-test finds each cited section's passage, which the report shows beside a failure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Document:
    path: str  # relative to shared/ and to conformance/documents/, which carries a copy
    title: str

    def at(self, section: str) -> Source:
        return Source(self, section)


@dataclass(frozen=True, slots=True)
class Source:
    document: Document
    section: str

    def __str__(self) -> str:
        return f"{self.document.path} ({self.document.title}), {self.section}"


AIONE_NATIVE = Document("seeds/000_0f63e6991fefb2ae.txt", "AIone: Gemini Native API")
AIONE_IMAGES = Document("seeds/001_4e96b76cc2df84e4.txt", "AIone: Gemini Image Generation")
NEBULA = Document("seeds/002_ae1ee3e57440e21c.txt", "Nebula: Gemini Native (Text)")
TOKENSMART = Document("seeds/003_7dff486ec9efb71d.txt", "Tokensmart: Gemini Native API")
NEXUSFLOW = Document("seeds/004_9500d252cc8f4f20.txt", "NexusFlow: Gemini-Compatible API")
GEMINI_API = Document("reference/gemini-api-facts.md", "Google Gemini API wire format")
GATEWAY_BUGS = Document("reference/gateway-bugs.md", "How real Gemini gateways break")

DOCUMENTS = (AIONE_NATIVE, AIONE_IMAGES, NEBULA, TOKENSMART, NEXUSFLOW, GEMINI_API, GATEWAY_BUGS)
