"""What a run was made of, taken once per run: commit, parameters, environment, raw inputs.

A report compares two runs' fingerprints to name why they differ (``analysis/causes.py``).
Everything here runs on one background thread started at run start, so the pipeline never
waits for it: ``git`` is one subprocess with a short timeout, the installed distributions
are read from their metadata directories' names, and each raw input costs one ``stat`` (or
one ``info`` call on a remote filesystem). The thread writes one ``fingerprint`` event and
a short summary into the run's manifest (for ``--list``); the end of the run waits for it
at most :data:`FINGERPRINT_GRACE` seconds. Any failure becomes a ``warning`` event.

Parameter values are recorded redacted (as ``run_start`` redacts ``--params``), beside a
digest of each unredacted value, so a change is seen without storing a secret. The digest
of a secret-looking value is a slow one (PBKDF2), so that it cannot be guessed cheaply.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kedro_run_report import events
from kedro_run_report.record.recorder import Recorder
from kedro_run_report.record.sizes import dir_size, file_dataset, is_local, load_location
from kedro_run_report.redact import MASK, MAX_PARAM_DEPTH, Redactor, is_secret_name
from kedro_run_report.settings import sizes_mode
from kedro_run_report.store.runs import update_manifest

logger = logging.getLogger("kedro_run_report")

#: Seconds the end of a run waits for its fingerprint (a slow ``git`` or remote input).
FINGERPRINT_GRACE = 3.0
GIT_TIMEOUT = 2.0
#: Parameter leaves listed one by one; more are folded into the overall digest only.
MAX_PARAM_KEYS = 1000
#: Secret-looking parameter values digested slowly; more are left out of the digests.
MAX_SECRET_DIGESTS = 100
MAX_SHOWN_CHARS = 120
MAX_INPUTS = 1000
DIGEST_CHARS = 16  # 64 bits: enough to tell two values apart, short in the log
_SLOW_ROUNDS = 10_000
_SLOW_SALT = b"kedro-run-report parameter"
_DIST_DIR = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(?:-py[\d.]+)?\.(dist|egg)-info$")


def short_digest(text: str) -> str:
    """A short hex sha256 of ``text``."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:DIGEST_CHARS]


def _slow_digest(text: str) -> str:
    raw = hashlib.pbkdf2_hmac(
        "sha256", text.encode("utf-8", "surrogatepass"), _SLOW_SALT, _SLOW_ROUNDS
    )
    return raw.hex()[:DIGEST_CHARS]


# -- code ---------------------------------------------------------------------------------


def git_state(project_path: str | None, timeout: float = GIT_TIMEOUT) -> dict[str, Any] | None:
    """``{"commit", "dirty"}`` of the project's git checkout, from one ``git status``;
    ``None`` outside a checkout, without git, or when git is slower than ``timeout``."""
    if not project_path:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - a fixed command, no shell
            ["git", "status", "--porcelain=v2", "--branch"],  # noqa: S607
            cwd=project_path,
            capture_output=True,
            timeout=timeout,
            # a status taken in the background must not lock the index against the user
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    commit: str | None = None
    dirty = False
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("# branch.oid "):
            oid = line[len("# branch.oid ") :].strip()
            commit = oid if re.fullmatch(r"[0-9a-f]{7,64}", oid) else None  # "(initial)"
        elif line and not line.startswith("#"):
            dirty = True
    return {"commit": commit, "dirty": dirty}


# -- parameters ---------------------------------------------------------------------------


