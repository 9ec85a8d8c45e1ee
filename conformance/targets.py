"""targets.yaml: which gateways to certify and what each one declares.

The file's layout is a public contract (see README). It is validated against
``schemas/targets.schema.json``; any mistake becomes one ``TargetsFileError`` line naming the file,
the target and the key, which the plugin turns into a pytest usage error.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from conformance.client.limits import MAX_RESPONSE_MB, RetryPolicy, Timeouts

ALL = "all"
# Requests in flight to one target at once: few for a real gateway (rate limits), many for the
# suite's own loopback gateways, which limit nothing.
DEFAULT_CONCURRENCY = 4
REFERENCE_CONCURRENCY = 32


class TargetsFileError(Exception):
    """targets.yaml is malformed or names something that does not exist."""


@dataclass(frozen=True, slots=True)
class Expectations:
    """Statuses a target may answer with where the documents allow a choice."""

    # The seeds document 401; Google answers a wrong key 400 (ErrorInfo API_KEY_INVALID) and a missing
    # one 403 (PERMISSION_DENIED), so a gateway that passes Google's answers through is right too.
    auth_failure: tuple[int, ...] = (401, 403, 400)
    unsupported_action: tuple[int, ...] = (404, 501)
    image_stream_rejection: tuple[int, ...] = (503,)


@dataclass(frozen=True, slots=True)
class Deviation:
    rule: str
    reason: str
    until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ReferenceSpec:
    """The built-in reference gateway stands in for ``base_url``."""

    profile: str
    faults: tuple[str, ...] = ()
    latency_ms: int = 0
    path_prefix: str = ""  # serve the API under this path, as a gateway behind a reverse proxy
    replay: str | None = None  # serve these recordings instead (conformance/reference/replay.py)


# The long-silence scenario's wait before its first byte: longer than the read timeouts proxies in
# front of gateways commonly use (30 s and 60 s), so a gateway that gives up at either fails FID-11.
DEFAULT_SILENCE_S = 75.0


@dataclass(frozen=True, slots=True)
class UpstreamSpec:
    """The scripted upstream a relaying gateway is pointed at, for the fidelity checks.

    The suite starts it on host:port for the run (the gateway's channel points there), or, with
    ``url``, reads what an upstream started elsewhere recorded (GET /__recorded)."""

    key_env: str  # the variable holding the upstream credential the gateway is configured with
    port: int = 0
    host: str = "127.0.0.1"
    url: str | None = None
    silence_s: float = DEFAULT_SILENCE_S  # the long-silence scenario's wait before its first byte
    models: Mapping[str, str] = field(default_factory=dict)  # the model the gateway calls upstream for a client's model, where it maps one

    def upstream_model(self, model: str) -> str:
        return self.models.get(model, model)

    def key(self) -> str | None:
        return os.environ.get(self.key_env)


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    base_url: str | None = None
    api_key_env: str | None = None
    # A key the gateway answers with 429 (its quota or rate limit used up), to check rate-limit answers.
    rate_limited_key_env: str | None = None
    auth: tuple[str, ...] = ()
    models: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    actions: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    deviations: Mapping[str, Deviation] = field(default_factory=lambda: MappingProxyType({}))
    timeouts: Timeouts = Timeouts()
    expect: Expectations = Expectations()
    max_request_bytes: int | None = None
    max_response_mb: float = MAX_RESPONSE_MB  # the client keeps no more of a response (as sent or inflated)
    concurrency: int = DEFAULT_CONCURRENCY
    retries: RetryPolicy = RetryPolicy()
    docs: str | None = None
    reference: ReferenceSpec | None = None
    upstream: UpstreamSpec | None = None  # a relaying gateway's upstream: the fidelity checks apply

    @property
    def default_auth(self) -> str | None:
        return self.auth[0] if self.auth else None

    def model(self, role: str) -> str | None:
        return self.models.get(role)

    def missing_key_reason(self) -> str | None:
        """Why this target cannot run here, if its key variable is not set."""
        if self.reference is not None or not self.api_key_env:
            return None
        if os.environ.get(self.api_key_env):
            return None
        return f"set {self.api_key_env} to run target {self.name}"

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def rate_limited_key(self) -> str | None:
        return os.environ.get(self.rate_limited_key_env) if self.rate_limited_key_env else None


def declarations_of(target: Target) -> dict[str, Any]:
    """What a target declares, in targets.yaml's words: a replay of its run's evidence declares the
    same (the fidelity checks need the live upstream, so a replay does not declare them)."""
    return {
        "auth": list(target.auth),
        "actions": list(target.actions),
        "features": [feature for feature in target.features if feature != "fidelity"],
        "models": dict(target.models),
        "expect": {
            "auth_failure": list(target.expect.auth_failure),
            "unsupported_action": list(target.expect.unsupported_action),
            "image_stream_rejection": list(target.expect.image_stream_rejection),
        },
        **({"max_request_bytes": target.max_request_bytes} if target.max_request_bytes else {}),
    }


def load_targets(path: str | os.PathLike[str]) -> dict[str, Target]:
    file = Path(path)
    where = file.name
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TargetsFileError(f"{file}: file not found (pass --targets-file PATH)") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise TargetsFileError(f"{where}: {problem}{at}") from None
    return parse_targets(data, where, file.resolve().parent)


def parse_targets(data: Any, where: str, relative_to: Path | None = None) -> dict[str, Target]:
    """Targets from a targets.yaml-shaped value; ``where`` names its origin in error messages, and
    paths in it are relative to ``relative_to`` (the file's folder; default: the working directory)."""
    data = _dates_as_text(data)  # `until: 2026-12-31` unquoted is a YAML date; the contract is the text
    _validate(where, data)
    defaults = data.get("defaults") or {}
    return {name: _build_target(where, name, defaults, entry, relative_to or Path.cwd()) for name, entry in data["targets"].items()}


ADHOC_DEFAULTS = {
    "auth": ["x-goog-api-key"],  # what Google's SDKs send
    "actions": ["generateContent", "streamGenerateContent"],
    "features": ["sse"],
}


def adhoc_target(name: str, options: Mapping[str, Any]) -> Target:
    """A target given on the command line (--base-url ...) instead of in targets.yaml."""
    entry: dict[str, Any] = {"base_url": options["base_url"], "api_key_env": options["api_key_env"]}
    for key, default in ADHOC_DEFAULTS.items():
        entry[key] = list(options.get(key) or default)
    models = {}
    for pair in options.get("models") or []:
        role, sep, model = pair.partition("=")
        if not sep:
            raise TargetsFileError(f"command line: --model {pair!r}: expected ROLE=NAME, e.g. text=gemini-2.5-flash")
        models[role] = model
    entry["models"] = models
    return parse_targets({"targets": {name: entry}}, "command line")[name]


def select(targets: Mapping[str, Target], names: Iterable[str], where: str) -> list[Target]:
    chosen: list[Target] = []
    for name in names:
        if name == ALL:
            picks = list(targets.values())
        elif name in targets:
            picks = [targets[name]]
        else:
            known = ", ".join(targets) or "none"
            near = difflib.get_close_matches(name, list(targets), n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise TargetsFileError(f"{where}: unknown target {name!r} ({hint}known: {known}, or 'all')")
        chosen += [t for t in picks if t not in chosen]
    return chosen


def _dates_as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _dates_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def _validate(where: str, data: Any) -> None:
    """Every problem of the file at once, each on a line of its own naming the target and the key."""
    from conformance.schemas import validate

    if not isinstance(data, dict):
        raise TargetsFileError(f"{where}: expected a mapping with a 'targets' key")
    problems = [f"{where}: {_locate(v.path)}{_plain(v.path, v.message)}" for v in validate("targets", data)]
    problems += [f"{where}: {problem}" for problem in _unknown_words(data)]
    problems += [f"{where}: {problem}" for problem in _bad_base_urls(data)]
    if problems:
        raise TargetsFileError("\n".join(dict.fromkeys(problems)))


def _suggest(word: str, known: Iterable[str]) -> str:
    """ (did you mean 'x'?), for the nearest of ``known``; and the list, when it is short."""
    known = list(known)
    near = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]!r}? " if near else ""
    listed = f"known: {', '.join(known)}" if len(known) <= 16 else ""
    return f" ({hint}{listed})".replace(" )", ")") if hint or listed else ""


def _unknown_words(data: Mapping[str, Any]) -> list[str]:
    """Names the schema cannot know: features (an open list there) and the rule ids of deviations."""
    from conformance.vocabulary import FEATURES

    problems = []
    entries = data.get("targets") if isinstance(data.get("targets"), dict) else {}
    sections = [("defaults", data.get("defaults"))] + [(name, entry) for name, entry in entries.items()]
    rules: set[str] | None = None
    for name, entry in sections:
        if not isinstance(entry, dict):
            continue
        where = "defaults" if name == "defaults" else f"target {name!r}"
        features = entry.get("features") if isinstance(entry.get("features"), list) else []
        for index, feature in enumerate(features):
            if isinstance(feature, str) and feature not in FEATURES:
                problems.append(f"{where}, key 'features[{index}]': unknown feature {feature!r}{_suggest(feature, FEATURES)}")
        deviations = entry.get("deviations") if isinstance(entry.get("deviations"), dict) else {}
        if deviations and rules is None:
            from conformance.rules import load_all_rules

            rules = set(load_all_rules())
        for rule in deviations:
            if isinstance(rule, str) and rules is not None and rule not in rules:
                problems.append(f"{where}, key 'deviations': no rule {rule!r}{_suggest(rule, sorted(rules))}")
    return problems


def _bad_base_urls(data: Mapping[str, Any]) -> list[str]:
    """A base_url the client cannot use, or one that carries credentials (they would be written into
    every report and certificate; the key belongs in api_key_env)."""
    from urllib.parse import urlsplit

    problems = []
    entries = data.get("targets") if isinstance(data.get("targets"), dict) else {}
    for name, entry in entries.items():
        url = entry.get("base_url") if isinstance(entry, dict) else None
        if not isinstance(url, str):
            continue
        where = f"target {name!r}, key 'base_url'"
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError as error:
            problems.append(f"{where}: not a URL the suite can call ({error})")
            continue
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(f"{where}: not an http(s) URL with a host")
        elif parts.username is not None or parts.password is not None:
            problems.append(f"{where}: carries credentials (user:password@); put the key in the variable api_key_env names")
    return problems


_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
# What an enum value in targets.yaml is, by the key it is under.
_ENUM_WORDS = {"auth": "auth placement", "actions": "action"}


def _locate(path: str) -> str:
    """'$.targets.aione.auth[0]' -> "target 'aione', key 'auth[0]': "."""
    steps = [name or f"[{index}]" for name, index in _STEP.findall(path)]
    if len(steps) >= 2 and steps[0] == "targets":
        key = "".join(s if s.startswith("[") else f".{s}" for s in steps[2:]).lstrip(".")
        return f"target {steps[1]!r}, key {key!r}: " if key else f"target {steps[1]!r}: "
    if steps:
        return f"key {'.'.join(steps)!r}: "
    return ""


def _plain(path: str, message: str) -> str:
    from conformance.vocabulary import MODEL_ROLES

    unexpected = re.search(r"\('(.+?)' (?:was|were) unexpected\)", message)
    if unexpected:
        word = unexpected.group(1).split("', '")[0]
        if path.endswith(".models"):
            return f"unknown model role {word!r}{_suggest(word, MODEL_ROLES)}"
        return f"unknown key {unexpected.group(1)!r}{_suggest(word, _target_keys())}"
    required = re.fullmatch(r"'(.+?)' is a required property", message)
    if required:
        hint = " (or reference: PROFILE for the built-in gateway)" if required.group(1) == "base_url" else ""
        return f"missing key {required.group(1)!r}{hint}"
    enum = re.fullmatch(r"'(.+?)' is not one of \[(.*)\]", message)
    key = re.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1]
    if enum and key in _ENUM_WORDS:
        known = re.findall(r"'([^']+)'", enum.group(2))
        return f"unknown {_ENUM_WORDS[key]} {enum.group(1)!r}{_suggest(enum.group(1), known)}"
    return message


