"""A cache of laid-out diagrams, keyed by the pipeline's structure, next to the event log.

The same pipeline is usually reported every day; its layout (the slow part of a big report)
only changes when its structure does. The DOT source the diagram hands to the layout program
is built to depend on structure alone (ids, edges, namespaces, label texts, layout settings;
statuses and figures are painted afterwards), so its hash, with the program's identity, is
the key. Entries are what the caller's ``layout`` returns: the program's SVG with its geometry
rounded (structure-only work too). Everything after that runs on a hit exactly as on a miss,
so both give the same report.

Caching never stops a report: an unreadable, corrupt or foreign entry is ignored and rebuilt,
and a location that cannot be written (read-only, remote) is simply not cached in.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from kedro_run_report.store.files import atomic_write_text

LAYOUTS_DIR = "layouts"  # under the log root, beside runs/
KEEP = 600  # entries kept, newest first: a few pipelines, a large one a diagram per view
VERSION = "2"  # bump when what we hand to the layout program changes meaning
_HEADER = "<!-- kedro-run-report layout {key} -->\n"


def program_identity(program: str) -> str:
    """The layout program's path, size and modification time: a new Graphviz is a new key."""
    try:
        info = os.stat(program)
    except OSError:
        return program
    return f"{program}:{info.st_size}:{int(info.st_mtime)}"


def cache_key(dot_source: str, program: str, variant: str = "") -> str:
    """The sha256 of everything the layout depends on (``variant``: how it was processed)."""
    digest = hashlib.sha256()
    for part in (VERSION, program_identity(program), variant, dot_source):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def cache_dir(log_root: str | Path | None) -> Path | None:
    """The cache directory of a local event log; ``None`` (no cache) for remote logs."""
    if log_root is None:
        return None
    text = str(log_root)
    if "://" in text and not text.startswith("file://"):
        return None  # an object store: a round trip costs more than dot on most pipelines
    return Path(text.removeprefix("file://")) / LAYOUTS_DIR


def read_entry(directory: Path, key: str) -> str | None:
    """The cached SVG for ``key``, or ``None`` when missing, unreadable or corrupt."""
    path = directory / f"{key}.svg"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    header = _HEADER.format(key=key)
    body = text[len(header) :]
    if not text.startswith(header) or not body.rstrip().endswith("</svg>") or "<svg" not in body:
        return None  # truncated, edited or written by something else: lay out again
    try:
        os.utime(path)  # recently used entries are the last to go
    except OSError:
        pass
    return body


def write_entry(directory: Path, key: str, svg: str) -> None:
    """Store an entry atomically and keep only the newest :data:`KEEP`; never raises."""
    write_entries(directory, {key: svg})


def write_entries(directory: Path, entries: dict[str, str]) -> None:
    """Store entries (key -> SVG) atomically, then prune once; never raises."""
    try:
        for key, svg in entries.items():
            atomic_write_text(
                str(directory / f"{key}.svg"), _HEADER.format(key=key) + svg, durable=False
            )
        if entries:
            prune(directory)
    except OSError:
        pass  # read-only or full: the report does not need the cache


def prune(directory: Path, keep: int = KEEP) -> None:
    """Delete all but the ``keep`` most recently used entries."""
    entries = []
    for path in directory.glob("*.svg"):
        try:
            entries.append((path.stat().st_mtime, path.name, path))
        except OSError:
            continue
    for _, _, path in sorted(entries, reverse=True)[keep:]:
        try:
            path.unlink()
        except OSError:
            pass


def cached_layout(
    dot_source: str,
    program: str,
    directory: Path | None,
    layout: Callable[[str, str], str],
    variant: str = "",
) -> str:
    """The SVG of ``dot_source``: from the cache when there, else from ``layout`` (stored).

    ``variant`` names what ``layout`` does beyond laying out (it is part of the key).
    """
    if directory is None:
        return layout(dot_source, program)
    key = cache_key(dot_source, program, variant)
    hit = read_entry(directory, key)
    if hit is not None:
        return hit
    svg = layout(dot_source, program)
    write_entry(directory, key, svg)
    return svg
