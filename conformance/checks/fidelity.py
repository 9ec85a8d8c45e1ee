"""Fidelity: a relaying gateway in front of the suite's scripted upstream passes both ends through intact.

The target's model is routed to the scripted upstream (targets.yaml `upstream:`; the test relay for
`reference: relay`). Each probe's prompt names a scenario the upstream plays; the checks compare what
the client got with what the upstream sent, and what the upstream received with what the client sent.

FID-01 usageMetadata reaches the client as the upstream sent it, in every chunk and in whole responses
FID-02 finishReason reaches the client with the upstream's value, on exactly the chunks that carried it
FID-03 thought parts and thoughtSignature (also on an empty-text final part) pass through byte-exact
FID-04 parallel functionCall parts pass through exactly: ids, order, args as JSON objects, signatures
FID-05 an 8 MB inlineData image passes through byte-exact, whole and as one stream event
FID-06 upstream errors keep their HTTP status and error body, details (RetryInfo, QuotaFailure) included
FID-07 a stream that fails upstream fails at the client: no invented chunk or finishReason, the failure shown
FID-08 a blocked prompt (promptFeedback only) reaches the client as the upstream's HTTP 200 body
FID-09 a whole response reaches the client exactly: no key added, dropped or renamed, no value changed
FID-10 stream events are relayed as they come: the first promptly, the rest not coalesced
FID-11 a long upstream silence before the first byte is waited out, not cut by a gateway timeout
FID-12 every request field the client sent reaches the upstream unchanged
FID-13 snake_case request fields reach the upstream once: never dropped, never doubled as camelCase
FID-14 the upstream receives nothing the client did not send (no injected system prompt or settings)
FID-15 countTokens reaches the upstream as countTokens, and its answer comes back unchanged
FID-16 the client's API key never reaches the upstream (headers, query or body)
FID-17 the gateway authenticates upstream with its own credential once, where Google reads an API key
FID-18 the upstream is called at Google's path for the action, for the model the client asked for
FID-19 a request error the upstream answers (400) is relayed once: the gateway does not send it again
FID-20 no response header names the upstream's address or credential (SHOULD)
FID-21 the upstream credential goes in the x-goog-api-key header, not in the URL (SHOULD)
FID-22 a stream reaches the client event for event: none dropped or added, none rebuilt
FID-23 a batch of embeddings reaches the upstream as sent (taskType, title, dimensions), its answer unchanged (SHOULD)
"""

from __future__ import annotations

from urllib.parse import urlsplit

from conformance import expect
from conformance.fidelity import (
    COUNTED,
    contains,
    differences,
    doubled_fields,
    listed,
    more,
    normalized,
)
from conformance.outcomes import blocked
from conformance.recipes.fidelity import (
    batch_embed_probe,
    big_image_probes,
    blocked_prompt_probe,
    count_tokens_probe,
    cumulative_stream_probe,
    cumulative_stream_probes,
    echo_probes_by_placement,
    every_field_probe,
    failed_stream_probes,
    finish_reason_probes,
    function_call_probes,
    long_silence_probe,
    request_error_probe,
    rich_response_probe,
    snake_case_probe,
    stream_events_probe,
    thought_probes,
    upstream_error_probes,
)
from conformance.rules import GENERATE, MUST, SHOULD, STREAM, Needs, rule
from conformance.sources import AIONE_NATIVE, GATEWAY_BUGS, GEMINI_API, TOKENSMART
from conformance.upstream.server import GOOGLE_ACTION_PATH

FIDELITY = Needs(features=("fidelity",))
RELAYED = GENERATE + FIDELITY
RELAYED_STREAM = STREAM + FIDELITY
RELAYED_BOTH = GENERATE + STREAM + FIDELITY
PASSTHROUGH = AIONE_NATIVE.at("Limitations & Notes 5: byte-level passthrough, no format conversion")
UNCHANGED = TOKENSMART.at("Using Google's official SDK: field names, error handling preserve Google's official semantics")
# How far the client's first event may trail the upstream's, and its stream's spread the upstream's.
PROMPT_S = 1.0
# Where fidelity.contains finds a key that went up as Google reads an API key.
HEADER_KEY_PLACE, QUERY_KEY_PLACE = "header x-goog-api-key", "query parameter key"


