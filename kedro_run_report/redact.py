"""Keeping secrets out of event logs and reports: pure functions, no I/O.

Three kinds of secret are replaced with ``***``:

* known values: every string in Kedro's credentials configuration (``conf_creds``), found
  anywhere in a text (also URL-encoded), with one compiled regex;
* passwords in URLs (``postgresql://user:pass@host/db`` -> ``postgresql://user:***@host/db``);
* values of secret-looking names (any case) after ``=``, ``:`` or ``=>``, quoted or not:
  ``name=value`` (query strings, connection strings), ``password: value`` (driver errors),
  ``'name': 'value'`` (dict reprs), ``name => "value"``; and in parameter dicts.

Processes that do not have the credential values (spawned ParallelRunner workers) get
sha256 digests instead (:func:`digests`): a :class:`Redactor` built from digests hashes every
token of a text (split on whitespace and URL/quote punctuation) and replaces the matching
ones. A secret glued to other characters without such a delimiter survives there; the main
process re-redacts the pipeline error with the values themselves.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
#: Shorter values are not redacted as known secrets: "db" or "1" would destroy the text.
MIN_SECRET_LENGTH = 4
#: Nested parameters deeper than this are cut (a report needs no deeper structure).
MAX_PARAM_DEPTH = 8

# Name parts that mark a secret anywhere in a name ("db_password", "api_token") ...
_STRONG_PARTS = frozenset(
    {"password", "passwd", "pwd", "token", "secret", "credential", "credentials", "apikey"}
)
# ... and parts that do only at its end: "api_key", "basic_auth", but not "KeyError".
_FINAL_PARTS = frozenset({"key", "auth"})
_NAME_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")

# Every pattern starts only where a word starts (the lookbehinds) and bounds its runs, so
# that a long run of letters costs linear time, not quadratic: redaction runs on every
# traceback a report reads.
# scheme://user:password@host -> the password.
_URL_PASSWORD = re.compile(
    r"(?P<pre>(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{0,31}://[^\s:/@?#'\"]{0,256}:)"
    r"(?P<val>[^\s@?#'\"]{1,1024})(?=@)"
)
# The name and separator of a pair: 'name': , "name" = , name=, name: , name => (any case;
# whether the name is secret is decided in Python). Bounded runs and a start only where a word
# (or its opening quote) starts keep each attempt short.
_PAIR_PREFIX = re.compile(
    r"(?<![\w.\-])(?P<q0>['\"]?)(?P<name>[A-Za-z_][\w.\-]{0,63})(?P=q0)"
    r"[ \t]{0,8}(?P<sep>=>|[:=])"
)
# The value after a secret name's separator: quoted (may hold spaces), else a bare run (an
# unclosed quote is taken with it). Only ever tried after a secret name, from where it starts.
_PAIR_VALUE = re.compile(
    r"\s{0,8}(?P<q>['\"])(?P<val>[^'\"\n]{0,4096})(?P=q)"
    r"|[ \t]{0,8}(?P<bare>['\"]?[^\s&;,'\"<>()\[\]{}=:][^\s&;,'\"<>()\[\]{}]{0,4095})"
)
# A text without any of these (case-insensitive) holds no secret-named value: most
# tracebacks, which then skip the pair patterns entirely.
_TERMS = ("pass", "pwd", "token", "secret", "key", "credential", "auth")
# Tokens for digest matching: runs of characters between delimiters.
_TOKEN = re.compile(r"[^\s'\"`/:@?&=,;()\[\]{}<>|]+")


def is_secret_name(name: str) -> bool:
    """Whether a parameter or field name looks like it holds a secret (case-insensitive)."""
    parts = [p.lower() for p in _NAME_SPLIT.split(name) if p]
    if not parts:
        return False
    if any(p in _STRONG_PARTS for p in parts) or parts[-1] in _FINAL_PARTS:
        return True
    joined = "".join(parts)
    return joined in ("apikey", "accesskey", "secretkey", "privatekey")


def secret_values(config: Any, _depth: int = 0) -> set[str]:
    """Every scalar value (as text) in a credentials configuration, however nested."""
    found: set[str] = set()
    if _depth > 32:
        return found
    if isinstance(config, Mapping):
        for value in config.values():
            found |= secret_values(value, _depth + 1)
    elif isinstance(config, (list, tuple, set, frozenset)):
        for value in config:
            found |= secret_values(value, _depth + 1)
    elif isinstance(config, (str, int, float)) and not isinstance(config, bool):
        text = str(config)
        if len(text) >= MIN_SECRET_LENGTH:
            found.add(text)
    return found


def digest(value: str, salt: str = "") -> str:
    """The hex sha256 of a salted value: what a worker without the value compares against."""
    return hashlib.sha256((salt + value).encode("utf-8", "surrogatepass")).hexdigest()


def digests(values: Iterable[str], salt: str = "") -> list[str]:
    """Digests of secret values and of their URL-encoded forms, sorted."""
    out = set()
    for value in values:
        for variant in _variants(value):
            out.add(digest(variant, salt))
    return sorted(out)


def _variants(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value, safe="")}


class Redactor:
    """Replaces secrets in text and in parameter structures with ``***``."""

    def __init__(
        self, values: Iterable[str] = (), hashed: Iterable[str] = (), salt: str = ""
    ) -> None:
        variants: set[str] = set()
        for value in values:
            if len(value) >= MIN_SECRET_LENGTH:
                variants |= {v for v in _variants(value) if len(v) >= MIN_SECRET_LENGTH}
        # Longest first, so that a secret containing another is replaced whole.
        ordered = sorted(variants, key=lambda v: (-len(v), v))
        self._values = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._hashed = frozenset(hashed)
        self._salt = salt

    def text(self, text: str) -> str:
        """``text`` with every known secret, URL password and secret-named value masked."""
        if not text:
            return text
        if self._values is not None:
            text = self._values.sub(MASK, text)
        if self._hashed:
            text = _TOKEN.sub(self._mask_hashed, text)
        if "://" in text and "@" in text:
            text = _URL_PASSWORD.sub(_mask_value, text)
        if ("=" in text or ":" in text) and _has_term(text):
            text = _mask_pairs(text)
        return text

    def value(self, value: Any, name: str = "", _depth: int = 0) -> Any:
        """A JSON-safe copy of a parameter value: secret names masked, text redacted."""
        if name and is_secret_name(name):
            return MASK
        if isinstance(value, Mapping):
            if _depth >= MAX_PARAM_DEPTH:
                return "..."
            return {
                str(k): self.value(v, str(k), _depth + 1) for k, v in list(value.items())[:1000]
            }
        if isinstance(value, (list, tuple)):
            if _depth >= MAX_PARAM_DEPTH:
                return "..."
            return [self.value(v, "", _depth + 1) for v in list(value)[:1000]]
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value if abs(value) < 2**53 else str(value)
        if isinstance(value, float):
            return value if value == value and abs(value) != float("inf") else str(value)
        return self.text(str(value))

    def _mask_hashed(self, match: re.Match[str]) -> str:
        token = match.group(0)
        if len(token) < MIN_SECRET_LENGTH:
            return token
        # Dots both join (a file name around a secret) and belong to secrets (a host name):
        # try every dot-separated run of the token.
        parts = token.split(".", 8)
        for i in range(len(parts)):
            for j in range(len(parts), i, -1):
                piece = ".".join(parts[i:j])
                if len(piece) >= MIN_SECRET_LENGTH and digest(piece, self._salt) in self._hashed:
                    return ".".join([*parts[:i], MASK, *parts[j:]])
        return token


def _has_term(text: str) -> bool:
    # str.lower and `in` scan at C speed; a case-insensitive regex is ten times slower.
    lowered = text.lower()
    return any(term in lowered for term in _TERMS)


def _mask_value(match: re.Match[str]) -> str:
    return match.group("pre") + MASK


def _mask_pairs(text: str) -> str:
    """``text`` with the value after every secret name and separator masked."""
    out: list[str] = []
    done = 0  # text before this index is in ``out``
    for prefix in _PAIR_PREFIX.finditer(text):
        # A prefix inside a value just masked is part of that value; a name that is not
        # secret consumes nothing, so "Error:password=x" still finds "password".
        name = prefix.group("name")
        if prefix.start() < done or not is_secret_name(name):
            continue
        if name.lower() == "key" and prefix.group("sep") != "=":
            continue  # "duplicate key: id" is prose; "?key=..." is an API key
        value = _PAIR_VALUE.match(text, prefix.end())
        if value is None:
            continue
        group = "val" if value.group("q") else "bare"
        if value.group(group).startswith(MASK):
            continue  # masked already (a URL password: "s3://key:***@bucket")
        out.append(text[done : value.start(group)] + MASK)
        done = value.end(group)  # a closing quote stays
    out.append(text[done:])
    return "".join(out)


#: Pattern-only redaction, for reading logs and files written without known values.
PATTERNS = Redactor()


@functools.lru_cache(maxsize=128)
def redact_patterns(text: str) -> str:
    """``PATTERNS.text(text)``, remembered: runs often repeat one traceback many times."""
    return PATTERNS.text(text)
