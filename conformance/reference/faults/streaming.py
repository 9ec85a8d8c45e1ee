"""Faults that break rules of the streaming area (conformance/checks/streaming.py) first."""

from __future__ import annotations

from ..wire import JSON
from .fault import Fault
from .transforms import (
        cumulative_text,
        drop_from_candidates,
        drop_keys,
        flush_once_at_the_end,
        for_each_chunk,
        gathered_into_one_event,
        json_split_before,
        no_blank_line_after_last,
        opening_chunk_with_nan,
        response_id_per_chunk,
        sse_frames_as_json_array,
        usage_as_deltas,
        usage_on_first_chunk_only,
)

FAULTS = (
    Fault(
        "stream_content_type_json",
        "The SSE stream is labelled application/json (bugs F5).",
        ("STREAM-01",),
        media_types={"sse": JSON},
    ),
    Fault(
        "done_sentinel",
        "An OpenAI-style `data: [DONE]` event ends the stream (BerriAI/litellm PR#29426).",
        ("STREAM-02", "SSE-04", "SDK-02"),
        frame_sse=lambda frames: [*frames, b"data: [DONE]\r\n\r\n"],
    ),
    Fault(
        "keepalive_comments",
        "A `: keep-alive` comment precedes every event (bugs F2); google-genai fails on it.",
        ("STREAM-02", "SSE-01", "SDK-02"),
        frame_sse=lambda frames: [b": keep-alive\r\n\r\n" + frame for frame in frames],
    ),
    Fault(
        "data_without_space",
        "Events are written as `data:{json}` without the space (bugs F3).",
        ("STREAM-02", "SSE-03", "SDK-02"),
        frame_sse=lambda frames: [frame.replace(b"data: ", b"data:", 1) for frame in frames],
    ),
    Fault(
        "stream_usage_deltas",
        "Per-chunk usage deltas instead of cumulative counts; the prompt only on the first chunk "
        "(ding113/claude-code-hub PR#691, agno-agi/agno#6264).",
        ("STREAM-04",),
        reshape={"streamGenerateContent": usage_as_deltas},
    ),
    Fault(
        "stream_final_finish_reason_dropped",
        "No chunk carries finishReason; SDKs report 'stream ended without a finish reason' "
        "(router-for-me/CLIProxyAPI#5226).",
        ("STREAM-05",),
        reshape={"streamGenerateContent": for_each_chunk(drop_from_candidates("finishReason"))},
    ),
    Fault(
        "stream_usage_only_on_first_chunk",
        "Usage is attached to the first chunk only, so final totals are lost (ding113/claude-code-hub PR#691).",
        ("STREAM-06",),
        reshape={"streamGenerateContent": usage_on_first_chunk_only},
    ),
    Fault(
        "buffered_stream",
        "The gateway buffers the upstream stream and flushes it in one write at the end "
        "(router-for-me/CLIProxyAPI#593, yym68686/uni-api#146).",
        ("STREAM-07",),
        schedule=flush_once_at_the_end,
    ),
    Fault(
        "stream_gathered_into_one_event",
        "A translating layer waits for the whole upstream answer and sends it as one event, so a long "
        "answer arrives all at once (CLIProxyAPI#593, uni-api#146: buffering, by another name).",
        ("STREAM-07",),
        reshape={"streamGenerateContent": gathered_into_one_event},
    ),
    Fault(
        "event_field_lines",
        "Every event is preceded by an `event: message` line (bugs F2; a new-api fork's failureSSE): "
        "google-genai raises, @google/genai silently drops the event.",
        ("STREAM-02", "SSE-02", "SDK-02"),
        frame_sse=lambda frames: [b"event: message\r\n" + frame for frame in frames],
    ),
    Fault(
        "json_split_across_data_lines",
        "Each event's JSON is continued on a second `data:` line (bugs F4; gemini-cli's "
        "'Incomplete JSON segment' behind gateways that split long events).",
        ("STREAM-02", "SSE-05"),
        frame_sse=json_split_before("usageMetadata"),
    ),
    Fault(
        "nan_in_opening_chunk",
        "An OpenAI-to-Gemini translator opens the stream with an empty role-only chunk whose avgLogprobs "
        "is NaN, which Python's json.dumps writes and JSON.parse rejects (bugs §1 new-api convert).",
        ("STREAM-02", "SSE-06", "STREAM-08"),
        reshape={"streamGenerateContent": opening_chunk_with_nan},
    ),
    Fault(
        "no_blank_line_after_last_event",
        "Blank lines are written between events, not after each, so the last event is unterminated "
        "(bugs F3; @google/genai: 'Incomplete JSON segment at the end').",
        ("STREAM-02", "SSE-07"),
        frame_sse=no_blank_line_after_last,
    ),
    Fault(
        "sse_body_as_json_array",
        "The gateway drops `alt=sse` when calling upstream and relays the JSON-array stream under SSE headers "
        "(facts §8: JSON array on an alt=sse request; cf. BerriAI/litellm#28777).",
        ("STREAM-02", "STREAM-03", "STREAM-04", "STREAM-05", "STREAM-06", "STREAM-07", "STREAM-09",
         "STREAM-10", "STREAM-11", "SHAPE-03", "IMG-03", "SDK-02"),
        frame_sse=sse_frames_as_json_array,
    ),
    Fault(
        "json_array_ignored_without_alt",
        "SSE is sent whatever `alt` says, so a stream requested without alt is not a JSON array "
        "(BerriAI/litellm#28777, PR#29034).",
        ("STREAM-08",),
        stream_format="sse",
    ),
    Fault(
        "response_id_changes_per_chunk",
        "A translating layer mints a fresh responseId for every chunk it converts (bugs §5 rule 25).",
        ("STREAM-09",),
        reshape={"streamGenerateContent": response_id_per_chunk},
    ),
    Fault(
        "stream_ids_dropped",
        "responseId and modelVersion are not carried over into the converted chunks "
        "(bugs §1 new-api ResponseOpenAI2Gemini; F24).",
        ("STREAM-10",),
        reshape={"streamGenerateContent": for_each_chunk(drop_keys("responseId", "modelVersion"))},
    ),
    Fault(
        "cumulative_text_chunks",
        "Each chunk carries the whole text so far instead of the new piece, so clients that concatenate "
        "(both SDKs) repeat the answer (facts §9 rule 27).",
        ("STREAM-11",),
        reshape={"streamGenerateContent": cumulative_text},
    ),
)