def _whole(body):
    return body


def _parts(response) -> list:
    return [(candidate.get("content") or {}).get("parts") for candidate in response.get("candidates") or []]


def _finish_reasons(response) -> list:
    return [candidate.get("finishReason") for candidate in response.get("candidates") or []]


def _same_events(probes, what: str, part) -> None:
    """For each probe, every event's `part` (a projection) is the upstream's; the first probe that
    differs fails with every difference it shows."""
    for probe in probes:
        found = probe.differences(part)
        if found:
            raise probe.failure(what, found)


@rule(
    "FID-01",
    MUST,
    "usageMetadata reaches the client as the upstream sent it, in every chunk and in whole responses",
    source=(GATEWAY_BUGS.at("§5 rule 8; one-api ResponseText2Usage, agno#6264, ai-tally#376"), PASSTHROUGH),
    needs=RELAYED_BOTH,
    reads=cumulative_stream_probes,
)
def usage_passed_through():
    _same_events(cumulative_stream_probes(), "usageMetadata", lambda r: r.get("usageMetadata"))


@rule(
    "FID-02",
    MUST,
    "finishReason reaches the client with the upstream's value (STOP, MAX_TOKENS, SAFETY), on exactly the chunks that carried it",
    source=(GATEWAY_BUGS.at("§5 rule 9; CLIProxyAPI#5651, kelivo#1003, litellm#40477"), GEMINI_API.at("§3 FinishReason; §6 chunk contents")),
    needs=RELAYED_BOTH,
    reads=finish_reason_probes,
)
def finish_reason_where_sent():
    _same_events(finish_reason_probes(), "finishReason", _finish_reasons)


@rule(
    "FID-03",
    MUST,
    "thought parts and thoughtSignature (also on an empty-text final part) pass through byte-exact",
    source=(GATEWAY_BUGS.at("§5 rule 10; litellm#16893, #25322, Antigravity-Manager#3202"), GEMINI_API.at("§2 Part: thought, thoughtSignature")),
    needs=RELAYED_BOTH,
    reads=thought_probes,
)
def thought_parts_exact():
    _same_events(thought_probes(), "the parts", _parts)


@rule(
    "FID-04",
    MUST,
    "parallel functionCall parts pass through exactly: ids, order, args as JSON objects, thoughtSignature",
    source=(GATEWAY_BUGS.at("§5 rule 11; new-api convert, one-api parts[0], CLIProxyAPI#3256"), GEMINI_API.at("§2 Part: functionCall{id, name, args}")),
    needs=RELAYED_BOTH,
    reads=function_call_probes,
)
def function_calls_exact():
    _same_events(function_call_probes(), "the functionCall parts", _parts)


@rule(
    "FID-05",
    MUST,
    "an 8 MB inlineData image passes through byte-exact, in a whole response and as one stream event",
    source=(GATEWAY_BUGS.at("§5 rules 15, 20; one-api bufio 64 KiB, sub2api#4798, owndev#56"), PASSTHROUGH),
    needs=RELAYED_BOTH,
    reads=big_image_probes,
)
def inline_image_exact():
    _same_events(big_image_probes(), "the inlineData parts", _parts)


@rule(
    "FID-06",
    MUST,
    "upstream errors (429 with RetryInfo, 500) keep their HTTP status and error body, details included",
    source=(GATEWAY_BUGS.at("§5 rule 5; new-api RelayErrorHandler, bugs F9"), GEMINI_API.at("§5 Errors; §9 rule 18")),
    needs=RELAYED,
    reads=upstream_error_probes,
)
def upstream_errors_preserved():
    _same_events(upstream_error_probes(), "the error", _whole)