@functools.cache
def _target_keys() -> tuple[str, ...]:
    """The keys a target may have, from the schema (read only when a file has an unknown key)."""
    import json

    from conformance.schemas import SCHEMA_DIR

    schema = json.loads((SCHEMA_DIR / "targets.schema.json").read_text(encoding="utf-8"))
    fields = schema.get("$defs", {}).get("TargetFields", {}).get("properties", {})
    return tuple(fields) + ("reference", "upstream")



def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _build_target(
    where: str, name: str, defaults: Mapping[str, Any], entry: Mapping[str, Any], relative_to: Path
) -> Target:
    reference = _reference_spec(where, name, entry.get("reference"), relative_to)
    declared = dict(defaults)
    if reference is not None and reference.replay is not None:
        # A replay declares what its recordings answer, unless the entry says otherwise.
        from conformance.reference.replay import declarations

        declared = _merge(declared, declarations(Path(reference.replay)))
    elif reference is not None:
        # A reference target declares what its profile implements unless the entry says otherwise.
        declared = _merge(declared, _profile_declarations(reference.profile))
    declared = _merge(declared, entry)
    deviations = {
        rule: Deviation(rule, **({"reason": d} if isinstance(d, str) else _deviation_fields(d)))
        for rule, d in (declared.get("deviations") or {}).items()
    }
    return Target(
        name=name,
        base_url=declared.get("base_url"),
        api_key_env=declared.get("api_key_env"),
        rate_limited_key_env=declared.get("rate_limited_key_env"),
        auth=tuple(declared.get("auth") or ()),
        models=MappingProxyType(dict(declared.get("models") or {})),
        actions=tuple(declared.get("actions") or ()),
        features=_with_fidelity(tuple(declared.get("features") or ()), declared.get("upstream")),
        deviations=MappingProxyType(deviations),
        timeouts=Timeouts(**(declared.get("timeouts") or {})),
        expect=Expectations(**{k: tuple(v) for k, v in (declared.get("expect") or {}).items()}),
        max_request_bytes=declared.get("max_request_bytes"),
        max_response_mb=float(declared.get("max_response_mb") or MAX_RESPONSE_MB),
        concurrency=declared.get("concurrency", DEFAULT_CONCURRENCY if reference is None else REFERENCE_CONCURRENCY),
        retries=RetryPolicy(**(declared.get("retries") or {})),
        docs=declared.get("docs"),
        reference=reference,
        upstream=UpstreamSpec(**declared["upstream"]) if declared.get("upstream") else None,
    )


