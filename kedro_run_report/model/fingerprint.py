"""What a run was made of, read back from its ``fingerprint`` event (see record/fingerprint.py).

Read tolerantly: a part of the wrong shape is unknown (``None``), never an error, and every
text is cut short and redacted again (the log may be hand-edited or older than a credential).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kedro_run_report.events import Event, valid_time
from kedro_run_report.model.json_values import as_dict, count, str_or_none

#: Bounds on what a fingerprint keeps, whatever a log holds.
MAX_KEYS = 1000
MAX_PACKAGES = 5000
MAX_TEXT = 200


def _short(value: Any, limit: int = MAX_TEXT) -> str | None:
    text = str_or_none(value)
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


@dataclass(frozen=True)
class ParamFact:
    """One parameter leaf: the digest of its value and the value as shown (redacted)."""

    digest: str
    shown: str


@dataclass(frozen=True)
class InputFact:
    """One raw input's file at run start: its size (bytes) and modification time."""

    size: int | None = None
    mtime: float | None = None


@dataclass
class Fingerprint:
    """What one run was made of; ``None`` parts were not recorded."""

    commit: str | None = None
    dirty: bool | None = None
    code_known: bool = False  # git answered: commit and dirty are facts, not gaps
    params_digest: str | None = None
    params: dict[str, ParamFact] = field(default_factory=dict)  # by dotted key
    params_truncated: bool = False
    python: str | None = None
    kedro: str | None = None
    packages_digest: str | None = None
    packages: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, InputFact] | None = None  # None: not recorded

    @property
    def short_commit(self) -> str | None:
        return self.commit[:7] if self.commit else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the package list as a count: the digest tells it apart)."""
        return {
            "commit": self.commit,
            "dirty": self.dirty,
            "parameters": {
                "digest": self.params_digest,
                "values": {key: fact.shown for key, fact in self.params.items()},
                "truncated": self.params_truncated,
            },
            "environment": {
                "python": self.python,
                "kedro": self.kedro,
                "packages_digest": self.packages_digest,
                "packages": len(self.packages),
            },
            "inputs": None
            if self.inputs is None
            else {
                name: {"size": fact.size, "mtime": fact.mtime} for name, fact in self.inputs.items()
            },
        }


def fingerprint_from_event(event: Event, redact: Callable[[str], str]) -> Fingerprint:
    """A :class:`Fingerprint` from a ``fingerprint`` event, dropping what is malformed."""
    found = Fingerprint()
    code = event.get("code")
    if isinstance(code, dict):
        commit = code.get("commit")
        found.commit = commit if isinstance(commit, str) and commit.isalnum() else None
        dirty = code.get("dirty")
        found.dirty = dirty if isinstance(dirty, bool) else None
        found.code_known = True
    params = event.get("params")
    if isinstance(params, dict):
        found.params_digest = _short(params.get("digest"), 64)
        found.params_truncated = params.get("truncated") is True
        for key, fact in list(as_dict(params.get("keys")).items())[:MAX_KEYS]:
            if isinstance(fact, dict) and isinstance(fact.get("digest"), str):
                shown = redact(_short(fact.get("value")) or "")
                found.params[redact(_short(key) or "")] = ParamFact(fact["digest"][:64], shown)
    env = event.get("environment")
    if isinstance(env, dict):
        found.python = _short(env.get("python"), 40)
        found.kedro = _short(env.get("kedro"), 40)
        found.packages_digest = _short(env.get("digest"), 64)
        for name, version in list(as_dict(env.get("packages")).items())[:MAX_PACKAGES]:
            if isinstance(version, str):
                found.packages[_short(name, 100) or ""] = version[:60]
    facts = event.get("inputs")
    if isinstance(facts, dict):
        found.inputs = {}
        for name, fact in list(facts.items())[:MAX_KEYS]:
            if isinstance(fact, dict):
                mtime = fact.get("mtime")
                found.inputs[str(name)] = InputFact(
                    count(fact.get("size")), float(mtime) if valid_time(mtime) else None
                )
    return found