@rule(
    "FID-07",
    MUST,
    "a stream that fails upstream (error event, dropped connection) fails at the client: no invented chunk or finishReason, and the error event relayed or the connection cut",
    source=(GATEWAY_BUGS.at("§5 rule 19; F29, new-api fork failureSSE"), GEMINI_API.at("§6 Errors: mid-stream error events")),
    needs=RELAYED_STREAM,
    reads=failed_stream_probes,
)
def failed_stream_not_completed():
    for probe in failed_stream_probes():
        _stream_fails_visibly(probe)


def _stream_fails_visibly(probe) -> None:
    """No chunk beyond the upstream's, none finished; an error event, a cut, or an error status."""
    sent, client = [event.body for event in probe.upstream.sent], probe.client_events()
    chunks = [event for event in client if "error" not in event]
    finished = [index for index, chunk in enumerate(chunks) if any(_finish_reasons(chunk))]
    if len(chunks) > len([event for event in sent if "error" not in event]) or finished:
        raise probe.failure("the failed stream", [(f"$chunk[{(finished or [len(chunks) - 1])[0]}]", sent, client)])
    if len(chunks) == len(client) and not probe.exchange.transport_error and probe.exchange.status == 200:
        raise expect.fail(
            f"the upstream's {probe.scenario.replace('_', ' ')} reached the client as a cleanly ended stream",
            probe.exchange,
            expected="the upstream's error event (or a Google error event), or a cut connection",
            actual=f"HTTP {probe.exchange.status}, {len(chunks)} chunk(s), then a clean end",
        )


@rule(
    "FID-08",
    MUST,
    "a blocked prompt (promptFeedback, no candidates) reaches the client as the upstream's HTTP 200 body",
    source=(GATEWAY_BUGS.at("§5 rule 18; F28, litellm#40477"), GEMINI_API.at("§3 PromptFeedback.BlockReason: HTTP 200")),
    needs=RELAYED,
    reads=blocked_prompt_probe,
)
def blocked_prompt_passed_through():
    _same_events([blocked_prompt_probe()], "the blocked-prompt answer", _whole)


@rule(
    "FID-09",
    MUST,
    "a whole response reaches the client exactly: no key added, dropped or renamed (citationSources, safetyRatings, avgLogprobs, ...), no value changed",
    source=(GATEWAY_BUGS.at("§5 rules 14, 25; litellm native transform citationSources->citations"), PASSTHROUGH, UNCHANGED),
    needs=RELAYED,
    reads=rich_response_probe,
)
def whole_response_exact():
    _same_events([rich_response_probe()], "the response", _whole)


@rule(
    "FID-22",
    MUST,
    "a stream reaches the client event for event as the upstream sent it: no event dropped (a final event of "
    "usageMetadata alone included) or added, and in each no part, key or value dropped, added or changed "
    "(the first part alone, an empty usageMetadata where none was sent)",
    source=(
        GATEWAY_BUGS.at("§5 rules 14, 25; litellm native transform citationSources->citations"),
        GEMINI_API.at("§6 Streaming"),
        PASSTHROUGH,
        UNCHANGED,
    ),
    needs=RELAYED_STREAM,
    reads=stream_events_probe,
)
def stream_events_exact():
    _same_events([stream_events_probe()], "the stream", _whole)


@rule(
    "FID-10",
    MUST,
    f"stream events are relayed as they come: the first within {PROMPT_S:g} s of the upstream's, the rest not coalesced",
    source=(GATEWAY_BUGS.at("§5 rule 2; CLIProxyAPI#593, uni-api#146"), PASSTHROUGH),
    needs=RELAYED_STREAM,
    reads=cumulative_stream_probe,
)
def events_relayed_promptly():
    probe = cumulative_stream_probe()
    sent = [event.at_s for event in probe.upstream.sent]
    arrived = [probe.exchange.arrival(event.end) for event in probe.exchange.sse.chunk_events()]
    if len(arrived) != len(sent):
        raise probe.failure("the number of stream events", [("$", f"{len(sent)} events", f"{len(arrived)} events")])
    lag, spread = arrived[0] - sent[0], arrived[-1] - arrived[0]
    if lag > PROMPT_S or spread < (sent[-1] - sent[0]) - PROMPT_S:
        raise expect.fail(
            f"the stream was held back: its first event reached the client {lag:.2f} s after the upstream sent it,"
            f" its {len(arrived)} events within {spread:.2f} s",
            probe.exchange,
            expected=f"the first event within {PROMPT_S:g} s; events spread like the upstream's (sent at {', '.join(f'{s:.2f}' for s in sent)} s)",
            actual=f"arrived at {', '.join(f'{a:.2f}' for a in arrived)} s after the request",
        )


