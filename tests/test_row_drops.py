"""Outputs with notably fewer rows than their node's main input: marked on the diagram and in
the dataset table."""

from __future__ import annotations

from helpers.event_log import EventLog

from kedro_run_report.diagram.marks import row_drops
from kedro_run_report.diagram.paint import dataset_cue, paints
from kedro_run_report.ids import dataset_id
from kedro_run_report.model import RunStatus, aggregate
from kedro_run_report.report.views.rows import dataset_rows
from kedro_run_report.vocabulary import ROW_DROP_COLOUR, ROW_DROP_CUE

JOIN = [("join", ["left", "right", "params:how"], ["joined"])]
JOINED = dataset_id("joined")


def joined(out: int | None, left: int | None = 1000, right: int | None = 200) -> RunStatus:
    """``join`` loads ``left`` and ``right`` (rows as given; None: not recorded), saves ``out``."""
    log = EventLog().start(JOIN)
    for name, rows in (("left", left), ("right", right)):
        sizes = {} if rows is None else {"rows": rows}
        log.load(name, "join", size=4096, **sizes)
    log.load("params:how", "join")
    log.node("join", 0.5)
    log.save("joined", "join", size=2048, **({} if out is None else {"rows": out}))
    return aggregate(log.end().events)


def test_ten_percent_fewer_rows_is_marked_nine_percent_is_not() -> None:
    assert JOINED in row_drops(joined(900))  # exactly 10% fewer than the 1,000 of "left"
    assert row_drops(joined(901)) == {}  # 9.9%
    assert row_drops(joined(910)) == {}  # 9%
    assert row_drops(joined(1000)) == {} and row_drops(joined(1500)) == {}


def test_the_main_input_is_the_one_with_the_most_rows() -> None:
    drop = row_drops(joined(690))[JOINED]
    assert (drop.main_input, drop.input_rows, drop.rows, drop.node) == ("left", 1000, 690, "join")
    assert drop.label == "-31% rows"
    assert "690 rows, 31% fewer than the 1,000 rows of left" in drop.explanation
    # the larger side decides, whichever order the inputs come in
    assert row_drops(joined(690, left=200, right=1000))[JOINED].main_input == "right"
    # 190 rows is fewer than either input; 250 is more than the smaller one, still a drop
    assert row_drops(joined(250, left=200, right=1000))[JOINED].label == "-75% rows"


def test_missing_row_counts_mark_nothing_or_use_the_inputs_that_have_them() -> None:
    assert row_drops(joined(None)) == {}  # the output's rows are unknown
    assert row_drops(joined(100, left=None, right=None)) == {}  # no input has rows
    drop = row_drops(joined(150, left=None, right=200))[JOINED]  # only "right" is known
    assert drop.main_input == "right" and drop.label == "-25% rows"
    assert row_drops(joined(0, left=0, right=0)) == {}  # nothing to lose


def test_the_diagram_cue_class_and_colour() -> None:
    status = joined(690)
    paint = paints(status, compact=False)[f"d_{JOINED}"]
    assert "rows-dropped" in paint.classes
    assert paint.cue == f"{ROW_DROP_CUE} -31% rows · 2.0 kB"
    assert paint.cue_colour == ROW_DROP_COLOUR
    assert paints(status, compact=True)[f"d_{JOINED}"].mark == ROW_DROP_CUE
    plain = paints(joined(950), compact=False)[f"d_{JOINED}"]
    assert "rows-dropped" not in plain.classes and plain.cue_colour is None
    assert plain.cue == "2.0 kB · 950 rows"
    assert dataset_cue(status.datasets[JOINED]) == "2.0 kB · 690 rows"  # without a drop


def test_the_dataset_table_shows_the_drop() -> None:
    rows = {r.name: r for r in dataset_rows(joined(690))}
    assert rows["joined"].badge == "-31% rows"
    assert "fewer than the 1,000 rows of left" in rows["joined"].badge_title
    assert rows["left"].badge == "" and rows["right"].badge == ""
    assert all(r.badge == "" for r in dataset_rows(joined(910)))


def test_a_split_shares_rows_out_and_is_not_marked() -> None:
    def split(train: int, test: int) -> RunStatus:
        log = EventLog().start([("split", ["table"], ["train", "test"])])
        log.load("table", "split", rows=1000).node("split", 0.1)
        log.save("train", "split", rows=train).save("test", "split", rows=test)
        return aggregate(log.end().events)

    assert row_drops(split(750, 250)) == {}  # every row went somewhere
    assert row_drops(split(800, 300)) == {}  # overlapping samples: more, not fewer
    lossy = row_drops(split(600, 200))  # 200 rows went nowhere: both outputs are marked
    assert {d.label for d in lossy.values()} == {"-40% rows", "-80% rows"}