def _with_fidelity(features: tuple[str, ...], upstream: Any) -> tuple[str, ...]:
    """A target that declares its upstream declares the fidelity feature with it."""
    return features + ("fidelity",) if upstream and "fidelity" not in features else features


def _deviation_fields(d: Mapping[str, Any]) -> dict[str, Any]:
    until = d.get("until")
    if isinstance(until, str):
        until = dt.date.fromisoformat(until)
    return {"reason": d["reason"], "until": until}


def _reference_spec(where: str, name: str, value: Any, relative_to: Path) -> ReferenceSpec | None:
    if value is None:
        return None
    from conformance.reference import FAULTS, PROFILES

    if isinstance(value, dict) and value.get("replay") is not None:
        return _replay_spec(where, name, value, relative_to)
    if isinstance(value, dict) and "profile" not in value:
        raise TargetsFileError(f"{where}: target {name!r}, key 'reference': give a profile (reference: {{profile: full}}) or recordings to replay (reference: {{replay: PATH}})")
    spec = ReferenceSpec(profile=value) if isinstance(value, str) else ReferenceSpec(
        profile=value["profile"],
        faults=tuple(value.get("faults") or ()),
        latency_ms=int(value.get("latency_ms") or 0),
        path_prefix=value.get("path_prefix") or "",
    )
    if spec.profile not in PROFILES:
        known = ", ".join(PROFILES)
        raise TargetsFileError(
            f"{where}: target {name!r}, key 'reference': unknown profile {spec.profile!r} (known: {known})"
        )
    from conformance.relay import RELAY_FAULTS, RELAY_PROFILE

    faults, lister = (RELAY_FAULTS, "conformance.relay") if spec.profile == RELAY_PROFILE else (FAULTS, "conformance.reference")
    for fault in spec.faults:
        if fault not in faults:
            raise TargetsFileError(
                f"{where}: target {name!r}, key 'reference.faults': unknown fault {fault!r}"
                f" (list them with: python -m {lister} --list-faults)"
            )
    return spec


