"""The DOT attributes of the diagram's elements: tasks, datasets, and the stubs that stand for
what lies outside a view (see ``views``). Labels are built from escaped text only."""

from __future__ import annotations

import html
from dataclasses import dataclass

from kedro_run_report.diagram.paint import COMPACT_MARK, DATA_CUE_SLOT, TASK_CUE_SLOT, Paint
from kedro_run_report.ids import is_parameter
from kedro_run_report.model import NOT_SELECTED, DatasetRun, NodeRun
from kedro_run_report.vocabulary import FADED, MUTED, PARAM_STROKE, STATUS_STYLE

MAX_LABEL = 42

Attrs = dict[str, str]


def gv_text(text: str, limit: int | None = None) -> str:
    """Text for a Graphviz HTML-like label: XML-escaped, backslashes and newlines neutralised."""
    if limit is not None and len(text) > limit:
        text = "…" + text[-(limit - 1) :]  # the end of a name tells nodes apart best
    # control characters are not allowed in XML; newlines become a visible mark
    text = text.replace("\r\n", "\n").replace("\n", "↵")
    text = "".join(ch if ch >= " " or ch == "\t" else "\ufffd" for ch in text)
    # Graphviz expands \N, \G, \L ... inside labels too; "\\" is its literal backslash
    return html.escape(text, quote=True).replace("\\", "\\\\")


def overlay(attrs: Attrs, paint: Paint | None) -> Attrs:
    """Status paint as DOT attributes: for a DOT source that stands alone (not laid out)."""
    if paint is None:
        return attrs
    if paint.fill is not None:
        attrs.update(fillcolor=paint.fill, color=paint.stroke)
        attrs["style"] = "filled" + (f",{paint.dash}" if paint.dash else "")
        if paint.width:
            attrs["penwidth"] = paint.width
    attrs["class"] = paint.classes
    return attrs


def two_lines(title: str, detail: str, size: int, bold: bool) -> str:
    head = f"<B>{title}</B>" if bold else title
    return f'<{head}<BR/><FONT POINT-SIZE="{size - 2}" COLOR="{MUTED}">{gv_text(detail)}</FONT>>'


def short_name(node: NodeRun) -> str:
    """The node's name without its namespace: the cluster around it already says that."""
    name = node.name
    if node.namespace and name.startswith(node.namespace + "."):
        return name[len(node.namespace) + 1 :]
    return name


def task_attrs(node: NodeRun, compact: bool, paint: Paint | None) -> Attrs:
    title = gv_text(short_name(node), MAX_LABEL)
    if compact:  # one line, one <text>: the status mark leads, the name follows
        label = f"<{paint.mark if paint and paint.mark else COMPACT_MARK} {title}>"
    else:
        label = two_lines(title, paint.cue or "" if paint else TASK_CUE_SLOT, 11, True)
    # neutral paint: statuses are painted after layout (diagram/paint.py), so the layout, and
    # its cache key, depend on structure alone. Plain boxes: clean_svg rounds their corners.
    attrs = {"label": label, "shape": "box", "style": "filled", "fillcolor": "#FFFFFF"}
    attrs.update(color="#000000", URL=f"#node-{node.id}", id=f"gn_{node.id}")
    attrs["tooltip"] = f"n_{node.id}"
    if node.status == NOT_SELECTED:  # the selection is structure
        attrs["fontcolor"] = FADED
    attrs["class"] = "task"
    return overlay(attrs, paint)


