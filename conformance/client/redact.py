"""Keep API keys out of everything the suite writes down.

Keys come from environment variables. Reports, logs, curl lines and failure
messages pass through a Redactor, which swaps each known secret for a
placeholder shaped like a shell variable (`$API_KEY`), so a redacted curl
line still runs after `export API_KEY=...`.

Besides the plain secret it also catches the forms a key takes on the way
through HTTP (URL-encoded in `?key=`, JSON-escaped in a body, base64), and,
as defence in depth for keys it was never told about, it blanks `key=` query
values and credential headers.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["DEFAULT_PLACEHOLDER", "KEY_PLACEHOLDERS", "COOKIE_PLACEHOLDER", "URL_PASSWORD_PLACEHOLDER", "Redactor"]

DEFAULT_PLACEHOLDER = "$API_KEY"
# The placeholder of each key a run knows, by the kind of key it is: what a report shows in its place,
# and how a redacted request still tells which key it carried (Exchange.key_carried).
KEY_PLACEHOLDERS = {"given": DEFAULT_PLACEHOLDER, "wrong": "$WRONG_KEY", "rate_limited": "$RATE_LIMITED_KEY", "upstream": "$UPSTREAM_KEY"}
COOKIE_PLACEHOLDER = "$COOKIE"
URL_PASSWORD_PLACEHOLDER = "$URL_PASSWORD"

_MIN_SECRET_LENGTH = 4
# Shorter secrets would make their base64 form a plausible accident in ordinary text.
_MIN_SECRET_LENGTH_FOR_BASE64 = 12
# A leading or trailing piece of a key this long, anywhere in a text, is taken for a cut key.
_MIN_FRAGMENT = 8
_SHELL_VARIABLE = re.compile(r"\$[A-Z][A-Z0-9_]*|\$\{[A-Z][A-Z0-9_]*\}")

# Headers that carry credentials; their values are blanked even when the secret is unknown.
_CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "x-goog-api-key", "x-api-key", "api-key"})
_COOKIE_HEADERS = frozenset({"cookie"})
# Authorization values are "<scheme> <credentials>"; keeping the scheme keeps the curl line meaningful.
_SCHEME_AND_CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)([ \t]+)(.*)$", re.DOTALL)
# Query parameters that carry keys. Google uses `key`; the others are common gateway spellings.
_KEY_PARAMETERS = frozenset({"key", "api_key", "apikey", "access_token"})
_QUERY_PARAMETER = re.compile(r"(?P<lead>^|[&;])(?P<name>[^=&;#]*)=(?P<value>[^&;#]*)")
_URL_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^/?#@:]*):(?P<password>[^/?#@]*)@")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


# (text pattern, bytes pattern, form -> placeholder, text screen): every spelling of every secret.
# The screen finds whether any spelling occurs at all, fast: most texts hold none.
_Forms = tuple["re.Pattern[str] | None", "re.Pattern[bytes] | None", dict[str, str], "re.Pattern[str] | None"]
# (anchors pattern, anchor -> [(secret, leading?, placeholder)]): the pieces of a cut secret.
_Pieces = tuple["re.Pattern[str] | None", dict[str, list[tuple[str, bool, str]]]]


class Redactor:
    def __init__(self, secrets: Mapping[str, str] | None = None) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}
        # (text pattern, bytes pattern, form -> placeholder, screen) and the fragments' anchors, compiled when
        # first needed after a change (a run of a hundred targets adds three keys each) and swapped
        # atomically, so readers never see a half-updated state.
        self._compiled: tuple[_Forms, _Pieces] = ((None, None, {}, None), (None, {}))
        self._stale = False
        for secret, placeholder in (secrets or {}).items():
            self.add(secret, placeholder)

    @property
    def placeholders(self) -> frozenset[str]:
        """Every placeholder this redactor may write, including the defence-in-depth ones."""
        with self._lock:
            known = set(self._secrets.values())
        return frozenset(known | {DEFAULT_PLACEHOLDER, COOKIE_PLACEHOLDER, URL_PASSWORD_PLACEHOLDER})

    def add(self, secret: str, placeholder: str) -> None:
        """Register a secret. Empty or very short secrets are ignored: replacing
        "abc" everywhere would mangle reports without protecting anything."""
        if not placeholder:
            raise ValueError("placeholder must not be empty")
        candidates = {secret, secret.strip()} if secret else set()
        with self._lock:
            changed = False
            for candidate in candidates:
                if len(candidate) >= _MIN_SECRET_LENGTH and self._secrets.get(candidate) != placeholder:
                    self._secrets[candidate] = placeholder
                    changed = True
            if changed:
                self._stale = True

    def _patterns(self) -> tuple[_Forms, _Pieces]:
        if self._stale:
            with self._lock:
                if self._stale:
                    self._compiled = (_compile(self._secrets), _compile_fragments(self._secrets))
                    self._stale = False
        return self._compiled

    # --- redaction -------------------------------------------------------------

    def text(self, s: str) -> str:
        (pattern, _, forms, screen), (anchors, pieces) = self._patterns()
        if pattern is None or not s:
            return s
        if screen.search(s):
            s = pattern.sub(lambda match: forms[_canonical(match.group())], s)
        # A key cut in two by a truncation somewhere (a gateway's padding, a tool's excerpt) leaves a
        # long piece of itself: its first or last eight characters or more are blanked too.
        return _blank_pieces(s, anchors, pieces) if anchors is not None else s

    def data(self, value: Any) -> Any:
        """Every string inside a JSON-like value, redacted (evidence travels as such values)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value

    def bytes(self, b: bytes) -> bytes:
        (_, pattern, forms, _), _ = self._patterns()
        if pattern is None or not b:
            return b
        return pattern.sub(lambda match: forms[_canonical(match.group().decode("utf-8"))].encode("utf-8"), b)

    def url(self, url: str) -> str:
        url = self.text(url)
        url = _URL_USERINFO.sub(self._redact_userinfo, url, count=1)
        base, hash_mark, fragment = url.partition("#")
        path, question_mark, query = base.partition("?")
        if not question_mark:
            return url
        query = _QUERY_PARAMETER.sub(self._redact_query_parameter, query)
        return f"{path}?{query}{hash_mark}{fragment}"

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(name, self._redact_header(name, value)) for name, value in _header_pairs(headers)]

    # --- helpers ---------------------------------------------------------------

    def _is_placeholder(self, value: str) -> bool:
        return bool(_SHELL_VARIABLE.fullmatch(value)) or value in self.placeholders

    def _redact_query_parameter(self, match: re.Match[str]) -> str:
        name, value = match.group("name"), match.group("value")
        if name.lower() not in _KEY_PARAMETERS or not value or self._is_placeholder(value):
            return match.group()
        return f"{match.group('lead')}{name}={DEFAULT_PLACEHOLDER}"

    def _redact_userinfo(self, match: re.Match[str]) -> str:
        password = match.group("password")
        if not password or self._is_placeholder(password):
            return match.group()
        return f"{match.group('scheme')}{match.group('user')}:{URL_PASSWORD_PLACEHOLDER}@"

    def _redact_header(self, name: str, value: str) -> str:
        value = self.text(value)
        lowered = name.strip().lower()
        if lowered in _COOKIE_HEADERS:
            return value if not value or self._is_placeholder(value) else COOKIE_PLACEHOLDER
        if lowered not in _CREDENTIAL_HEADERS:
            return value
        if not value.strip() or self._is_placeholder(value.strip()):
            # An empty credential (a "missing key" test) has nothing to hide.
            return value
        if lowered.endswith("authorization"):
            scheme = _SCHEME_AND_CREDENTIALS.match(value)
            if scheme:
                credentials = scheme.group(3)
                if not credentials.strip() or self._is_placeholder(credentials.strip()):
                    return value
                return f"{scheme.group(1)}{scheme.group(2)}{DEFAULT_PLACEHOLDER}"
        return DEFAULT_PLACEHOLDER