def _replay_spec(where: str, name: str, value: Mapping[str, Any], relative_to: Path) -> ReferenceSpec:
    """Recordings to replay: a folder or one sidecar, relative to the targets file."""
    extra = sorted(set(value) - {"replay", "latency_ms"})
    if extra:
        raise TargetsFileError(f"{where}: target {name!r}, key 'reference': a replay serves recordings as they are; {', '.join(extra)} does not apply to it")
    path = relative_to / value["replay"]
    if not path.exists():
        raise TargetsFileError(f"{where}: target {name!r}, key 'reference.replay': no such folder or sidecar: {path}")
    return ReferenceSpec(profile="google", latency_ms=int(value.get("latency_ms") or 0), replay=str(path))


def _profile_declarations(profile_name: str) -> dict[str, Any]:
    from conformance.reference import PROFILES

    profile = PROFILES[profile_name]
    return {
        "auth": list(profile.auth),
        "actions": list(profile.actions),
        "features": list(profile.features),
        "models": dict(profile.models),
        "max_request_bytes": profile.max_request_bytes,
        "docs": profile.source,
        "expect": {
            "auth_failure": sorted({profile.auth_failure_status, profile.invalid_key_status}),
            "unsupported_action": [profile.unsupported_status],
            "image_stream_rejection": [profile.image_stream_status or 503],
        },
    }
