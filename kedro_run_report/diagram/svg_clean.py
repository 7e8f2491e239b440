"""Making the layout program's SVG small and safe to inline in the report."""

from __future__ import annotations

import html
import re

from kedro_run_report.formatting import short_number
from kedro_run_report.model import RunStatus
from kedro_run_report.vocabulary import ACCENT, EDGE, TEXT

DOT_EDGE = EDGE.lower()  # the edge colour as dot writes it
FONT = "Helvetica"  # Graphviz knows its metrics; browsers map it to Arial/Liberation Sans

_PROLOG = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)
_TITLE = re.compile(r"<title>[^<]*</title>\n?")
_TIP = re.compile(r'xlink:title="([ndg]_[0-9a-f]{1,40})"')
_FONT = re.compile(r' font-family="[^"]*"')
_WRAPPER_ID = re.compile(r'<g id="a_[^"]*">')
_EDGE = re.compile(r'<g id="edge\d+" class="edge">\n?<title>([^<]*)</title>\n?')
_EDGE_ENDS = re.compile(r"([nd]_[0-9a-f]+)(?:&#45;|-)(?:&gt;|>)([nd]_[0-9a-f]+)")
_GEOMETRY = re.compile(r' (d|points|x|y|width|height|font-size|stroke-width)="([^"]*)"')
_WRAPPER = re.compile(r"<g>\n?(<a [^>]*>)((?:.|\n)*?</a>)\n?</g>")
_NODE_ID = re.compile(r'<g id="g[nd]_[0-9a-f]+" class="node')
_INHERITED = re.compile(r' text-anchor="start"| font-size="11"')  # set once on the root
_TIP_ATTR = re.compile(r' xlink:title="[nd]_[0-9a-f]+"')
_NUMBER = re.compile(r"-?\d+\.\d+")
_NODE_LINES = re.compile(r'<g class="node[^"]*">\n<a .*?</a>\n</g>', re.S)
_ANY_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_CURVE = re.compile(r"M-?[\d.]+,-?[\d.]+C[-\d., ]+")  # a path of dot's absolute curves
_POLYGON = re.compile(
    r'<polygon fill="([^"]*)" stroke="([^"]*)"((?: stroke-[a-z]+="[^"]*")*) points="([^"]*)"/>'
)
_EDGE_PAINT = re.compile(
    r'<g class="(edge(?: cp)?)">\n?<path fill="none" stroke="([^"]*)"([^>]*/>\n?<polygon) '
    r'fill="[^"]*" stroke="[^"]*"'
)
_BARE_EDGE = re.compile(
    r'<g class="edge( cp)?">\n?<path fill="none" stroke="([^"]*)" d="([^"]*)"/>\n?</g>\n?'
)
_ARROW_EDGE = re.compile(
    rf'<g class="edge" fill="{DOT_EDGE}" stroke="{DOT_EDGE}">\n?<path fill="none" d="([^"]*)"/>'
    r'\n?<polygon points="([^"]*)"/>\n?</g>\n?'
)
_CP_EDGE_PAINT = re.compile(r'<g class="edge cp" fill="[^"]*" stroke="[^"]*">')
# a cylinder is its outline (filled) and the front rim of its top (not): one path draws both,
# as the rim's own fill only paints the inside of the filled outline again
_CYLINDER = re.compile(
    r'(<path fill="[^"]*" stroke="([^"]*)"((?: stroke-[a-z]+="[^"]*")*) d="[^"]*)"/>\n?'
    r'<path fill="none" stroke="\2"\3 d="(M[^"]*)"/>'
)
_FIRST_NODE = re.compile(r'<g (?:id="g[nd]_[0-9a-f]+" )?class="node')


def _round_numbers(value: str, digits: int) -> str:
    return _NUMBER.sub(lambda match: short_number(float(match.group(0)), digits), value)