@rule(
    "FID-11",
    SHOULD,
    "a long upstream silence before the first byte is waited out, not cut by a gateway timeout",
    source=(GATEWAY_BUGS.at("§5 rule 23; F33, sub2api#4798"), AIONE_NATIVE.at("Limitations & Notes 4: timeouts of at least 600 seconds")),
    needs=RELAYED_STREAM,
    reads=long_silence_probe,
)
def long_silence_waited_out():
    _same_events([long_silence_probe()], "the parts", _parts)


def _received(probe):
    """What the upstream received, parsed; the check fails if it is not JSON."""
    body = probe.upstream.json()
    if not isinstance(body, dict):
        raise expect.fail("the upstream received a body that is not a JSON object", probe.exchange, actual=expect.cut(probe.exchange, probe.upstream.body.decode("utf-8", "replace"), 200))
    return body


def _forwarded(probe, received, *, exact: bool) -> None:
    found = differences(normalized(probe.sent), normalized(received), extra_ok=not exact)
    if found:
        path, sent, got = found[0]
        raise expect.fail(
            f"the upstream did not receive the request as the client sent it, at {path}" + more(found),
            probe.exchange,
            path=path,
            expected=f"as the client sent it: {sent!r}" if sent != "(absent)" else "nothing the client did not send",
            actual=f"the upstream received {got!r}",
            details=listed(found, "the client sent", "the upstream received", probe.exchange.redactor),
        )


@rule(
    "FID-12",
    MUST,
    "every request field the client sent (systemInstruction, safetySettings, tools, toolConfig, generationConfig incl. thinkingConfig, history with signatures) reaches the upstream unchanged",
    source=(GATEWAY_BUGS.at("§5 rules 10, 13; litellm#12671, new-api#1431"), GEMINI_API.at("§9 rule 5: forward generationConfig intact")),
    needs=RELAYED,
    reads=every_field_probe,
)
def request_fields_forwarded():
    probe = every_field_probe()
    _forwarded(probe, _received(probe), exact=False)


@rule(
    "FID-13",
    MUST,
    "snake_case request fields reach the upstream once: never dropped, never doubled as camelCase",
    source=(GATEWAY_BUGS.at("§5 rule 13; new-api#2448, Aether#161, litellm#37028"), GEMINI_API.at("§1 proto3 JSON mapping: both spellings")),
    needs=RELAYED,
    reads=snake_case_probe,
)
def snake_case_forwarded_once():
    probe = snake_case_probe()
    received = _received(probe)
    doubled = list(doubled_fields(received))
    if doubled:
        raise expect.fail(
            f"the upstream received a field spelled both ways: {doubled[0]} (Google rejects the doubled field)",
            probe.exchange,
            path=doubled[0],
            expected="each field once, as the client spelled it (or renamed)",
            actual=f"{len(doubled)} doubled field(s)",
        )
    _forwarded(probe, received, exact=False)


@rule(
    "FID-14",
    MUST,
    "the upstream receives nothing the client did not send: no injected system prompt, setting or thinkingConfig",
    source=(GATEWAY_BUGS.at("§5 rule 14; new-api channel SystemPrompt and param override, F23"), PASSTHROUGH),
    needs=RELAYED,
    reads=echo_probes_by_placement,
)
def nothing_injected(target):
    probe = echo_probes_by_placement()[target.default_auth]
    _forwarded(probe, _received(probe), exact=True)


