"""The recipes of the fidelity area: what its checks (conformance/checks/fidelity.py) read."""

from __future__ import annotations

from conformance.fidelity import COUNTED, EMBEDDED, STREAMED, WHOLE, send_probe
from conformance.outcomes import no_key, not_applicable
from conformance.recipes.engine import recipe


def _probe(client, target, upstream, scenario, mode=WHOLE, auth=None, body="marked"):
    """One marked request through the gateway, and the upstream's record of it (conformance/fidelity.py)."""
    if upstream is None:
        spec = target.upstream
        if spec is not None:
            no_key(f"set {spec.key_env} (the upstream key its gateway is configured with) to run the fidelity checks of target {target.name}")
        not_applicable(f"target {target.name} declares no upstream (targets.yaml upstream: {{port, key_env}})")
    return send_probe(client, target, upstream, scenario, mode, auth, body)


def _probes(name: str, scenario: str | None = None, modes=(STREAMED, WHOLE), variants=None):
    """A recipe of one probe per mode of ``scenario`` (or per {scenario, mode} of ``variants``), read as a list."""
    each = variants or [{"scenario": scenario, "mode": mode} for mode in modes]
    return recipe(_probe, name=name, each=each)


cumulative_stream_probes = _probes("cumulative_stream_probes", "cumulative_stream")


finish_reason_probes = _probes("finish_reason_probes", variants=[
    {"scenario": "cumulative_stream", "mode": STREAMED},
    {"scenario": "max_tokens", "mode": STREAMED},
    {"scenario": "max_tokens", "mode": WHOLE},
    {"scenario": "safety", "mode": WHOLE},
])


thought_probes = _probes("thought_probes", "thoughts")


function_call_probes = _probes("function_call_probes", "function_calls", (WHOLE, STREAMED))


big_image_probes = _probes("big_image_probes", "big_image", (WHOLE, STREAMED))


upstream_error_probes = _probes("upstream_error_probes", variants=[
    {"scenario": "rate_limited", "mode": WHOLE}, {"scenario": "internal_error", "mode": WHOLE}
])


request_error_probe = recipe(_probe, name="request_error_probe", scenario="invalid_argument", mode=WHOLE)


failed_stream_probes = _probes("failed_stream_probes", variants=[
    {"scenario": "error_after_first_chunk", "mode": STREAMED}, {"scenario": "dropped_stream", "mode": STREAMED}
])


blocked_prompt_probe = recipe(_probe, name="blocked_prompt_probe", scenario="blocked_prompt", mode=WHOLE)


rich_response_probe = recipe(_probe, name="rich_response_probe", scenario="rich_response", mode=WHOLE)
stream_events_probe = recipe(_probe, name="stream_events_probe", scenario="stream_events", mode=STREAMED)


# FID-10 judges timing: its stream is fetched alone, not beside the 8 MB image probes.
cumulative_stream_probe = recipe(_probe, name="cumulative_stream_probe", scenario="cumulative_stream", mode=STREAMED, alone=True)


# A minute and more of silence by design: fetched before the other probes, so it costs the run that once.
long_silence_probe = recipe(_probe, name="long_silence_probe", scenario="long_silence", mode=STREAMED, first=True)


every_field_probe = recipe(_probe, name="every_field_probe", scenario="echo", mode=WHOLE, body="every_field")


snake_case_probe = recipe(_probe, name="snake_case_probe", scenario="echo", mode=WHOLE, body="snake_case")


count_tokens_probe = recipe(_probe, name="count_tokens_probe", scenario="count_tokens", mode=COUNTED, body="count_tokens")


batch_embed_probe = recipe(_probe, name="batch_embed_probe", scenario="embeddings", mode=EMBEDDED, body="batch_embed")


@recipe
def echo_probes_by_placement(client, target, upstream):
    """{placement: probe}: one relayed echo per key placement the target declares."""
    return {placement: _probe(client, target, upstream, "echo", auth=placement) for placement in target.auth or (None,)}
