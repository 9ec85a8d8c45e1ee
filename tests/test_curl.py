from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess

import pytest

from conformance.client.curl import curl_line, shell_quote
from conformance.client.redact import Redactor

KEY = "sk-live-123"
WRONG = "wrong-key-xyz"
BASE = "http://127.0.0.1:8080/v1beta/models/gemini-2.5-flash"
JSON_HEADERS = [("Content-Type", "application/json")]
BODY = json.dumps({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}).encode()
TRICKY_TEXT = """it's "quoted" \\ back`tick` $HOME ${PATH} $(rm -rf /) !! 100% é世🎉 \t tab"""

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")


@pytest.fixture
def redactor() -> Redactor:
    return Redactor({KEY: "$API_KEY", WRONG: "$WRONG_KEY"})


def expand_placeholders(line: str) -> str:
    """What the shell does with the placeholders after `export API_KEY=... WRONG_KEY=...`."""
    values = {"API_KEY": KEY, "WRONG_KEY": WRONG}
    return re.sub(r"\$\{?([A-Z][A-Z0-9_]*)\}?", lambda m: values.get(m.group(1), m.group()), line)


def words_via_shlex(line: str) -> list[str]:
    return shlex.split(expand_placeholders(line), comments=True)


def words_via_bash(line: str) -> list[str]:
    """Let a real shell read the line, with curl swapped for a word printer."""
    assert line.startswith("curl ")
    script = "show() { printf '%s\\0' \"$@\"; }; show " + line[len("curl "):]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "API_KEY": KEY, "WRONG_KEY": WRONG,
           "HOME": "/home/nobody", "LC_ALL": "C.UTF-8"}
    output = subprocess.run(["bash", "-c", script], capture_output=True, check=True, env=env).stdout
    return ["curl"] + output.decode("utf-8").split("\0")[:-1]


def parse_curl(words: list[str]) -> dict:
    assert words[0] == "curl"
    request: dict = {"flags": [], "headers": [], "method": None, "url": None, "data": None}
    position = 1
    while position < len(words):
        word = words[position]
        if word in ("-X", "-H", "--data-raw", "--data-binary"):
            value = words[position + 1]
            position += 2
            if word == "-X":
                request["method"] = value
            elif word == "-H":
                name, colon, header_value = value.partition(":")
                request["headers"].append((name, header_value[1:]) if colon else (value.rstrip(";"), ""))
            else:
                request["data"] = value
        elif word.startswith("-"):
            request["flags"].append(word)
            position += 1
        else:
            request["url"] = word
            position += 1
    return request


def assert_single_line(line: str) -> None:
    assert len(line.splitlines()) == 1 and not line.endswith("\\")


# --- the produced line ------------------------------------------------------------


def test_post_with_key_header(redactor):
    line = curl_line("POST", f"{BASE}:generateContent",
                     JSON_HEADERS + [("x-goog-api-key", KEY)], BODY, redactor)
    assert line == (
        f"curl -sS -X POST '{BASE}:generateContent' -H 'Content-Type: application/json' "
        f'-H "x-goog-api-key: $API_KEY" --data-raw \'{BODY.decode()}\''
    )


def test_key_in_query_and_bearer_header(redactor):
    line = curl_line("POST", f"{BASE}:generateContent?key={KEY}",
                     [("Authorization", f"Bearer {WRONG}")] + JSON_HEADERS, BODY, redactor)
    assert f'"{BASE}:generateContent?key=$API_KEY"' in line
    assert '-H "Authorization: Bearer $WRONG_KEY"' in line
    assert KEY not in line and WRONG not in line


def test_streaming_url_adds_dash_n(redactor):
    line = curl_line("POST", f"{BASE}:streamGenerateContent?alt=sse", JSON_HEADERS, BODY, redactor)
    assert line.startswith(f"curl -sS -N -X POST '{BASE}:streamGenerateContent?alt=sse' ")


def test_get_without_body_has_no_method(redactor):
    line = curl_line("get", "http://h/v1beta/models?pageSize=2", [("x-goog-api-key", KEY)], None, redactor)
    assert line == "curl -sS 'http://h/v1beta/models?pageSize=2' -H \"x-goog-api-key: $API_KEY\""


def test_other_methods(redactor):
    assert curl_line("DELETE", "http://h/x", [], None, redactor) == "curl -sS -X DELETE 'http://h/x'"
    assert curl_line("GET", "http://h/x", [], b"{}", redactor) == "curl -sS -X GET 'http://h/x' --data-raw '{}'"
    assert curl_line("HEAD", "http://h/x", [], None, redactor) == "curl -sS --head 'http://h/x'"
    assert curl_line("POST", "http://h/x", [], b"", redactor) == "curl -sS -X POST 'http://h/x' --data-raw ''"


def test_noise_headers_are_skipped(redactor):
    headers = [("Host", "h"), ("Content-Length", "12"), ("Accept-Encoding", "gzip"), ("connection", "keep-alive"),
               ("User-Agent", "python-httpx/0.27"), ("accept", "*/*"), ("X-Keep", "1")]
    assert curl_line("GET", "http://h/x", headers, None, redactor) == "curl -sS 'http://h/x' -H 'X-Keep: 1'"


def test_empty_header_value_is_sent_empty(redactor):
    line = curl_line("GET", "http://h/x", [("x-goog-api-key", "")], None, redactor)
    assert line == "curl -sS 'http://h/x' -H 'x-goog-api-key;'"


def test_large_body_is_omitted_honestly(redactor):
    body = b'{"t":"' + b"a" * 5000 + b'"}'
    line = curl_line("POST", "http://h/x", JSON_HEADERS, body, redactor)
    assert line.endswith(f"--data-binary @body.bin  # body omitted: {len(body)} bytes")
    assert "aaaa" not in line
    assert curl_line("POST", "http://h/x", [], body, redactor, max_body=len(body)).endswith("'")