@rule(
    "FID-15",
    MUST,
    "countTokens reaches the upstream as countTokens (not a billed generation), and its answer comes back unchanged",
    source=(GATEWAY_BUGS.at("§5 rule 12; new-api#7283, PR#7388"), GEMINI_API.at("§4 CountTokens")),
    needs=Needs(actions=("countTokens",), models=("text",)) + FIDELITY,
    reads=count_tokens_probe,
)
def count_tokens_relayed_as_such():
    probe = count_tokens_probe()
    if probe.upstream.action != COUNTED or not GOOGLE_ACTION_PATH.fullmatch(probe.upstream.path):
        raise expect.fail(
            f"the client's countTokens reached the upstream as {probe.upstream.method} {probe.upstream.path}",
            probe.exchange,
            expected="POST /v1beta/models/{model}:countTokens upstream",
            actual=f"{probe.upstream.method} {probe.upstream.path}",
        )
    _same_events([probe], "the countTokens answer", _whole)


@rule(
    "FID-16",
    MUST,
    "the client's API key never reaches the upstream, in any header, query parameter or the body",
    source=(GATEWAY_BUGS.at("§5 rule 7; one-api proxy pass-through, F13"), GEMINI_API.at("§1 Auth")),
    needs=RELAYED,
    reads=echo_probes_by_placement,
)
def client_key_not_forwarded(client):
    for placement, probe in echo_probes_by_placement().items():
        leaks = contains(client.key, probe.upstream) if client.key else []
        if leaks:
            raise expect.fail(
                f"the client's key (sent as {placement}) reached the upstream in {leaks[0]}",
                probe.exchange,
                expected="the gateway's own upstream credential only",
                actual=", ".join(leaks),
            )


@rule(
    "FID-17",
    MUST,
    "the gateway authenticates upstream with its own credential, once, where Google reads an API key: the "
    "x-goog-api-key header or the ?key= query parameter (not Bearer, which Google reads as an OAuth token), "
    "and nowhere else",
    source=(GATEWAY_BUGS.at("§5 rule 7; xalgorix#2, litellm#7830, DFIR-Companion#516"), GEMINI_API.at("§1 Auth: x-goog-api-key; Bearer is OAuth")),
    needs=RELAYED,
    reads=echo_probes_by_placement,
)
def upstream_key_where_google_reads_it(upstream):
    for probe in echo_probes_by_placement().values():
        places = contains(upstream.key, probe.upstream)
        if _key_sent_once_where_google_reads_it(probe.upstream, upstream.key) is None:
            raise expect.fail(
                "the upstream credential did not arrive once, as x-goog-api-key or ?key=",
                probe.exchange,
                expected="x-goog-api-key: $UPSTREAM_KEY or ?key=$UPSTREAM_KEY, and the key nowhere else",
                actual=f"the key in: {', '.join(places) or 'nowhere'}",
            )


def _key_sent_once_where_google_reads_it(record, key: str) -> str | None:
    """Where the upstream request carried ``key``, if that was once and exactly as one of Google's
    API-key placements carries it (the header, or the query parameter): else None."""
    places = contains(key, record)
    if places == [HEADER_KEY_PLACE] and record.header("x-goog-api-key") == [key]:
        return HEADER_KEY_PLACE
    if places == [QUERY_KEY_PLACE] and [value for name, value in record.query if name == "key"] == [key]:
        return QUERY_KEY_PLACE
    return None


@rule(
    "FID-18",
    MUST,
    "the upstream is called at Google's path for the action, /v1beta/models/{model}:{action} (or /v1), for the "
    "model the client asked for (or the one the target declares it maps it to): never a doubled prefix, never a "
    "shortened or substituted model",
    source=(GATEWAY_BUGS.at("§5 rule 16: MUST route the path model verbatim"), GEMINI_API.at("§1 Endpoints, auth, JSON mapping")),
    needs=RELAYED_BOTH,
    reads=(rich_response_probe, cumulative_stream_probe),
)
def upstream_path_and_model(target):
    # countTokens' path is FID-15's (it reads the countTokens probe only where the action is declared).
    mapped = target.upstream.upstream_model if target.upstream is not None else (lambda model: model)
    for probe in (rich_response_probe(), cumulative_stream_probe()):
        record, model = probe.upstream, mapped(probe.exchange.model or "")
        if not GOOGLE_ACTION_PATH.fullmatch(record.path) or f"/models/{model}:" not in record.path:
            raise expect.fail(
                f"the gateway called the upstream at {record.path} for the client's {probe.exchange.action} of {probe.exchange.model}",
                probe.exchange,
                expected=f"/v1beta/models/{model}:<action> (or /v1/...)",
                actual=f"{record.method} {record.path}",
            )


