"""Choosing a diagram's direction and wrapping its wide ranks, so it fits the report's frame.

The layout program puts every node of one rank side by side: a 40-way fan-out drawn top to
bottom becomes one row of 40 boxes, and fitting that row into the frame shrinks its text to
specks. Before layout, this module estimates the drawing's extent from the nodes' label sizes
and a layering like the layout program's, for each direction (top to bottom, left to right),
and for ranks wrapped into rows of at most *k* nodes (invisible edges from the *i*-th node of a
rank to the *(i+k)*-th push it one rank further). It picks the direction and *k* whose fitted
drawing has the largest scale. Estimates, not a layout: cheap, and good to about 20%.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FRAME = (1190.0, 880.0)  # px: the diagram's frame in a 1,400 x 1,000 window


@dataclass
class Arrangement:
    """How to lay a graph out: ``rankdir``, the invisible edges that wrap wide ranks, and the
    folding of a deep graph into bands of ``fold`` ranks laid side by side."""

    rankdir: str = "TB"
    wrap: list[tuple[str, str]] = field(default_factory=list)
    scale: float = 1.0  # the estimated fitted scale (frame px per layout unit)
    fold: int = 0  # ranks per band; 0: not folded
    rank: dict[str, int] = field(default_factory=dict)  # each node's rank before folding

    def band(self, ident: str) -> int:
        return self.rank.get(ident, 0) // self.fold if self.fold else 0


def _ranks(ids: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """A layering like dot's: longest path from the sources, then each source moved down to
    just above its first reader (dot keeps edges short, so parameters sit by their node)."""
    preds: dict[str, list[str]] = {i: [] for i in ids}
    succs: dict[str, list[str]] = {i: [] for i in ids}
    for a, b in edges:
        if a in preds and b in preds and a != b:
            preds[b].append(a)
            succs[a].append(b)
    rank: dict[str, int] = {}
    waiting = {i: len(preds[i]) for i in ids}
    ready = [i for i in ids if waiting[i] == 0]
    for i in ready:
        rank[i] = 0
    while ready:
        current = ready.pop()
        for nxt in succs[current]:
            rank[nxt] = max(rank.get(nxt, 0), rank[current] + 1)
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                ready.append(nxt)
    for i in ids:
        rank.setdefault(i, 0)  # on a cycle: not in a Kedro pipeline
        if not preds[i] and succs[i]:
            rank[i] = max(0, min(rank[s] for s in succs[i]) - 1)
    return rank


def arrangements(
    sizes: dict[str, tuple[float, float]],
    edges: list[tuple[str, str]],
    *,
    nodesep: float,
    ranksep: float,
    frame: tuple[float, float] = FRAME,
    wrap: bool = True,
    fold: bool = True,
) -> list[Arrangement]:
    """Directions, wrappings and foldings, the one whose fitted drawing is estimated to be
    largest first.

    ``sizes``: each node's width and height in points, as the layout program will make it.
    ``wrap``: whether wide ranks may be wrapped. Wrapping suits fan-outs (an overview's boxes);
    in a dense graph the edges that then span several rows widen the drawing instead, so
    there a deep graph is folded instead: its ranks cut into bands laid side by side
    (``fold``: whether it may be).
    """
    ids = list(sizes)
    if not ids:
        return [Arrangement()]
    rank = _ranks(ids, edges)
    by_rank: dict[int, list[str]] = {}
    for i in ids:
        by_rank.setdefault(rank[i], []).append(i)
    passing: dict[int, int] = {}  # edges crossing a rank they do not end in: dot's dummies
    for a, b in edges:
        if a in rank and b in rank:
            for r in range(min(rank[a], rank[b]) + 1, max(rank[a], rank[b])):
                passing[r] = passing.get(r, 0) + 1
    depth = max(by_rank) + 1
    widest = max(len(members) for members in by_rank.values())
    candidates = [(k, depth) for k in _wrap_widths(widest)] if wrap else []
    candidates += [(widest, ranks) for ranks in (_folds(depth) if fold else [depth])]
    found: dict[tuple[str, int, int], Arrangement] = {}
    for rankdir in ("TB", "LR"):
        axes = (0, 1) if rankdir == "TB" else (1, 0)
        for k, ranks in candidates:
            across, along = _extent(by_rank, sizes, passing, axes, k, ranks, nodesep, ranksep)
            width, height = (across, along) if rankdir == "TB" else (along, across)
            # beyond its natural size a drawing gains nothing: small graphs keep top to bottom
            scale = min(frame[0] / width, frame[1] / height, 1.0)
            folded = ranks if ranks < depth else 0
            wrapped = _wrap_edges(by_rank, k)
            found.setdefault(
                (rankdir, len(wrapped), folded),
                Arrangement(rankdir, wrapped, scale, folded, rank),
            )
    # the plain drawing first, unless another is estimated 5% larger: wrapping or folding
    # is worth its extra ranks only then
    plain = (1.0, 0.95)
    return sorted(
        found.values(),
        key=lambda a: -a.scale * plain[bool(a.wrap or a.fold)],
    )


def _extent(
    by_rank: dict[int, list[str]],
    sizes: dict[str, tuple[float, float]],
    passing: dict[int, int],
    axes: tuple[int, int],
    k: int,
    fold: int,
    nodesep: float,
    ranksep: float,
) -> tuple[float, float]:
    """The drawing's estimated extent across and along its ranks."""
    across_axis, along_axis = axes
    across: dict[int, float] = {}
    along: dict[int, float] = {}
    for r, members in by_rank.items():
        rows = -(-len(members) // k)
        per_row = -(-len(members) // rows)
        mean = sum(sizes[m][across_axis] for m in members) / len(members)
        wide = per_row * (mean + nodesep) + passing.get(r, 0) * nodesep
        deep = rows * (max(sizes[m][along_axis] for m in members) + ranksep)
        slot = r % fold
        across[slot] = across.get(slot, -2 * nodesep) + wide + 2 * nodesep  # bands' gap
        along[slot] = max(along.get(slot, 0.0), deep)
    return max(across.values()), sum(along.values())


def _folds(depth: int) -> list[int]:
    """Ranks per band worth trying: all of them (no fold), then halves, thirds, ..."""
    folds = [depth]
    for bands in range(2, 9):
        fold = -(-depth // bands)
        if fold < 3:
            break
        if fold < folds[-1]:
            folds.append(fold)
    return folds


def _wrap_widths(widest: int) -> list[int]:
    """Row widths worth trying: none, then halving down to about 4 per row."""
    widths = [widest]
    k = widest
    while k > 4:
        k = -(-k // 2) if k > 8 else k - 2
        widths.append(k)
    return widths


def _wrap_edges(by_rank: dict[int, list[str]], k: int) -> list[tuple[str, str]]:
    """Invisible edges that break each rank wider than ``k`` into rows of at most ``k``."""
    out: list[tuple[str, str]] = []
    for members in by_rank.values():
        if len(members) <= k:
            continue
        rows = -(-len(members) // k)
        per_row = -(-len(members) // rows)
        out += [(members[i], members[i + per_row]) for i in range(len(members) - per_row)]
    return out
