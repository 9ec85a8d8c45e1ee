"""Success bodies in Google's shapes (facts §3-§4), built from the fake model's answers.

A whole GenerateContentResponse carries the full answer. A stream is a list of the same objects,
one per piece. Like Google's current models, every chunk carries cumulative usageMetadata, the
same responseId and modelVersion, and only the last chunk has a finishReason.
"""

from __future__ import annotations

from typing import Any

from .model import Answer


def usage_metadata(prompt: int, candidates: int, thoughts: int = 0) -> dict[str, int]:
    usage = {
        "promptTokenCount": prompt,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt + candidates + thoughts,
    }
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    return usage


def generate_content_response(answer: Answer, model_version: str, response_id: str) -> dict[str, Any]:
    if answer.blocked:
        return blocked_prompt_response(answer, model_version, response_id)
    usage: dict[str, Any] = usage_metadata(answer.prompt_tokens, answer.candidates_tokens, answer.thoughts_tokens)
    if any("inlineData" in part for piece in answer.pieces for part in piece.parts):
        usage["candidatesTokensDetails"] = _by_modality(answer)
    return _response(answer.parts(), answer.finish_reason, usage, model_version, response_id)


def _by_modality(answer: Answer) -> list[dict[str, Any]]:
    """An image answer's output tokens by modality, as Google itemises them, so that a client can
    tell a text part the model wrote (and a gateway lost) from one it never wrote (IMG-07)."""
    tokens = {"TEXT": 0, "IMAGE": 0}
    for piece in answer.pieces:
        tokens["IMAGE" if any("inlineData" in part for part in piece.parts) else "TEXT"] += piece.tokens
    return [{"modality": modality, "tokenCount": count} for modality, count in tokens.items() if count]


def blocked_prompt_response(answer: Answer, model_version: str, response_id: str) -> dict[str, Any]:
    """A prompt the safety filters blocked: no candidate, promptFeedback.blockReason, the prompt's usage
    (recordings vercel-ai/016 and firebase-sdk-test-data/002; facts §3 PromptFeedback)."""
    return {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": answer.prompt_tokens, "totalTokenCount": answer.prompt_tokens},
        "modelVersion": model_version,
        "responseId": response_id,
    }


def stream_chunks(answer: Answer, model_version: str, response_id: str) -> list[dict[str, Any]]:
    if answer.blocked:
        return [blocked_prompt_response(answer, model_version, response_id)]
    chunks = []
    tokens_so_far = 0
    last = len(answer.pieces) - 1
    for index, piece in enumerate(answer.pieces):
        tokens_so_far += piece.tokens
        usage = usage_metadata(answer.prompt_tokens, tokens_so_far, answer.thoughts_tokens)
        finish_reason = answer.finish_reason if index == last else None
        chunks.append(_response(list(piece.parts), finish_reason, usage, model_version, response_id))
    return chunks


def count_tokens_response(total: int) -> dict[str, Any]:
    return {"totalTokens": total}


def embed_content_response(values: list[float]) -> dict[str, Any]:
    return {"embedding": {"values": values}}


def batch_embed_contents_response(embeddings: list[list[float]]) -> dict[str, Any]:
    return {"embeddings": [{"values": values} for values in embeddings]}


def list_models_response(models: list[dict[str, Any]], next_page_token: str | None = None) -> dict[str, Any]:
    # The last page omits nextPageToken: "" would loop the Node SDK (facts §8).
    return {"models": models, **({"nextPageToken": next_page_token} if next_page_token else {})}


def _response(
    parts: list[dict[str, Any]],
    finish_reason: str | None,
    usage: dict[str, int],
    model_version: str,
    response_id: str,
) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}}
    if finish_reason:
        candidate["finishReason"] = finish_reason
    candidate["index"] = 0
    return {
        "candidates": [candidate],
        "usageMetadata": usage,
        "modelVersion": model_version,
        "responseId": response_id,
    }
