"""How a large pipeline's diagram is cut into views small enough to read.

A diagram drawn node by node stays legible (labels of at least 9 px when the whole graph is
fitted into a 1,400 x 1,000 window) up to about :data:`DETAIL_MAX` nodes. A run with more
nodes is drawn as a tree of views instead: the top view is an overview with one box per
top-level namespace, and each box opens the view of its namespace, which is again an
overview (of its sub-namespaces) or, once it has at most :data:`DETAIL_MAX` nodes, the
diagram of its nodes. A namespace too big to draw that has no sub-namespaces (and a pipeline
with no namespaces at all) is cut into *parts*: consecutive stages of the pipeline in
topological order, at most :data:`PARTS_MAX` of them per level, so that the failure's part
shows what ran before it and what could not run after it.

Only the pipeline's structure decides the tree, so each view's layout can be cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from kedro_run_report.diagram.marks import all_tasks
from kedro_run_report.ids import dataset_id
from kedro_run_report.model import NodeRun, RunStatus

DETAIL_MAX = 120  # nodes: above this a view is an overview of boxes (see the module)
PARTS_MAX = 10  # parts a namespace without sub-namespaces is cut into, per level
LOOSE_MAX = 12  # nodes outside every sub-namespace drawn one by one in an overview
NO_NAMESPACE = "(no namespace)"


@dataclass
class View:
    """One diagram of the tree: an overview of ``children`` or, without them, of ``nodes``."""

    key: str  # "" for the top view, else "v1", "v2", ... (unique in the report)
    title: str  # what its box and breadcrumb say: a namespace, or "part 2 of 9"
    nodes: list[NodeRun]  # every node under this view
    namespace: str | None = None  # the namespace all its nodes are in, if any
    children: list[View] = field(default_factory=list)
    loose: list[NodeRun] = field(default_factory=list)  # overview: drawn as plain nodes
    parent: View | None = field(default=None, repr=False)

    @property
    def is_overview(self) -> bool:
        return bool(self.children)

    def walk(self) -> Iterator[View]:
        """This view and every view below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def trail(self) -> list[View]:
        """The views from the top down to this one (the breadcrumb)."""
        out: list[View] = []
        view: View | None = self
        while view is not None:
            out.append(view)
            view = view.parent
        return out[::-1]


def _dependencies(nodes: list[NodeRun]) -> tuple[dict[str, list[NodeRun]], dict[str, int]]:
    """Among ``nodes``: node id -> the nodes reading what it writes, and node id -> how many
    of them it reads from."""
    producer = {dataset_id(d): n.id for n in nodes for d in n.outputs}
    readers: dict[str, list[NodeRun]] = {}
    waiting: dict[str, int] = {}
    for node in nodes:
        sources = {producer[d] for d in map(dataset_id, node.inputs) if d in producer}
        sources.discard(node.id)
        waiting[node.id] = len(sources)
        for src in sources:
            readers.setdefault(src, []).append(node)
    return readers, waiting


def topological_layers(tasks: list[NodeRun]) -> dict[str, int]:
    """Node id -> its layer: 0 for nodes reading nothing another node writes, else one more
    than the deepest node it reads from (the longest path from the pipeline's sources)."""
    readers, waiting = _dependencies(tasks)
    layer = dict.fromkeys(waiting, 0)
    ready = [n for n, count in waiting.items() if count == 0]
    while ready:
        current = ready.pop()
        for reader in readers.get(current, ()):
            layer[reader.id] = max(layer[reader.id], layer[current] + 1)
            waiting[reader.id] -= 1
            if waiting[reader.id] == 0:
                ready.append(reader.id)
    return layer  # nodes on a cycle (not a Kedro pipeline) keep the layer they reached


def view_tree(status: RunStatus) -> View:
    """The views of the run's diagram: a single detail view for runs of up to DETAIL_MAX."""
    tasks = all_tasks(status)
    root = View("", "Overview", tasks)
    if len(tasks) <= DETAIL_MAX:
        return root
    layers = topological_layers(tasks)
    counter = iter(range(1, 1_000_000))
    _split(root, "", layers, counter)
    return root