def _relative(d: str, digits: int) -> str:
    """``M x,y C x1,y1 x2,y2 x3,y3 ...`` as ``Mx y c dx1 dy1 ...``, each point rounded to
    ``digits`` decimals first: relative coordinates are small numbers, which cuts the edges'
    bytes by about a third. Any other path is only rounded."""
    if digits == 0:  # whole numbers: the same as below, faster
        numbers: list[float] = [round(float(v)) for v in _ANY_NUMBER.findall(d)]
    else:
        numbers = [float(short_number(float(v), digits)) for v in _ANY_NUMBER.findall(d)]
    if len(numbers) < 8 or (len(numbers) - 2) % 6:
        return _round_numbers(d, digits)
    x, y = numbers[0], numbers[1]
    out = [short_number(x, digits), short_number(y, digits), "c"]
    for at in range(2, len(numbers), 6):
        segment = numbers[at : at + 6]
        out += [short_number(segment[i] - (x if i % 2 == 0 else y), digits) for i in range(6)]
        x, y = segment[4], segment[5]
    text = "M" + " ".join(out)
    # a minus sign separates numbers by itself
    return text.replace(" -", "-").replace(" c", "c").replace("c ", "c")


def outline_xs(geometry: str) -> list[float]:
    """The x coordinates of a ``points`` list or a path, in absolute terms: a curve that
    :func:`_relative` rewrote (``Mx y c dx1 dy1 ...``) is resolved back."""
    geometry = geometry[:1] + geometry[1:].split("M", 1)[0]  # the first subpath: the outline
    numbers = [float(v) for v in _ANY_NUMBER.findall(geometry)]
    if "c" not in geometry:
        return numbers[0::2]
    x = numbers[0]
    xs = [x]
    for at in range(2, len(numbers) - 5, 6):
        xs += [x + numbers[at], x + numbers[at + 2], x + numbers[at + 4]]
        x += numbers[at + 4]
    return xs


def _polygon_to_rect(match: re.Match[str], digits: int) -> str:
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
    width, height = short_number(max(xs) - x, digits), short_number(max(ys) - y, digits)
    return (
        f'<rect fill="{fill}" stroke="{stroke}"{extra} x="{short_number(x, digits)}" '
        f'y="{short_number(y, digits)}" width="{width}" height="{height}" rx="5"/>'
    )


def _attr(text: str) -> str:
    """Escape for an XML attribute; newlines kept as character references, not normalised."""
    return html.escape(text, quote=True).replace("\r", "&#13;").replace("\n", "&#10;")


def round_geometry(svg: str, digits: int) -> str:
    """Coordinates and sizes to ``digits`` decimals, curves as relative paths.

    The costliest part of cleaning, and one that depends on the layout alone: the layout
    cache stores its result (see ``diagram.render_diagram``). Rounding twice changes nothing.
    """

    def rounded(match: re.Match[str]) -> str:
        name, value = match.groups()
        if name == "d" and _CURVE.fullmatch(value):
            return f' d="{_relative(value, digits)}"'
        return f' {name}="{_round_numbers(value, digits)}"'

    return _GEOMETRY.sub(rounded, svg)


