"""A one-line, copy-pasteable curl command for every request the suite sends.

A failing check is only convincing if the gateway's owner can replay the exact
request. The line is redacted first (keys become `$API_KEY`), and placeholders
are quoted so the shell expands them: after `export API_KEY=...` the line
sends the same URL, headers and body the suite sent.

Quoting is chosen so that bash, zsh, POSIX sh and Python's `shlex.split` all
read the same words back: single quotes by default, double quotes where a
placeholder must expand, and ANSI-C `$'\\n'` pieces (bash/zsh) for control
characters so the command never spans lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from conformance.client.redact import Redactor

__all__ = ["curl_line", "shell_quote"]

# Headers curl sets itself, or that only add noise to a reproduction.
_SKIPPED_HEADERS = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent", "accept"})
_SHELL_VARIABLE_NAME = re.compile(r"\$[A-Z][A-Z0-9_]*")
# Characters that would break the command across lines or could not be typed.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]+")
_PLAIN_METHOD = re.compile(r"[A-Z][A-Z0-9_-]*")
_IDENTIFIER_CHAR = re.compile(r"[A-Za-z0-9_]")
# Characters that stay special inside double quotes (escapes, expansion,
# command substitution, history expansion in interactive bash).
_SPECIAL_IN_DOUBLE_QUOTES = frozenset('"\\$`!')


def curl_line(
    method: str,
    url: str,
    headers: Iterable[tuple[str, str]],
    body: bytes | None,
    redactor: Redactor,
    *,
    max_body: int = 4096,
) -> str:
    """Render a request as a single-line curl command, secrets redacted."""
    method = method.upper()
    placeholders = _expandable(redactor.placeholders)
    quote = lambda token: shell_quote(token, placeholders)  # noqa: E731 - local shorthand

    words = ["curl", "-sS"]
    if "alt=sse" in url:
        words.append("-N")  # show the stream as it arrives, unbuffered
    if method == "HEAD":
        words.append("--head")  # `-X HEAD` makes curl wait for a body that never comes
    elif method != "GET" or body is not None:
        words += ["-X", method if _PLAIN_METHOD.fullmatch(method) else quote(method)]
    words.append(quote(redactor.url(url)))

    for name, value in redactor.headers(list(headers)):
        if name.strip().lower() in _SKIPPED_HEADERS:
            continue
        # `-H 'Name:'` would make curl remove the header; `Name;` sends it empty.
        words += ["-H", quote(f"{name}: {value}" if value else f"{name};")]

    trailer = ""
    if body is not None:
        # The size limit applies to what was sent, not to the redacted copy.
        text = None if len(body) > max_body else _printable_body(redactor.bytes(body))
        if text is None:
            words += ["--data-binary", "@body.bin"]
            trailer = f"  # body omitted: {len(body)} bytes"
        else:
            words += ["--data-raw", quote(text)]
    return " ".join(words) + trailer


def shell_quote(token: str, placeholders: Iterable[str] = ()) -> str:
    """Quote one shell word; listed `$PLACEHOLDER`s stay expandable."""
    if not token:
        return "''"
    names = sorted(set(placeholders), key=len, reverse=True)
    pieces: list[str] = []
    position = 0
    for control in _CONTROL.finditer(token):
        pieces.append(_quote_text(token[position:control.start()], names))
        pieces.append(_ansi_c_quote(control.group()))
        position = control.end()
    pieces.append(_quote_text(token[position:], names))
    # Adjacent quoted strings form one shell word.
    return "".join(piece for piece in pieces if piece)


def _expandable(placeholders: Iterable[str]) -> list[str]:
    # Only placeholders spelled like shell variables can be expanded by the shell;
    # any other `$WORD` in the text is literal and must stay literal.
    return [p for p in placeholders if _SHELL_VARIABLE_NAME.fullmatch(p)]


def _quote_text(text: str, placeholders: list[str]) -> str:
    if not text:
        return ""
    spans = _placeholder_spans(text, placeholders)
    if not spans:
        return _single_quote(text)
    bounds = [0, *(offset for span in spans for offset in span), len(text)]
    literals = [text[bounds[i]:bounds[i + 1]] for i in range(0, len(bounds), 2)]
    names = [text[start + 1:end] for start, end in spans]
    if not any(char in _SPECIAL_IN_DOUBLE_QUOTES for literal in literals for char in literal):
        # The common case, e.g. -H "Authorization: Bearer $API_KEY": one
        # double-quoted word, where the variable expands and nothing else is special.
        out = [literals[0]]
        for name, literal in zip(names, literals[1:]):
            # "$API_KEYx" would name a different variable; braces end the name.
            out.append("${" + name + "}" if _IDENTIFIER_CHAR.match(literal[:1]) else "$" + name)
            out.append(literal)
        return '"' + "".join(out) + '"'
    # Text with quotes, backslashes, `$`, backticks or `!` (a JSON body, say):
    # single-quote the literal parts and double-quote only the variables. This
    # reads better than backslash soup and bash, sh and shlex all agree on it.
    out = [_single_quote(literals[0]) if literals[0] else ""]
    for name, literal in zip(names, literals[1:]):
        out.append('"$' + name + '"')
        out.append(_single_quote(literal) if literal else "")
    return "".join(out)


def _placeholder_spans(text: str, placeholders: list[str]) -> list[tuple[int, int]]:
    if not placeholders:
        return []
    pattern = re.compile("|".join(re.escape(p) for p in placeholders))
    return [match.span() for match in pattern.finditer(text)]


def _single_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _ansi_c_quote(control: str) -> str:
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "$'" + "".join(named.get(char, f"\\x{ord(char):02x}") for char in control) + "'"


def _printable_body(body: bytes) -> str | None:
    """The body as text for --data-raw, or None when it cannot be one."""
    if b"\x00" in body:  # a NUL cannot be passed in an argv word
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None
