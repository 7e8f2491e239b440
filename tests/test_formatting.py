"""Human-readable durations, sizes, counts and timestamps."""

from __future__ import annotations

import pytest

from kedro_run_report.formatting import (
    format_bytes,
    format_clock,
    format_count,
    format_duration,
    format_offset,
    format_timestamp,
    iso_utc,
)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "–"),
        (-1, "–"),
        (float("nan"), "–"),
        (0, "0 ms"),
        (0.0004, "<1 ms"),
        (0.85, "850 ms"),
        (0.9996, "1.0 s"),
        (3.2, "3.2 s"),
        (9.96, "10 s"),
        (59.4, "59 s"),
        (62, "1m 2s"),
        (3599.6, "1h 0m"),
        (2 * 3600 + 5 * 60, "2h 5m"),
        (50 * 3600, "2d 2h"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (None, "–"),
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (1_234_567, "1.2 MB"),
        (999_960, "1.0 MB"),
        (123_456_789, "123 MB"),
        (5 * 10**18, "5000 PB"),
    ],
)
def test_format_bytes(size: int | None, text: str) -> None:
    assert format_bytes(size) == text


def test_counts_and_times() -> None:
    t = 1_714_564_800.25  # 2024-05-01 12:00:00.250 UTC
    assert format_count(1234567) == "1,234,567"
    assert format_count(None) == "–"
    assert format_timestamp(t) == "2024-05-01 12:00:00 UTC"
    assert format_clock(t) == "12:00:00.250"
    assert format_offset(t + 1.2, t) == "+1.2 s"
    assert format_offset(None, t) == "–"
    assert iso_utc(t) == "2024-05-01T12:00:00.250+00:00"
    assert iso_utc(None) == ""
