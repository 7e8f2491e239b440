"""The DOT lines written without the graphviz library's node() and edge() are the same."""

from __future__ import annotations

import graphviz
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kedro_run_report.diagram.dot_text import add_edge, add_node

# names and values as the diagram makes them, and the ones quoting must take care of
TEXT = st.one_of(
    st.sampled_from(["n_ab12", "d_ff", "label", "class", "filled,dashed", "#2F8F4E", "0.3"]),
    st.text(max_size=12),
    st.builds(lambda t: f"<<B>{t}</B>>", st.text(alphabet="abc <>&\\", max_size=8)),
)
ATTRS = st.dictionaries(
    st.sampled_from(["label", "shape", "style", "class", "fillcolor", "id", "URL", "tooltip"]),
    st.one_of(TEXT, st.none()),
    max_size=6,
)
# the library warns of a text dot would reject, and quotes it all the same: so do we
pytestmark = pytest.mark.filterwarnings("ignore:expect syntax error")


@given(ident=TEXT, attrs=ATTRS)
def test_a_node_line_is_the_librarys(ident: str, attrs: dict[str, str]) -> None:
    ours, theirs = graphviz.Digraph(), graphviz.Digraph()
    add_node(ours, ident, attrs)
    theirs.node(ident, **attrs)
    assert ours.body == theirs.body


@given(tail=TEXT, head=TEXT, attrs=ATTRS)
def test_an_edge_line_is_the_librarys(tail: str, head: str, attrs: dict[str, str]) -> None:
    ours, theirs = graphviz.Digraph(), graphviz.Digraph()
    add_edge(ours, tail, head, attrs)
    theirs.edge(tail, head, **attrs)
    assert ours.body == theirs.body