def _canonical(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON with text keys, so that equal values serialise equally."""
    if isinstance(value, Mapping):
        if depth >= 32:
            return repr(value)
        return {str(k): _canonical(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if depth >= 32:
            return repr(value)
        return [_canonical(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _leaves(
    value: Any, prefix: str = "", secret: bool = False, depth: int = 0
) -> Iterator[tuple[str, Any, bool]]:
    """``(dotted key, value, under a secret-looking name)`` of every leaf of nested params."""
    if isinstance(value, Mapping) and value and depth < MAX_PARAM_DEPTH:
        for key, child in value.items():
            name = str(key)
            yield from _leaves(
                child,
                f"{prefix}.{name}" if prefix else name,
                secret or is_secret_name(name),
                depth + 1,
            )
    else:
        yield prefix, value, secret


def _shown(value: Any, redactor: Redactor) -> str:
    """A leaf's value for the report: redacted, compact, cut short."""
    text = json.dumps(redactor.value(value), ensure_ascii=False, default=str, sort_keys=True)
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"


def param_facts(params: Any, redactor: Redactor) -> dict[str, Any]:
    """Each parameter leaf's redacted value and digest, and one digest of them all."""
    keys: dict[str, dict[str, str]] = {}
    folded: list[str] = []  # "key=digest" of every leaf, for the overall digest
    slow = 0
    truncated = False
    for key, value, secret_name in _leaves(params if isinstance(params, Mapping) else {}):
        text = json.dumps(_canonical(value), ensure_ascii=False, sort_keys=True, default=repr)
        shown = MASK if secret_name else _shown(value, redactor)
        if secret_name or MASK in shown:
            if slow >= MAX_SECRET_DIGESTS:
                truncated = True
                continue
            slow += 1
            value_digest = _slow_digest(text)
        else:
            value_digest = short_digest(text)
        folded.append(f"{key}={value_digest}")
        if len(keys) < MAX_PARAM_KEYS:
            keys[key] = {"digest": value_digest, "value": shown}
        else:
            truncated = True
    return {
        "digest": short_digest("\n".join(sorted(folded))),
        "keys": keys,
        "truncated": truncated,
    }


def run_parameters(catalog: Any) -> Any:
    """The run's parameters (``parameters.yml`` plus ``--params``) as the catalog holds them."""
    dataset = catalog.get("parameters") if catalog is not None else None
    return getattr(dataset, "_data", None)  # a MemoryDataset's value, read without a copy


# -- environment --------------------------------------------------------------------------


def installed_packages() -> dict[str, str]:
    """``{normalised name: version}`` of every installed distribution.

    Read from the metadata directories' names (``name-1.2.dist-info``), which costs a
    directory listing; only a name without a version opens its metadata.
    """
    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        folder = getattr(dist, "_path", None)
        match = _DIST_DIR.match(getattr(folder, "name", "") or "")
        if match:
            name, version = match.group("name"), match.group("version")
        else:
            try:
                name, version = dist.metadata["Name"], dist.version
            except Exception:
                continue
        if name and version:
            normalised = re.sub(r"[-_.]+", "-", str(name)).lower()
            found.setdefault(normalised, str(version))  # the first on sys.path is imported
    return dict(sorted(found.items()))


def environment() -> dict[str, Any]:
    """Python and Kedro versions and the installed distributions, with a digest of them."""
    packages = installed_packages()
    try:
        import kedro

        kedro_version = str(kedro.__version__)
    except Exception:
        kedro_version = packages.get("kedro", "")
    return {
        "python": platform.python_version(),
        "kedro": kedro_version,
        "digest": short_digest(json.dumps(packages, sort_keys=True)),
        "packages": packages,
    }


# -- raw inputs ---------------------------------------------------------------------------


def raw_inputs(pipeline: Any) -> list[str]:
    """Datasets the run loads but no node of it produces; parameters left out."""
    names = sorted(str(n) for n in pipeline.inputs())
    return [n for n in names if n != "parameters" and not n.startswith("params:")]


def _mtime(info: Mapping[str, Any]) -> float | None:
    """A modification time (seconds since the epoch) from an fsspec ``info``, if it has one."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "modified"):
        value = info.get(key)
        if isinstance(value, datetime):
            return value.timestamp()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
    return None


def input_facts(dataset: Any, mode: str) -> dict[str, Any] | None:
    """``{"size", "mtime"}`` of the file a file-backed dataset loads; ``None`` if unknown."""
    try:
        fs, protocol, location = load_location(dataset)
        if is_local(protocol, location):
            stat = os.stat(location)
            size = dir_size(location) if os.path.isdir(location) else stat.st_size
            return {"size": size, "mtime": stat.st_mtime}
        if mode == "local":
            return None
        info = fs.info(location)
        size = info.get("size")
        if info.get("type") == "directory":
            size = fs.du(location, total=True)
        return {
            "size": int(size) if isinstance(size, (int, float)) else None,
            "mtime": _mtime(info),
        }
    except Exception:
        return None  # a fact is a nicety: a missing file fails the run, not us


def raw_input_datasets(pipeline: Any, catalog: Any) -> dict[str, Any]:
    """The file-backed raw inputs of the run, by name. Only on the hook's own thread: Kedro's
    catalog creates datasets on first access and is not safe to read while the runner does."""
    found = {}
    for name in raw_inputs(pipeline)[:MAX_INPUTS]:
        dataset = file_dataset(catalog, name)
        if dataset is not None:
            found[name] = dataset
    return found


def inputs(datasets: Mapping[str, Any], mode: str | None = None) -> dict[str, Any]:
    """Size and modification time of each of the run's file-backed raw inputs."""
    mode = (mode or sizes_mode()).lower()
    if mode == "off":
        return {}
    found: dict[str, Any] = {}
    for name, dataset in datasets.items():
        facts = input_facts(dataset, mode)
        if facts is not None:
            found[name] = facts
    return found


@dataclass(frozen=True)
class RunParts:
    """What the fingerprint needs from the run's catalog, read before the run starts."""

    params: Any  # the run's parameters, as the catalog holds them
    input_datasets: dict[str, Any]  # the file-backed raw inputs, by name

    @classmethod
    def of(cls, pipeline: Any, catalog: Any) -> RunParts:
        return cls(run_parameters(catalog), raw_input_datasets(pipeline, catalog))


# -- the whole fingerprint ----------------------------------------------------------------


def manifest_summary(event: events.Event) -> dict[str, Any]:
    """What a run's manifest keeps of its fingerprint: enough for ``--list`` to compare."""
    code = event.get("code") or {}
    facts = event.get("inputs")
    return {
        "commit": code.get("commit"),
        "dirty": code.get("dirty"),
        "params": (event.get("params") or {}).get("digest"),
        "environment": (event.get("environment") or {}).get("digest"),
        "inputs": None if facts is None else short_digest(json.dumps(facts, sort_keys=True)),
    }


def take_fingerprint(parts: RunParts, project_path: str | None, redactor: Redactor) -> events.Event:
    """The ``fingerprint`` event of a run; a part that fails is ``None``, the rest stands.
    Safe off the hook's thread: it reads no catalog, only ``parts``."""

    def part(step: Any, *args: Any) -> Any:
        try:
            return step(*args)
        except Exception as exc:
            logger.debug("kedro-run-report: fingerprint part %s failed: %r", step.__name__, exc)
            return None

    return events.fingerprint(
        time.time(),
        code=part(git_state, project_path),
        params=part(lambda: param_facts(parts.params, redactor)),
        environment=part(environment),
        inputs=part(inputs, parts.input_datasets),
    )


class Fingerprinting:
    """The background thread that fingerprints one run and records the result."""

    def __init__(
        self,
        recorder: Recorder,
        parts: RunParts,
        project_path: str | None,
        redactor: Redactor,
        warn: Callable[[BaseException], None],
    ) -> None:
        self._recorder = recorder
        self._args = (parts, project_path, redactor)
        self._warn = warn  # the hook's one warning per process and run
        self._lock = threading.Lock()
        self._finished = False  # the run has ended: the manifest is no longer ours to write
        self._thread = threading.Thread(
            target=self._run, name="kedro-run-report-fingerprint", daemon=True
        )

    def start(self) -> Fingerprinting:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            event = take_fingerprint(*self._args)
            with self._lock:
                if self._finished:
                    return
                self._recorder.emit(event, flush=True)
                update_manifest(self._recorder.location, fingerprint=manifest_summary(event))
        except Exception as exc:
            # Most likely the log's disk (full, removed): the writer fails once, then drops
            # events silently, so this may be the run's only chance to warn about it.
            logger.debug("kedro-run-report: recording the fingerprint failed: %r", exc)
            try:
                self._warn(exc)
            except Exception:  # noqa: S110 - a warning must never break the run
                pass

    def wait(self, timeout: float = FINGERPRINT_GRACE) -> bool:
        """Wait up to ``timeout`` seconds for the fingerprint; whether it was recorded."""
        self._thread.join(timeout)
        with self._lock:
            self._finished = True
        return not self._thread.is_alive()


def start_fingerprint(
    recorder: Recorder,
    pipeline: Any,
    catalog: Any,
    project_path: str | None,
    redactor: Redactor,
    warn: Callable[[BaseException], None],
) -> Fingerprinting | None:
    """Start fingerprinting the run in the background; ``None`` if even that fails. A failure
    to record it goes to ``warn``, the hook's one warning per process and run."""
    try:
        parts = RunParts.of(pipeline, catalog)  # here, before the runner reads the catalog
        return Fingerprinting(recorder, parts, project_path, redactor, warn).start()
    except Exception as exc:
        logger.debug("kedro-run-report: no fingerprint for this run: %r", exc)
        return None
