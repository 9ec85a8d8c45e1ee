from __future__ import annotations

import base64
import json
import threading
from urllib.parse import quote

import pytest

from conformance.client.redact import Redactor

KEY = "sk-live-123"
WRONG = "wrong-key-xyz"
ODD_KEY = "AIza/Sy+k=y&x"  # needs URL-encoding


@pytest.fixture
def redactor() -> Redactor:
    return Redactor({KEY: "$API_KEY", WRONG: "$WRONG_KEY", ODD_KEY: "$ODD_KEY"})


# --- text ----------------------------------------------------------------------


def test_plain_secrets_are_replaced(redactor):
    assert redactor.text(f"key {KEY} and {WRONG}") == "key $API_KEY and $WRONG_KEY"


def test_url_encoded_forms_are_replaced(redactor):
    encoded = quote(ODD_KEY, safe="")
    assert encoded != ODD_KEY
    assert redactor.text(f"?key={encoded}") == "?key=$ODD_KEY"
    assert encoded == "AIza%2FSy%2Bk%3Dy%26x"
    assert redactor.text("?key=AIza%2fSy%2bk%3dy%26x") == "?key=$ODD_KEY"  # %2f as well as %2F
    assert redactor.text("?key=AIza%2FSy%2bk%3Dy%26x") == "?key=$ODD_KEY"  # mixed case
    assert redactor.bytes(b"?key=AIza%2fSy%2Bk%3dy%26x") == b"?key=$ODD_KEY"
    assert redactor.text("/AIza/Sy%2Bk%3Dy%26x/") == "/$ODD_KEY/"  # quote() with its default safe="/"



def test_key_inside_a_json_body_and_an_error_message(redactor):
    body = json.dumps({"contents": [{"parts": [{"text": f"my key is {KEY}"}]}]})
    assert KEY not in redactor.text(body)
    assert json.loads(redactor.text(body)) == {"contents": [{"parts": [{"text": "my key is $API_KEY"}]}]}

    error = {"error": {"code": 400, "message": f"API key not valid: {WRONG}. Please pass a valid API key.",
                       "status": "INVALID_ARGUMENT"}}
    assert redactor.text(json.dumps(error)) == json.dumps(
        {"error": {"code": 400, "message": "API key not valid: $WRONG_KEY. Please pass a valid API key.",
                   "status": "INVALID_ARGUMENT"}}
    )


def test_json_escaped_form():
    redactor = Redactor({"key/with\"quote": "$API_KEY"})
    assert redactor.text(json.dumps({"k": "key/with\"quote"})) == '{"k": "$API_KEY"}'


def test_base64_form_of_long_secrets():
    secret = "sk-live-0123456789abcdef"
    redactor = Redactor({secret: "$API_KEY"})
    assert redactor.text("token=" + base64.b64encode(secret.encode()).decode()).startswith("token=$API_KEY")


def test_nothing_else_is_altered(redactor):
    text = 'ordinary text with $HOME, sk-live-12 and "key" = value; 100% %2F ünïcode'
    assert redactor.text(text) == text
    assert redactor.bytes(text.encode()) == text.encode()


def test_longest_secret_wins():
    redactor = Redactor({"abcd": "$SHORT", "abcdefgh": "$LONG"})
    assert redactor.text("abcdefgh abcd") == "$LONG $SHORT"
    redactor = Redactor({"abcdefgh": "$LONG", "abcd": "$SHORT"})
    assert redactor.text("abcdefgh abcd") == "$LONG $SHORT"


def test_short_and_empty_secrets_are_ignored():
    redactor = Redactor({"": "$EMPTY", "abc": "$SHORT"})
    assert redactor.text("abc abc") == "abc abc"
    redactor.add("abcd", "$FOUR")
    assert redactor.text("abcd") == "$FOUR"


def test_surrounding_whitespace_in_env_var_is_tolerated():
    redactor = Redactor({"  sk-live-123\n": "$API_KEY"})
    assert redactor.text("Bearer sk-live-123") == "Bearer $API_KEY"


def test_no_secrets_is_identity():
    redactor = Redactor()
    assert redactor.text("x") == "x"
    assert redactor.bytes(b"\xff") == b"\xff"


# --- bytes ---------------------------------------------------------------------


def test_bytes_replaces_without_decoding_the_rest(redactor):
    body = b'\xff\xfe{"key":"' + KEY.encode() + b'"} \xc3'
    assert redactor.bytes(body) == b'\xff\xfe{"key":"$API_KEY"} \xc3'


def test_non_ascii_secret_in_bytes():
    redactor = Redactor({"clé-secrète": "$API_KEY"})
    assert redactor.bytes("a clé-secrète b".encode()) == b"a $API_KEY b"
    assert redactor.bytes(json.dumps({"k": "clé-secrète"}).encode()) == b'{"k": "$API_KEY"}'


# --- url -------------------------------------------------------------------------


def test_known_key_in_query(redactor):
    url = f"http://h/v1beta/models/m:generateContent?key={KEY}"
    assert redactor.url(url) == "http://h/v1beta/models/m:generateContent?key=$API_KEY"
    assert redactor.url(f"http://h/m?alt=sse&key={WRONG}") == "http://h/m?alt=sse&key=$WRONG_KEY"
    assert redactor.url(f"http://h/m?key={quote(ODD_KEY, safe='')}&alt=sse") == "http://h/m?key=$ODD_KEY&alt=sse"


