"""Human-readable durations, byte sizes, counts and timestamps for the reports."""

from __future__ import annotations

import html
import math
import re
from datetime import datetime, timezone

_BYTE_UNITS = ("kB", "MB", "GB", "TB", "PB")
# What a terminal acts on instead of showing: C0 controls (ESC starts colour, clear-screen,
# OSC 0 title and OSC 8 hyperlink sequences, which BEL or ESC end), DEL, C1 controls (CSI
# and OSC in one byte), bidirectional marks, embeddings, overrides and isolates (the text
# would show in another order than it is), line and paragraph separators, and lone
# surrogates (which no terminal encoding can write).
_TERMINAL_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)
_TERMINAL_UNSAFE_KEEP_NEWLINES = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    r"\ud800-\udfff]"
)


def format_duration(seconds: float | None) -> str:
    """Seconds as ``"850 ms"``, ``"3.2 s"``, ``"1m 2s"`` or ``"2h 5m"``; ``"–"`` if unknown."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return "–"
    if seconds < 1:
        ms = seconds * 1000
        if ms == 0:
            return "0 ms"
        if ms < 1:
            return "<1 ms"
        # 999.6 ms would round to "1000 ms": show it as seconds instead
        if round(ms) < 1000:
            return f"{round(ms)} ms"
    if seconds < 59.95:
        # one decimal under ten seconds, where a tenth still matters
        return f"{seconds:.1f} s" if seconds < 9.95 else f"{round(seconds)} s"
    total = int(round(seconds))
    if total < 3600:
        minutes, secs = divmod(total, 60)
        return f"{minutes}m {secs}s"
    total_minutes = int(round(seconds / 60))
    hours, minutes = divmod(total_minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def format_bytes(size: int | None) -> str:
    """Bytes in decimal (SI) units: ``"512 B"``, ``"1.2 MB"``; ``"–"`` if unknown."""
    if size is None or size < 0:
        return "–"
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in _BYTE_UNITS:
        value /= 1000
        # switch unit before "1000.0 kB" would be printed
        if round(value, 1) < 1000 or unit == _BYTE_UNITS[-1]:
            return f"{value:.1f} {unit}" if value < 100 else f"{round(value)} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def format_count(count: int | None) -> str:
    """An integer with thousands separators (``"12,345"``); ``"–"`` if unknown."""
    return "–" if count is None else f"{count:,}"


def format_timestamp(timestamp: float | None) -> str:
    """Seconds since the epoch as ``"2024-05-01 12:03:04 UTC"``; ``"–"`` if unknown."""
    if timestamp is None:
        return "–"
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def format_clock(timestamp: float | None) -> str:
    """Time of day with milliseconds, UTC: ``"12:03:04.250"``; ``"–"`` if unknown."""
    if timestamp is None:
        return "–"
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def format_offset(timestamp: float | None, origin: float | None) -> str:
    """Time since the run started, as ``"+1.2 s"``; ``"–"`` if either is unknown."""
    if timestamp is None or origin is None:
        return "–"
    return "+" + format_duration(max(0.0, timestamp - origin))


def iso_utc(timestamp: float | None) -> str:
    """ISO 8601 in UTC for ``<time datetime=...>``; empty if unknown."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="milliseconds")


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_number(value: float, digits: int) -> str:
    """``value`` with at most ``digits`` decimals and no trailing zeros."""
    if digits == 0:  # the same rounding (half to even), a third of the time: large diagrams
        return str(round(value))
    text = f"{value:.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def terminal_safe(text: str, *, newlines: bool = False) -> str:
    """``text`` with every character a terminal would act on shown as an escape (``\\x1b``).

    With ``newlines``, a newline stays one (for text that is meant to span lines).
    """
    pattern = _TERMINAL_UNSAFE_KEEP_NEWLINES if newlines else _TERMINAL_UNSAFE
    return pattern.sub(_visible_escape, text)


def _visible_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml(text: str) -> str:
    """Text for SVG content or attributes: escaped, control characters replaced."""
    text = "".join(ch if ch >= " " or ch in "\n\t" else "\ufffd" for ch in text)
    return html.escape(text, quote=True)


def num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing zeros."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text
