"""The hook's own lines, formatted from pieces encoded once, are exactly what ``encode`` gives.

The hook writes its node and dataset events with ``events.*_line`` (a fraction of the general
encoder's cost) and builds their dictionaries only when it folds them into the live status.
Either way a reader must see the events the constructors build: these tests compare the two
byte for byte, over any text a name can hold and any time or reading.
"""

from __future__ import annotations

import time

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kedro_run_report import events
from kedro_run_report.events import EventKind

LONE = "\ud800"
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(f'\x00\x07\x1b\x7f\x9b\u202e"\\/\r\n\t{LONE}\udfff'),
    ),
    max_size=20,
)
# Any finite time, and times as ``time.time()`` gives them now.
TIME = st.one_of(
    st.floats(min_value=0, max_value=events.MAX_TIME, exclude_max=True),
    st.floats(min_value=1.7e9, max_value=2.1e9),
)
READING = st.one_of(st.none(), st.integers(min_value=0, max_value=2**62))
IO_KINDS = st.sampled_from(
    [EventKind.LOAD_START, EventKind.LOAD_END, EventKind.SAVE_START, EventKind.SAVE_END]
)


def _written(line: str) -> bytes:
    return line.encode("utf-8", "backslashreplace")  # as the writer writes a line


@settings(max_examples=300, deadline=None)
@given(node=TEXT, ident=TEXT, t=TIME, pid=st.integers(min_value=0), thread=TEXT, kib=READING)
@example(node=f"n{LONE}", ident="abc", t=time.time(), pid=1, thread="MainThread", kib=1024)
def test_node_lines_are_the_encoded_events(
    node: str, ident: str, t: float, pid: int, thread: str, kib: int | None
) -> None:
    text = events.NodeText(node, ident)
    start = events.node_start(t, node, ident, pid=pid, thread=thread, maxrss_kib=kib)
    line = events.node_start_line(t, text, pid=pid, thread=thread, maxrss_kib=kib)
    assert _written(line) == _written(events.encode(start))
    end = events.node_end(t, node, ident, maxrss_kib=kib)
    assert _written(events.node_end_line(t, text, maxrss_kib=kib)) == _written(events.encode(end))


@settings(max_examples=300, deadline=None)
@given(
    kind=IO_KINDS,
    dataset=TEXT,
    node=TEXT,
    t=TIME,
    size=READING,
    rows=READING,
    in_memory=st.booleans(),
)
@example(
    kind=EventKind.SAVE_END,
    dataset=f"{LONE}d",
    node="n",
    t=time.time(),
    size=12,
    rows=3,
    in_memory=True,
)
def test_io_lines_are_the_encoded_events(
    kind: EventKind,
    dataset: str,
    node: str,
    t: float,
    size: int | None,
    rows: int | None,
    in_memory: bool,
) -> None:
    text = events.NodeText(node, "id")
    started = events.io_start(kind, t, dataset, node)
    assert _written(events.io_start_line(kind, t, dataset, text)) == _written(
        events.encode(started)
    )
    ended = events.io_end(kind, t, dataset, node, size=size, rows=rows, in_memory=in_memory)
    line = events.io_end_line(kind, t, dataset, text, size=size, rows=rows, in_memory=in_memory)
    assert _written(line) == _written(events.encode(ended))
    assert events.decode(line) == events.decode(events.encode(ended))