@rule(
    "FID-19",
    MUST,
    "a request error the upstream answers (400 INVALID_ARGUMENT) reaches the client as sent, after one upstream "
    "call: the gateway does not send it again (it fails the same every time, and each try counts against the quota)",
    source=(GATEWAY_BUGS.at("§5 rule 5: MUST preserve the upstream HTTP status and error.details"), GEMINI_API.at("§5 Errors")),
    needs=RELAYED,
    reads=request_error_probe,
)
def request_error_not_retried():
    probe = request_error_probe()
    if len(probe.records) > 1:
        raise expect.fail(
            f"the gateway sent the request the upstream refused with HTTP {probe.records[0].status} {len(probe.records)} times",
            probe.exchange,
            expected="one upstream call, its 400 relayed",
            actual=f"{len(probe.records)} upstream calls for one client request",
        )
    _same_events([probe], "the error", _whole)


@rule(
    "FID-20",
    SHOULD,
    "no response header the client gets names the upstream's address or carries its credential (a provider's "
    "channel configuration is not the client's business, and a key in a header ends up in logs)",
    source=(GATEWAY_BUGS.at("§5 rule 7"), GEMINI_API.at("§1 Auth")),
    needs=RELAYED_BOTH,
    reads=(rich_response_probe, cumulative_stream_probe),
)
def upstream_not_exposed(upstream):
    probes = (rich_response_probe(), cumulative_stream_probe())  # first: without an upstream they skip, saying why
    address = urlsplit(upstream.base_url).netloc
    for probe in probes:
        exposed = [
            name for name, value in probe.exchange.headers.multi_items()
            if address in value or (upstream.key and upstream.key in value)
        ]
        if exposed:
            raise expect.fail(
                f"the response header(s) {', '.join(exposed)} name the upstream's address or carry its credential",
                probe.exchange,
                expected=f"no header naming {address} or carrying $UPSTREAM_KEY",
                actual=", ".join(exposed),
            )


@rule(
    "FID-21",
    SHOULD,
    "the gateway sends its upstream credential in the x-goog-api-key header, not as ?key= in the URL (Google reads "
    "both, but a URL is written to access logs on the way)",
    source=(GATEWAY_BUGS.at("§5 rule 7: MUST NOT log or echo ?key; DFIR-Companion#516, litellm#10983"),),
    needs=RELAYED,
    reads=echo_probes_by_placement,
)
def upstream_key_in_header(upstream):
    for probe in echo_probes_by_placement().values():
        place = _key_sent_once_where_google_reads_it(probe.upstream, upstream.key)
        if place is None:
            blocked("the upstream credential is not once where Google reads an API key", by="FID-17")
        if place == QUERY_KEY_PLACE:
            raise expect.fail(
                "the upstream credential went up in the URL (?key=), not in the x-goog-api-key header",
                probe.exchange,
                expected="x-goog-api-key: $UPSTREAM_KEY",
                actual="?key=$UPSTREAM_KEY",
            )


@rule(
    "FID-23",
    SHOULD,
    "a batch of embeddings reaches the upstream as the client sent it (each request's model, content, taskType, "
    "title and outputDimensionality), and the embeddings come back unchanged",
    source=(GATEWAY_BUGS.at("§5 rule 22"), GEMINI_API.at("§4 CountTokens, Embed, Models")),
    needs=Needs(actions=("batchEmbedContents",), models=("embedding",)) + FIDELITY,
    reads=batch_embed_probe,
)
def embeddings_relayed_as_sent():
    # An OpenAI-style embeddings call has one input list and a dimensions field: a translation through
    # it loses each request's taskType and title, which change the vectors Google returns.
    probe = batch_embed_probe()
    _forwarded(probe, _received(probe), exact=True)
    _same_events([probe], "the embeddings", _whole)
