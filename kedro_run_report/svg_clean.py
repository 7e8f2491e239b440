"""Making the layout program's SVG small and safe to inline in the report."""

from __future__ import annotations

import html
import re

from kedro_run_report.model import RunStatus

FONT = "Helvetica"  # Graphviz knows its metrics; browsers map it to Arial/Liberation Sans
TEXT = "#1F2933"

_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)
_TITLE = re.compile(r"<title>[^<]*</title>\n?")
_TIP = re.compile(r'xlink:title="([nd]_[0-9a-f]{1,40})"')
_FONT = re.compile(r' font-family="[^"]*"')
_WRAPPER_ID = re.compile(r'<g id="a_[^"]*">')
_EDGE_ID = re.compile(r'<g id="edge\d+" class="edge">')
_GEOMETRY = re.compile(r' (d|points|x|y|width|height|font-size|stroke-width)="([^"]*)"')
_WRAPPER = re.compile(r"<g>\n?(<a [^>]*>)((?:.|\n)*?</a>)\n?</g>")
_NODE_ID = re.compile(r'<g id="g[nd]_[0-9a-f]+" class="node')
_INHERITED = re.compile(r' text-anchor="start"| font-size="11"')  # set once on the root
_TIP_ATTR = re.compile(r' xlink:title="[nd]_[0-9a-f]+"')
_NUMBER = re.compile(r"-?\d+\.\d+")
_POLYGON = re.compile(
    r'<polygon fill="([^"]*)" stroke="([^"]*)"((?: stroke-[a-z]+="[^"]*")*) points="([^"]*)"/>'
)
_EDGE_PAINT = re.compile(
    r'<g class="edge">\n?<path fill="none" stroke="([^"]*)"([^>]*/>\n?<polygon) '
    r'fill="[^"]*" stroke="[^"]*"'
)


def _round_numbers(value: str, digits: int) -> str:
    def fmt(match: re.Match[str]) -> str:
        text = f"{float(match.group(0)):.{digits}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return "0" if text == "-0" else text

    return _NUMBER.sub(fmt, value)


def _polygon_to_rect(match: re.Match[str]) -> str:
    """A box polygon as a <rect> with rounded corners (smaller, softer); drop the backdrop."""
    fill, stroke, extra, points = match.groups()
    if stroke == "transparent":
        return ""  # the page background dot paints; the page has its own
    coords = [p.split(",") for p in points.split()]
    xs = {float(c[0]) for c in coords}
    ys = {float(c[1]) for c in coords}
    if len(coords) != 5 or len(xs) != 2 or len(ys) != 2:
        return match.group(0)
    x, y = min(xs), min(ys)
    return (
        f'<rect fill="{fill}" stroke="{stroke}"{extra} x="{x}" y="{y}" '
        f'width="{max(xs) - x}" height="{max(ys) - y}" rx="5"/>'
    )


def _attr(text: str) -> str:
    """Escape for an XML attribute; newlines kept as character references, not normalised."""
    return html.escape(text, quote=True).replace("\r", "&#13;").replace("\n", "&#10;")


def clean_svg(svg: str, tooltips: dict[str, str], *, digits: int = 1) -> str:
    """Make dot's SVG inline-ready and small: no prolog, doctype, comments or redundant ids.

    Tooltip tokens (``n_<id>``) become the escaped names they stand for, so user text never
    goes through Graphviz's backslash processing of attributes.
    """
    svg = _PROLOG.sub("", svg)
    svg = _TITLE.sub("", svg)  # the link's xlink:title is the tooltip; titles repeat it
    svg = _WRAPPER_ID.sub("<g>", svg)
    svg = _WRAPPER.sub(r"\1\2", svg)  # the <a> alone carries the link
    if digits == 0:  # large graphs: ids and tooltips cost bytes; the inspector has names
        svg = _NODE_ID.sub('<g class="node', svg)
        svg = _TIP_ATTR.sub("", svg)
    svg = _INHERITED.sub("", svg)
    svg = _EDGE_ID.sub('<g class="edge">', svg)
    svg = _FONT.sub("", svg)  # set once on the root below and inherited
    svg = _POLYGON.sub(_polygon_to_rect, svg)
    # edge colour once on the group instead of twice per edge (inherited)
    svg = _EDGE_PAINT.sub(r'<g class="edge" fill="\1" stroke="\1">\n<path fill="none"\2', svg)
    svg = _GEOMETRY.sub(lambda m: f' {m.group(1)}="{_round_numbers(m.group(2), digits)}"', svg)
    svg = _TIP.sub(lambda m: f'xlink:title="{_attr(tooltips.get(m.group(1), m.group(1)))}"', svg)
    svg = re.sub(r">\s+<", ">\n<", svg.strip())
    root = f'<svg font-family="{FONT},Arial,sans-serif" font-size="11" text-anchor="start" '
    return svg.replace("<svg ", root + f'fill="{TEXT}" ', 1)


def tooltip_names(status: RunStatus) -> dict[str, str]:
    """Tooltip tokens used in the DOT source -> the full names they stand for."""
    names = {f"n_{n.id}": n.name for n in status.nodes.values()}
    names.update({f"d_{d.id}": d.name for d in status.datasets.values()})
    return names