def test_unknown_key_in_query_is_blanked(redactor):
    assert redactor.url("http://h/m?alt=sse&key=never-seen-before#frag") == "http://h/m?alt=sse&key=$API_KEY#frag"
    assert redactor.url("http://h/m?api_key=zzzz&Key=yyyy") == "http://h/m?api_key=$API_KEY&Key=$API_KEY"


def test_query_leaves_other_parameters_and_empty_key_alone(redactor):
    url = "http://h/v1beta/models?pageSize=5&pageToken=abc%3D&monkey=banana&key="
    assert redactor.url(url) == url
    assert redactor.url("http://h/models/key=abc") == "http://h/models/key=abc"  # a path, not a query


def test_placeholder_in_query_is_kept(redactor):
    assert redactor.url("http://h/m?key=$WRONG_KEY") == "http://h/m?key=$WRONG_KEY"


def test_url_password_is_blanked(redactor):
    assert redactor.url("http://user:hunter22@h:8080/v1beta/models") == "http://user:$URL_PASSWORD@h:8080/v1beta/models"


# --- headers ------------------------------------------------------------------------


def test_header_variants_with_known_keys(redactor):
    headers = [
        ("Authorization", f"Bearer {KEY}"),
        ("x-goog-api-key", WRONG),
        ("Content-Type", "application/json"),
        ("X-Trace", f"prefix-{KEY}"),
    ]
    assert redactor.headers(headers) == [
        ("Authorization", "Bearer $API_KEY"),
        ("x-goog-api-key", "$WRONG_KEY"),
        ("Content-Type", "application/json"),
        ("X-Trace", "prefix-$API_KEY"),
    ]


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("Authorization", "Bearer unknown-token", "Bearer $API_KEY"),
        ("authorization", "bearer   unknown-token", "bearer   $API_KEY"),
        ("AUTHORIZATION", "Basic dXNlcjpwYXNz", "Basic $API_KEY"),
        ("Authorization", "unknown-token-without-scheme", "$API_KEY"),
        ("Proxy-Authorization", "Basic abc123", "Basic $API_KEY"),
        ("X-Goog-Api-Key", "unknown", "$API_KEY"),
        ("x-api-key", "unknown", "$API_KEY"),
        ("api-key", "unknown", "$API_KEY"),
        ("Cookie", "session=abc; other=1", "$COOKIE"),
        ("Authorization", "Bearer $WRONG_KEY", "Bearer $WRONG_KEY"),
        ("x-goog-api-key", "$API_KEY", "$API_KEY"),
        ("x-goog-api-key", "", ""),
        ("Authorization", "Bearer ", "Bearer "),
        ("Content-Type", "application/json", "application/json"),
        ("x-goog-api-client", "google-genai-sdk/3.4.0 gl-python/3.11.7", "google-genai-sdk/3.4.0 gl-python/3.11.7"),
    ],
)
def test_credential_headers_are_blanked_even_when_unknown(redactor, name, value, expected):
    assert redactor.headers([(name, value)]) == [(name, expected)]


def test_headers_accept_a_mapping_and_keep_order(redactor):
    assert redactor.headers({"b": "1", "x-goog-api-key": KEY, "a": "2"}) == [
        ("b", "1"), ("x-goog-api-key", "$API_KEY"), ("a", "2")
    ]


def test_headers_with_multi_items_keep_repeats(redactor):
    class MultiHeaders(dict):
        def multi_items(self):
            return [("x-goog-api-key", KEY), ("x-goog-api-key", "other-secret")]

    assert redactor.headers(MultiHeaders()) == [("x-goog-api-key", "$API_KEY"), ("x-goog-api-key", "$API_KEY")]


# --- misc -----------------------------------------------------------------------------


def test_placeholders_include_defaults(redactor):
    assert {"$API_KEY", "$WRONG_KEY", "$ODD_KEY", "$COOKIE"} <= redactor.placeholders


def test_empty_placeholder_is_rejected():
    with pytest.raises(ValueError):
        Redactor().add("abcdef", "")


def test_concurrent_adds_and_reads():
    redactor = Redactor()
    secrets = [f"secret-{n:04d}-value" for n in range(64)]
    errors: list[BaseException] = []

    def add(chunk: list[str]) -> None:
        try:
            for secret in chunk:
                redactor.add(secret, "$API_KEY")
                redactor.text(" ".join(secrets))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=add, args=(secrets[n::8],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert redactor.text(" ".join(secrets)) == " ".join(["$API_KEY"] * len(secrets))


def test_a_thousand_forms_are_found_as_the_plain_alternation_finds_them():
    """The screen (a trie of every form) says whether any form occurs; the forms themselves are still
    replaced longest first. A run of a hundred targets knows two hundred keys."""
    keys = [f"ref-{n:04d}-" + "0123456789abcdef"[n % 16] * 20 for n in range(200)]
    redactor = Redactor({key: "$API_KEY" for key in keys})
    text = f"a {keys[7]} b {quote(keys[150])} c " + base64.b64encode(b"xy" + keys[42].encode()).decode()
    out = redactor.text(text)
    assert not any(key in out or quote(key) in out for key in keys), out
    assert out.startswith("a $API_KEY b $API_KEY c ")
    assert redactor.text("nothing to hide here") == "nothing to hide here"


def test_a_very_long_key_is_redacted_without_running_out_of_stack():
    key = "k" * 20_000
    assert Redactor({key: "$API_KEY"}).text(f"x{key}y") == "x$API_KEY" + "y"