def _below(namespace: str, prefix: str) -> str | None:
    """The namespace one level below ``prefix`` that holds ``namespace`` (None: ``prefix``)."""
    if prefix:
        if namespace == prefix or not namespace.startswith(prefix + "."):
            return None
        rest = namespace[len(prefix) + 1 :]
        return f"{prefix}.{rest.split('.', 1)[0]}"
    return namespace.split(".", 1)[0] if namespace else None


def _split(view: View, prefix: str, layers: dict[str, int], counter: Iterator[int]) -> None:
    """Give ``view`` its children: the namespaces one level below ``prefix`` (and the nodes
    directly in ``prefix``, as plain nodes when few), else parts of its nodes."""
    subs: dict[str, list[NodeRun]] = {}
    own: list[NodeRun] = []
    for node in view.nodes:
        below = _below(node.namespace or "", prefix)
        if below is None:
            own.append(node)
        else:
            subs.setdefault(below, []).append(node)
    if len(subs) == 1 and not own:  # one namespace holds everything: look inside it
        (only,) = subs
        view.namespace = only
        _split(view, only, layers, counter)
        return
    groups: list[tuple[str, str | None, list[NodeRun]]] = []
    if subs:
        for name in sorted(subs):
            groups.append((name[len(prefix) + 1 :] if prefix else name, name, subs[name]))
        if len(own) <= LOOSE_MAX:
            view.loose = own
        else:
            itself = f"{prefix.rsplit('.', 1)[-1]} (itself)" if prefix else NO_NAMESPACE
            groups.append((itself, prefix or None, own))
    else:
        parts = _parts(own, layers)
        groups = [
            (f"part {i} of {len(parts)}", prefix or None, part)
            for i, part in enumerate(parts, start=1)
        ]
    for title, namespace, members in groups:
        child = View(f"v{next(counter)}", title, members, namespace, parent=view)
        view.children.append(child)
        if len(members) > DETAIL_MAX:
            _split(child, namespace or "", layers, counter)


def _parts(nodes: list[NodeRun], layers: dict[str, int]) -> list[list[NodeRun]]:
    """``nodes`` in parts of about the same size that follow the pipeline's running order,
    one branch at a time: a part holds a few branches from end to end rather than one layer
    of every branch, so it stays narrow enough to read (a long one folds, see frame.py)."""
    count = min(PARTS_MAX, -(-len(nodes) // DETAIL_MAX))
    ordered = depth_first_order(nodes, layers)
    size = len(ordered) / count
    cuts = [round(j * size) for j in range(count + 1)]
    return [ordered[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def depth_first_order(nodes: list[NodeRun], layers: dict[str, int]) -> list[NodeRun]:
    """``nodes`` in an order in which each comes after those it reads from (among them),
    following each branch to its end before the next: Kahn's algorithm with a stack."""
    readers, waiting = _dependencies(nodes)
    # the earliest first: sources by layer then pipeline order, popped from the stack's end
    stack = sorted((n for n in nodes if waiting[n.id] == 0), key=lambda n: layers.get(n.id, 0))[
        ::-1
    ]
    ordered: list[NodeRun] = []
    while stack:
        node = stack.pop()
        ordered.append(node)
        ready = []
        for reader in readers.get(node.id, ()):
            waiting[reader.id] -= 1
            if waiting[reader.id] == 0:
                ready.append(reader)
        stack.extend(reversed(ready))
    seen = {n.id for n in ordered}
    return ordered + [n for n in nodes if n.id not in seen]  # on a cycle: as they came


def home_views(root: View) -> dict[str, View]:
    """Node id -> the view that draws it: its detail view, or the overview it is loose in."""
    found: dict[str, View] = {}
    for view in root.walk():
        if not view.is_overview:
            found.update((n.id, view) for n in view.nodes)
        found.update((n.id, view) for n in view.loose)
    return found


def unit_in(view: View, node: NodeRun, home: dict[str, View]) -> str | None:
    """What stands for ``node`` in overview ``view``: the key of its child view holding the
    node, or ``"n"`` if the node is loose there; ``None`` when the node is outside ``view``."""
    at: View | None = home.get(node.id)
    while at is not None and at.parent is not view:
        if at is view:
            return "n"  # loose in this overview
        at = at.parent
    return at.key if at is not None else None


def place_name(view: View) -> str:
    """A view as the other views name it: its titles below the top, ``"a › part 2 of 3"``."""
    return " › ".join(v.title for v in view.trail()[1:]) or view.title