def _header_pairs(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    # httpx.Headers folds repeated headers in .items(); multi_items() keeps them apart.
    multi_items = getattr(headers, "multi_items", None)
    if callable(multi_items):
        return [(str(name), str(value)) for name, value in multi_items()]
    if isinstance(headers, Mapping):
        return [(str(name), str(value)) for name, value in headers.items()]
    return [(str(name), str(value)) for name, value in headers]


def _forms(secret: str) -> set[str]:
    """The spellings under which a secret can show up in captured traffic."""
    forms = {secret}
    forms.update((quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)))
    forms.add(json.dumps(secret)[1:-1])                       # JSON string body, ASCII-escaped
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])   # JSON string body, raw UTF-8
    if len(secret) >= _MIN_SECRET_LENGTH_FOR_BASE64:
        raw = secret.encode("utf-8")
        for encoder in (base64.b64encode, base64.urlsafe_b64encode):
            forms.add(encoder(raw).decode("ascii").rstrip("="))
            # Inside a larger base64 blob the key starts at any of three offsets of a 3-byte group;
            # the characters that encode only the key's own bytes are the same whatever surrounds it.
            for offset in (0, 1, 2):
                encoded = encoder(b"\0" * offset + raw).decode("ascii")
                whole_groups = (offset + len(raw)) // 3
                forms.add(encoded[4 if offset else 0 : 4 * whole_groups])
    return {form for form in forms if len(form) >= _MIN_SECRET_LENGTH}


