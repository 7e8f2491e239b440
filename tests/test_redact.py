"""Redaction of secrets: known credential values, URL passwords, secret-named values."""

from __future__ import annotations

import pytest
from helpers.event_log import CHAIN, EventLog

from kedro_run_report.model import aggregate
from kedro_run_report.redact import (
    MASK,
    PATTERNS,
    Redactor,
    digests,
    is_secret_name,
    secret_values,
)

CREDENTIALS = {
    "db": {"con": "postgresql://scott:Tiger-Pw-77@db.example/prod"},
    "s3": {"key": "AKIAEXAMPLEKEY", "secret": "wJalr/XUtnFEMI+K7MDENG"},
    "api": {"token": "tok-PLANTED-1234", "retries": 3, "short": "ab"},
    "list": ["first-secret-value", {"deep": {"deeper": "deep-secret-value"}}],
}


def test_secret_values_are_every_long_enough_scalar() -> None:
    assert secret_values(CREDENTIALS) == {
        "postgresql://scott:Tiger-Pw-77@db.example/prod",
        "AKIAEXAMPLEKEY",
        "wJalr/XUtnFEMI+K7MDENG",
        "tok-PLANTED-1234",
        "first-secret-value",
        "deep-secret-value",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s3://key:wJalr+x/y@bucket/x", "s3://key:***@bucket/x"),
        ("postgresql://user:pass@host/db", "postgresql://user:***@host/db"),
        ("https://h/p?password=abc&token=def&page=2", "https://h/p?password=***&token=***&page=2"),
        ("host=db password=abc123 user=bob", "host=db password=*** user=bob"),
        ("{'password': 'hunter22', 'user': 'bob'}", "{'password': '***', 'user': 'bob'}"),
        ('{"api_key": "zz-top", "n": "1"}', '{"api_key": "***", "n": "1"}'),
        ("KeyError: 'thing'", "KeyError: 'thing'"),
        ("monkey=3 author=ann primary=1", "monkey=3 author=ann primary=1"),
        ("https://example.com/a/b", "https://example.com/a/b"),
        ("", ""),
    ],
)
def test_patterns(text: str, expected: str) -> None:
    assert PATTERNS.text(text) == expected


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True),
        ("DB_PASSWORD", True),
        ("db.password", True),
        ("passwd", True),
        ("api_token", True),
        ("apiKey", True),
        ("apikey", True),
        ("API-KEY", True),
        ("aws_secret_access_key", True),
        ("client_secret", True),
        ("credentials", True),
        ("basic_auth", True),
        ("Authorization".lower(), False),
        ("KeyError", False),
        ("author", False),
        ("monkey", False),
        ("keyboard", False),
        ("factor", False),
        ("", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_known_values_are_masked_also_url_encoded_and_short_ones_kept() -> None:
    redactor = Redactor(secret_values(CREDENTIALS))
    text = (
        "could not open data/tok-PLANTED-1234.csv with wJalr%2FXUtnFEMI%2BK7MDENG "
        "and deep-secret-value; retries ab"
    )
    out = redactor.text(text)
    assert "tok-PLANTED-1234" not in out and "deep-secret-value" not in out
    assert "wJalr" not in out
    assert out.endswith("retries ab")  # values under 4 characters are not secrets
    assert out.count(MASK) == 3


def test_a_secret_containing_another_is_masked_whole() -> None:
    redactor = Redactor(["abcd", "abcdefgh"])
    assert redactor.text("x abcdefgh y abcd") == f"x {MASK} y {MASK}"


def test_digests_mask_delimited_tokens_without_knowing_the_values() -> None:
    hashed = Redactor(hashed=digests(secret_values(CREDENTIALS), "s4lt"), salt="s4lt")
    assert not hashed.text("the token tok-PLANTED-1234 leaked").count("tok-PLANTED")
    assert hashed.text("file 'data/tok-PLANTED-1234.csv'") == "file 'data/***.csv'"
    assert hashed.text("(AKIAEXAMPLEKEY)") == "(***)"
    # the limitation: glued to other characters without a delimiter, it survives
    assert "tok-PLANTED-1234" in hashed.text("xtok-PLANTED-1234")
    # another salt: nothing matches
    assert "AKIAEXAMPLEKEY" in Redactor(hashed=digests(["AKIAEXAMPLEKEY"], "a"), salt="b").text(
        "AKIAEXAMPLEKEY"
    )


def test_parameter_values_are_masked_by_name_and_made_json_safe() -> None:
    params = {
        "db": {"password": "pw", "host": "h", "port": 5432},
        "api_token": "t",
        "model": {"layers": [1, 2, {"secret": "s"}]},
        "big": 2**80,
        "nan": float("nan"),
        "url": "postgresql://u:p4ss@h/db",
        "obj": object,
    }
    out = PATTERNS.value(params)
    assert out["db"] == {"password": MASK, "host": "h", "port": 5432}
    assert out["api_token"] == MASK
    assert out["model"] == {"layers": [1, 2, {"secret": MASK}]}
    assert out["big"] == str(2**80) and out["nan"] == "nan"
    assert out["url"] == "postgresql://u:***@h/db"
    assert isinstance(out["obj"], str)


def test_deep_parameters_are_cut() -> None:
    deep: dict = {}
    node = deep
    for _ in range(50):
        node["x"] = {}
        node = node["x"]
    text = repr(PATTERNS.value(deep))
    assert "..." in text and text.count("{") <= 10


def test_redaction_at_read_time_covers_old_logs() -> None:
    leaky = "connect postgresql://u:Hunter2222@h/db failed; ?password=Hunter2222"
    log = EventLog().start(CHAIN, runtime_params={"db": {"password": "Hunter2222"}, "n": 1})
    log.node_fails("a", message=leaky).error(message=leaky)
    status = aggregate(log.events)
    text = repr(status.to_dict())
    assert "Hunter2222" not in text
    assert status.pipeline.runtime_params == {"db": {"password": MASK}, "n": 1}
    assert status.to_dict()["pipeline"]["runtime_params"] == {"db": {"password": MASK}, "n": 1}