def dataset_attrs(
    ds: DatasetRun, compact: bool, namespace: str | None, paint: Paint | None
) -> Attrs:
    if ds.is_parameter:
        attrs = {"label": f"<{gv_text(ds.name, MAX_LABEL)}>", "shape": "note", "fontsize": "9"}
        attrs.update(height="0.2", fontcolor=MUTED, style="filled", color=PARAM_STROKE)
        attrs.update(fillcolor="#FFFFFF", **{"class": "param"})
    else:
        name = ds.name[len(namespace) + 1 :] if namespace else ds.name
        if compact:  # the name alone, with a mark only where something went wrong
            mark = paint.mark if paint and paint.mark else ""
            label = f"<{gv_text((mark + ' ' if mark else '') + name, MAX_LABEL)}>"
        else:
            detail = paint.cue or "" if paint else DATA_CUE_SLOT
            label = two_lines(gv_text(name, MAX_LABEL), detail, 10, False)
        attrs = {"label": label, "shape": "cylinder", "style": "filled", "color": "#000000"}
        attrs.update(fillcolor="#FFFFFF", **{"class": "data"})
    attrs.update(URL=f"#dataset-{ds.id}", id=f"gd_{ds.id}", tooltip=f"d_{ds.id}")
    return overlay(attrs, paint)


def unselected_dataset_attrs(ident: str, name: str, namespace: str | None) -> Attrs:
    """A dataset only the unselected nodes of a partial run touch: drawn faded, not linked."""
    short = name[len(namespace) + 1 :] if namespace else name
    fill, stroke, _ = STATUS_STYLE[NOT_SELECTED]
    shape = "note" if is_parameter(name) else "cylinder"
    attrs = {"label": f"<{gv_text(short, MAX_LABEL)}>", "shape": shape, "style": "filled,dotted"}
    attrs.update(color=stroke, fillcolor=fill, fontcolor=FADED, id=f"gd_{ident}")
    attrs.update(tooltip=f"d_{ident}", URL="#not-selected")
    attrs["class"] = "data " + NOT_SELECTED
    return attrs


@dataclass(frozen=True)
class Stub:
    """What lies outside a view, where links cross its edge: ``"from stage_a › part 2"``.

    ``attach``: the graph ids (``d_``/``n_``/``g_``) it is linked to; ``incoming``: the links
    come into the view (the stub is drawn before what it feeds), else they leave it."""

    ident: str  # s_<hex>
    label: str
    url: str  # the other view ("#view-v3") or node row ("#node-...")
    attach: tuple[str, ...]
    incoming: bool


def stub_text(stub: Stub) -> str:
    """``"from stage_a"``, ``"to stage_c · 12 links"``."""
    links = len(stub.attach)
    more = f" · {links} links" if links > 1 else ""
    return f"{'from' if stub.incoming else 'to'} {stub.label}{more}"


def stub_attrs(stub: Stub) -> Attrs:
    """A small dashed box in muted text: not part of this view, a link to where it is."""
    label = f"<{gv_text(stub_text(stub), MAX_LABEL + 12)}>"
    attrs = {"label": label, "shape": "box", "style": "filled,dashed", "fillcolor": "#FFFFFF"}
    attrs.update(color=MUTED, fontcolor=MUTED, fontsize="10", URL=stub.url, tooltip=stub.ident)
    attrs.update(height="0.25", id=f"g{stub.ident}", **{"class": "stub"})
    return attrs


# Label size estimates (points) for choosing a direction before layout (see frame.py):
# Helvetica's average character is about 0.55 em wide, a bold one 0.6 em.
def text_width(chars: int, size: float, bold: bool = False) -> float:
    return chars * size * (0.6 if bold else 0.55)


def task_size(node: NodeRun, compact: bool, font: float = 11) -> tuple[float, float]:
    chars = min(len(short_name(node)), MAX_LABEL)
    if compact:
        return text_width(chars + 2, font) + 17, max(22.0, font * 1.6)
    return max(text_width(chars, 11, True), text_width(len(TASK_CUE_SLOT), 9)) + 17, 36.0


def dataset_size(
    name: str, compact: bool, parameter: bool, font: float = 11
) -> tuple[float, float]:
    chars = min(len(name), MAX_LABEL)
    if parameter:
        return text_width(chars, 9) + 17, 15.0
    if compact:
        return text_width(chars, font) + 25, max(30.0, font * 2.2)
    return max(text_width(chars, 11), text_width(len(DATA_CUE_SLOT), 9)) + 25, 42.0


def stub_size(stub: Stub) -> tuple[float, float]:
    return text_width(min(len(stub_text(stub)), MAX_LABEL + 12), 10) + 17, 18.0