def _compile(secrets: Mapping[str, str]) -> tuple[re.Pattern[str] | None, re.Pattern[bytes] | None, dict[str, str]]:
    forms: dict[str, str] = {}
    # Longest secrets first, so a secret that contains another one is replaced
    # whole rather than leaving a fragment of itself around its inner secret.
    for secret in sorted(secrets, key=len, reverse=True):
        for form in sorted(_forms(secret), key=len, reverse=True):
            forms.setdefault(_canonical(form), secrets[secret])
    if not forms:
        return None, None, {}, None
    ordered = [_form_regex(form) for form in sorted(forms, key=len, reverse=True)]
    text_pattern = re.compile("|".join(ordered))
    bytes_pattern = re.compile("|".join(ordered).encode("utf-8"))
    # The longest form at a position is what the ordered alternation replaces; the screen only says
    # whether any form occurs, which a trie of their regex pieces tells without trying each form at
    # each position (a run of a hundred targets knows a thousand forms).
    screen = re.compile(_trie_regex([_regex_pieces(form) for form in forms]))
    return text_pattern, bytes_pattern, forms, screen


def _compile_fragments(secrets: Mapping[str, str]) -> _Pieces:
    """Anchors of the leading and trailing pieces of each secret long enough that a piece of eight
    characters cannot be an accident of ordinary text: its first and its last eight characters
    (every such piece holds one of them), each with the secret, which end it is, and its placeholder."""
    anchors: dict[str, list[tuple[str, bool, str]]] = {}
    for secret, placeholder in secrets.items():
        if len(secret) >= _MIN_SECRET_LENGTH_FOR_BASE64:
            anchors.setdefault(secret[:_MIN_FRAGMENT], []).append((secret, True, placeholder))
            anchors.setdefault(secret[-_MIN_FRAGMENT:], []).append((secret, False, placeholder))
    if not anchors:
        return None, {}
    # Anchors are distinct and all as long, so at most one matches at a position: a trie finds the
    # same ones as the plain alternation, without trying each anchor at each position.
    return re.compile("(?=(" + _trie_regex([[re.escape(c) for c in anchor] for anchor in anchors]) + "))"), anchors


def _blank_pieces(s: str, anchors: re.Pattern[str], pieces: dict[str, list[tuple[str, bool, str]]]) -> str:
    """Each piece of a secret that starts at its head anchor or ends at its tail anchor, as far as it
    goes, swapped for the secret's placeholder."""
    spans: list[tuple[int, int, str]] = []
    for match in anchors.finditer(s):  # every position, overlapping ones too (a lookahead)
        anchor = match.group(1)
        start, end = match.start(), match.start() + len(anchor)
        for secret, head, placeholder in pieces[anchor]:
            if head:
                spans.append((start, start + _common_prefix(s, start, secret), placeholder))
            else:
                spans.append((end - _common_suffix(s, end, secret), end, placeholder))
    if not spans:
        return s
    merged: list[list] = []
    for start, end, placeholder in sorted(spans):
        if merged and start <= merged[-1][1]:  # overlapping pieces are one piece
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, placeholder])
    out, position = [], 0
    for start, end, placeholder in merged:
        out += [s[position:start], placeholder]
        position = end
    return "".join(out) + s[position:]


def _common_prefix(s: str, at: int, secret: str) -> int:
    length = 0
    while length < len(secret) and at + length < len(s) and s[at + length] == secret[length]:
        length += 1
    return length


def _common_suffix(s: str, end: int, secret: str) -> int:
    length = 0
    while length < len(secret) and end - length > 0 and s[end - length - 1] == secret[-length - 1]:
        length += 1
    return length


def _canonical(form: str) -> str:
    """Percent-escapes are case-insensitive (%2f == %2F); compare them upper-cased."""
    return _PERCENT_ESCAPE.sub(lambda match: match.group().upper(), form)


def _form_regex(form: str) -> str:
    """A regex for `form` that matches its percent-escapes in any letter case."""
    return "".join(_regex_pieces(form))


def _regex_pieces(form: str) -> list[str]:
    """`form` as regex pieces that each match one character (a percent-escape's hex letters in
    either case)."""
    pieces: list[str] = []
    position = 0
    for match in _PERCENT_ESCAPE.finditer(form):
        pieces += [re.escape(c) for c in form[position : match.start()]]
        pieces += ["%", *(f"[{d.upper()}{d.lower()}]" if d.isalpha() else d for d in match.group()[1:])]
        position = match.end()
    return pieces + [re.escape(c) for c in form[position:]]


def _trie_regex(words: Iterable[list[str]]) -> str:
    """One regex matching each word (a list of one-character regex pieces), shared beginnings written
    once: where the plain alternation tries every word at every position, this tries one branch per
    distinct next piece. Some word matches wherever one of them occurs."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for piece in word:
            node = node.setdefault(piece, {})
        node[""] = {}  # a word ends here

    def written(node: dict[str, dict]) -> str:
        run: list[str] = []  # a stretch without a branch or a word's end, written as it is
        while len(node) == 1 and "" not in node:
            ((piece, node),) = node.items()
            run.append(piece)
        branches = [piece + written(child) for piece, child in sorted(node.items()) if piece]
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")" if branches else ""
        return "".join(run) + (f"(?:{body})?" if "" in node and body else body)

    return written(trie)
