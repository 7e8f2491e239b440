"""How worker processes join a run: the main process publishes it in an environment variable.

ParallelRunner's workers inherit the environment whether they are forked or spawned, so the
run's id and location (and, for spawned workers, which have no credentials, salted digests of
the credential values, never the values) travel with them without any shared memory.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kedro_run_report.redact import Redactor, digests
from kedro_run_report.settings import ACTIVE_RUN


@dataclass(frozen=True)
class ActiveRun:
    """The run a process records into, as published to its workers."""

    run_id: str
    location: str
    salt: str = ""
    secret_digests: tuple[str, ...] = ()

    @classmethod
    def of(cls, run_id: str, location: str, secret_values: Iterable[str] = ()) -> ActiveRun:
        """The run, with fresh salted digests of ``secret_values`` when there are any."""
        values = set(secret_values)
        if not values:
            return cls(run_id, location)
        salt = secrets.token_hex(8)
        return cls(run_id, location, salt, tuple(digests(values, salt)))

    def to_env(self) -> str:
        """The variable's value."""
        data: dict[str, object] = {"run_id": self.run_id, "location": self.location}
        if self.secret_digests:
            data["secrets"] = {"salt": self.salt, "sha256": list(self.secret_digests)}
        return json.dumps(data)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> ActiveRun | None:
        """The published run, or ``None`` when no run is active (raises on a corrupt value)."""
        value = environ.get(ACTIVE_RUN.name)
        if not value:
            return None
        data = json.loads(value)
        hidden = data.get("secrets") or {}
        return cls(
            run_id=str(data["run_id"]),
            location=str(data["location"]),
            salt=str(hidden.get("salt") or ""),
            secret_digests=tuple(hidden.get("sha256") or ()),
        )

    def redactor(self) -> Redactor:
        """A redactor that knows the credentials by their digests only."""
        return Redactor(hashed=self.secret_digests, salt=self.salt)

    def publish(self) -> None:
        """Make this the run that worker processes started from now on join."""
        os.environ[ACTIVE_RUN.name] = self.to_env()

    @staticmethod
    def withdraw() -> None:
        """No run is active any more."""
        os.environ.pop(ACTIVE_RUN.name, None)