def clean_svg(
    svg: str,
    tooltips: dict[str, str],
    *,
    digits: int = 1,
    critical_edges: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
    geometry_rounded: bool = False,
) -> str:
    """Make dot's SVG inline-ready and small: no prolog, doctype, comments or redundant ids.

    Tooltip tokens (``n_<id>``) become the escaped names they stand for, so user text never
    goes through Graphviz's backslash processing of attributes. Edges between the graph nodes
    in ``critical_edges`` get the class ``cp`` and the accent colour: marked after layout, so
    the layout is the same with or without them. ``geometry_rounded``: the SVG went through
    :func:`round_geometry` already (with the same ``digits``).
    """
    svg = _PROLOG.sub("", svg)

    def edge(match: re.Match[str]) -> str:
        ends = _EDGE_ENDS.search(match.group(1))
        on_path = ends is not None and (ends.group(1), ends.group(2)) in critical_edges
        return '<g class="edge cp">' if on_path else '<g class="edge">'

    svg = _EDGE.sub(edge, svg)  # before titles go: they name the edge's ends
    svg = _TITLE.sub("", svg)  # the link's xlink:title is the tooltip; titles repeat it
    svg = _WRAPPER_ID.sub("<g>", svg)
    svg = _WRAPPER.sub(r"\1\2", svg)  # the <a> alone carries the link
    if digits == 0:  # large graphs: ids and tooltips cost bytes; the inspector has names
        svg = _NODE_ID.sub('<g class="node', svg)
        svg = _TIP_ATTR.sub("", svg)
    svg = _FONT.sub("", svg)  # set once on the root below and inherited
    svg = _POLYGON.sub(lambda m: _polygon_to_rect(m, digits), svg)
    # edge colour once on the group instead of twice per edge (inherited)
    svg = _EDGE_PAINT.sub(r'<g class="\1" fill="\2" stroke="\2">\n<path fill="none"\3', svg)
    svg = _CP_EDGE_PAINT.sub(
        f'<g class="edge cp" fill="{ACCENT}" stroke="{ACCENT}" stroke-width="2">', svg
    )
    if not geometry_rounded:
        svg = round_geometry(svg, digits)
    svg = _INHERITED.sub("", svg)  # after rounding: "11.00" is "11" only now
    svg = _CYLINDER.sub(r'\1\4"/>', svg)
    svg = _group_edges(svg, arrows=digits == 0)
    svg = _TIP.sub(lambda m: f'xlink:title="{_attr(tooltips.get(m.group(1), m.group(1)))}"', svg)
    svg = re.sub(r">\s+<", ">\n<", svg.strip())
    if digits == 0:  # big graphs: one line per node, not six; the page's CSS rounds corners
        svg = _NODE_LINES.sub(lambda m: m.group(0).replace("\n", ""), svg)
        svg = svg.replace(' rx="5"/>', "/>").replace("<a xlink:href=", "<a href=")  # SVG 2
    root = f'<svg font-family="{FONT},Arial,sans-serif" font-size="11" text-anchor="start" '
    return svg.replace("<svg ", root + f'fill="{TEXT}" ', 1)


def _arrowhead(points: str) -> str:
    """A polygon's ``x,y x,y ...`` as a closed subpath (``Mx y x y ...z``)."""
    return "M" + " ".join(points.split()).replace(",", " ").replace(" -", "-") + "z"


def _group_edges(svg: str, *, arrows: bool = False) -> str:
    """Edges without arrowheads (big graphs) as bare paths in one group painted once.

    Each edge otherwise repeats its group, fill and stroke: about 50 bytes an edge. The group
    goes before the first node, so nodes are drawn over edge ends, as dot draws them anyway.
    ``arrows``: the edges of the usual colour with an arrowhead too, their lines as one path
    and their heads as another (about 150 bytes an edge become 50).
    """
    plain: list[str] = []
    marked: list[str] = []
    heads: list[str] = []

    def take_arrow(match: re.Match[str]) -> str:
        plain.append(match.group(1))
        heads.append(_arrowhead(match.group(2)))
        return ""

    if arrows:
        svg = _ARROW_EDGE.sub(take_arrow, svg)

    def take(match: re.Match[str]) -> str:
        cp, stroke, d = match.groups()
        if cp:
            marked.append(d)
        else:  # an edge of another colour (not selected: faded) keeps it
            plain.append(d if stroke.lower() == DOT_EDGE else f'{d}" stroke="{stroke}')
        return ""

    rest = _BARE_EDGE.sub(take, svg)
    if not plain and not marked:
        return rest
    # the plain edges of one colour as one path: each would otherwise repeat its element.
    # Collapsing a namespace still hides them: its summary box is drawn over them.
    same = [d for d in plain if '"' not in d]
    paths = f'<path d="{"".join(same)}"/>\n' if same else ""
    paths += "".join(f'<path d="{d}"/>\n' for d in plain if '"' in d)
    if heads:
        paths += f'<path class="heads" fill="{DOT_EDGE}" stroke="none" d="{"".join(heads)}"/>\n'
    paths += "".join(
        f'<path class="cp" d="{d}" stroke="{ACCENT}" stroke-width="2"/>\n' for d in marked
    )
    group = f'<g class="edges" fill="none" stroke="{DOT_EDGE}">\n{paths}</g>\n'
    first = _FIRST_NODE.search(rest)
    at = first.start() if first else rest.rindex("</g>")
    return rest[:at] + group + rest[at:]


def tooltip_names(status: RunStatus) -> dict[str, str]:
    """Tooltip tokens used in the DOT source -> the full names they stand for."""
    names = {f"n_{n.id}": n.name for n in status.nodes.values()}
    names.update({f"d_{d.id}": d.name for d in status.datasets.values()})
    return names
