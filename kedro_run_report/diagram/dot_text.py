"""DOT lines written quickly: the very lines ``graphviz.Digraph.node()`` and ``.edge()`` write.

A large run's views make tens of thousands of nodes and links, most of whose attributes
repeat (fonts, colours, shapes), and the library quotes every name and value anew behind a
wrapper that checks its arguments: more than half the time of building a view's DOT. Here
each distinct text is quoted once.
"""

from __future__ import annotations

from functools import lru_cache

import graphviz
from graphviz.quoting import quote, quote_edge

from kedro_run_report.diagram.elements import Attrs

_quote = lru_cache(maxsize=65_536)(quote)
_quote_edge = lru_cache(maxsize=65_536)(quote_edge)


def _attr_list(attrs: Attrs) -> str:
    """`` [label=... a=1 b=2]``, as the library writes it: the label first, then the rest
    sorted by name, ``None`` left out; empty without attributes."""
    label = attrs.get("label")
    parts = [f"label={_quote(label)}"] if label is not None else []
    parts += [
        f"{_quote(key)}={_quote(value)}"
        for key, value in sorted(attrs.items())
        if key != "label" and value is not None
    ]
    return f" [{' '.join(parts)}]" if parts else ""


def add_node(graph: graphviz.Digraph, ident: str, attrs: Attrs) -> None:
    """``graph.node(ident, **attrs)``."""
    graph.body.append(f"\t{_quote(ident)}{_attr_list(attrs)}\n")


def add_edge(graph: graphviz.Digraph, tail: str, head: str, attrs: Attrs | None = None) -> None:
    """``graph.edge(tail, head, **attrs)``."""
    graph.body.append(f"\t{_quote_edge(tail)} -> {_quote_edge(head)}{_attr_list(attrs or {})}\n")