@pytest.mark.parametrize("body", [b'{"t":"\xff"}', b'{"t":"\x00"}'], ids=["invalid-utf8", "nul"])
def test_binary_body_is_omitted(redactor, body):
    line = curl_line("POST", "http://h/x", [], body, redactor)
    assert line == f"curl -sS -X POST 'http://h/x' --data-binary @body.bin  # body omitted: {len(body)} bytes"


def test_unknown_key_in_url_still_hidden(redactor):
    line = curl_line("GET", "http://h/x?key=some-unknown-key", [], None, redactor)
    assert line == 'curl -sS "http://h/x?key=$API_KEY"'


def test_placeholder_followed_by_identifier_characters_uses_braces(redactor):
    body = f'{{"k":"{KEY}abc","j":"{KEY}ABC"}}'.encode()
    line = curl_line("POST", "http://h/x", [("X-T", f"{KEY}abc {KEY}ABC {KEY}")], body, redactor)
    assert '-H "X-T: ${API_KEY}abc ${API_KEY}ABC $API_KEY"' in line
    parsed = parse_curl(words_via_shlex(line))
    assert parsed["headers"] == [("X-T", f"{KEY}abc {KEY}ABC {KEY}")]
    assert parsed["data"] == body.decode()


def test_shell_quote_basics():
    assert shell_quote("") == "''"
    assert shell_quote("plain") == "'plain'"
    assert shell_quote("it's") == "'it'\"'\"'s'"
    assert shell_quote("a $API_KEY", ["$API_KEY"]) == '"a $API_KEY"'
    assert shell_quote("$HOME $API_KEY", ["$API_KEY"]) == "'$HOME '\"$API_KEY\""
    assert shell_quote('{"k":"$API_KEY"}', ["$API_KEY"]) == "'{\"k\":\"'\"$API_KEY\"'\"}'"
    assert shell_quote("$API_KEY", ["$API_KEY"]) == '"$API_KEY"'
    assert shell_quote("$API_KEY") == "'$API_KEY'"  # not a known placeholder: literal
    assert shell_quote("a\nb") == "'a'$'\\n''b'"


# --- round trips -------------------------------------------------------------------


def _requests_to_replay() -> list[tuple[str, str, list[tuple[str, str]], bytes | None]]:
    tricky_body = json.dumps({"contents": [{"parts": [{"text": TRICKY_TEXT + " " + KEY}]}]},
                             ensure_ascii=False).encode()
    return [
        ("POST", f"{BASE}:generateContent?key={KEY}", JSON_HEADERS, BODY),
        ("POST", f"{BASE}:streamGenerateContent?alt=sse",
         JSON_HEADERS + [("x-goog-api-key", KEY), ("Authorization", f"Bearer {WRONG}")], tricky_body),
        ("GET", "http://h/v1beta/models?pageToken=a%3D&key=$WRONG_KEY", [("X-Note", TRICKY_TEXT)], None),
        ("POST", f"{BASE}:countTokens", [("X-Note", f"{KEY}!{KEY}$")], b'{"a":"it\'s $API_KEY literally"}'),
    ]


def _expected(method, url, headers, body):
    # Text that literally contains "$API_KEY" is indistinguishable from a redacted
    # key, so the shell expands it too: an accepted ambiguity, spelled out here.
    def expanded(text: str) -> str:
        return text.replace("$API_KEY", KEY).replace("$WRONG_KEY", WRONG)
    return {
        "method": None if method == "GET" and body is None else method,
        "url": expanded(url),
        "headers": [(name, expanded(value)) for name, value in headers],
        "data": None if body is None else expanded(body.decode()),
    }


@pytest.mark.parametrize("request_", _requests_to_replay(), ids=["query-key", "tricky-body", "get", "literal"])
def test_round_trip_through_shlex(redactor, request_):
    method, url, headers, body = request_
    line = curl_line(method, url, headers, body, redactor)
    assert_single_line(line)
    assert KEY not in line and WRONG not in line
    parsed = parse_curl(words_via_shlex(line))
    expected = _expected(method, url, headers, body)
    assert {key: parsed[key] for key in expected} == expected


@needs_bash
@pytest.mark.parametrize("request_", _requests_to_replay(), ids=["query-key", "tricky-body", "get", "literal"])
def test_round_trip_through_bash(redactor, request_):
    method, url, headers, body = request_
    line = curl_line(method, url, headers, body, redactor)
    assert parse_curl(words_via_bash(line)) == parse_curl(words_via_shlex(line))


@needs_bash
def test_control_characters_stay_on_one_line_and_round_trip_in_bash(redactor):
    body = json.dumps({"a": 1}, indent=2).encode() + b"\r\n\x01"
    headers = [("X-Odd", "tab\there"), ("x-goog-api-key", KEY)]
    line = curl_line("POST", "http://h/x", headers, body, redactor)
    assert_single_line(line)
    parsed = parse_curl(words_via_bash(line))
    assert parsed["data"] == body.decode()
    assert parsed["headers"] == [("X-Odd", "tab\there"), ("x-goog-api-key", KEY)]


@needs_bash
def test_nothing_in_the_line_is_executed_or_expanded(redactor, tmp_path):
    marker = tmp_path / "pwned"
    text = f"$(touch {marker}) `touch {marker}` $HOME !! $API_KEY"
    line = curl_line("POST", "http://h/x", [("X-A", text)], text.encode(), redactor)
    parsed = parse_curl(words_via_bash(line))
    assert not marker.exists()
    assert parsed["data"] == text.replace("$API_KEY", KEY)
    assert parsed["headers"] == [("X-A", text.replace("$API_KEY", KEY))]
