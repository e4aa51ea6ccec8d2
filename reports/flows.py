"""Where data flows, as an inline SVG: stores grouped by jurisdiction, arrows for copies.

Nodes are places (a country, or a multi-country place such as m365:EUR by its label) in columns
EU/EEA, adequacy decision, third country and unknown, each with the number of stores holding
personal data there. Arrows are copies (replication, backup copies) aggregated by (from, to):
coloured by the worst verdict among them and labelled with their count and legal basis, so the
picture stays readable for 5 flows or 500. Each arrow links to the list of its copies below the
picture (shown by CSS ``:target``: no script, nothing from the network).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from core.knowledge.names import country_name
from core.models import STATUS_ORDER
from reports.common import JURISDICTION_LABELS, legal_basis, processor_findings

STORE_CHECKS = frozenset({"storage-outside-allowed"})
COPY_CHECKS = frozenset({"replication-outside-allowed"})
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("EU / EEA", ("eu", "eea")),
    ("Adequacy decision", ("adequate",)),
    ("Third country", ("third_country",)),
    ("Unknown", ("unknown",)),
)
NODE_WIDTH, NODE_HEIGHT, ROW_GAP, COLUMN_GAP, TOP = 210, 34, 24, 240, 56
LABEL_STEP = 28  # two lines: the count, then the basis
UNLOCATED = "source not located"


@dataclass
class Node:
    key: str
    label: str
    jurisdiction: str
    stores: set[tuple[str, str]] = field(default_factory=set)
    column: int = 0
    x: int = 0
    y: int = 0


@dataclass
class Edge:
    source: Node
    destination: Node
    copies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return min((c["status"] for c in self.copies), key=lambda s: STATUS_ORDER[s])

    @property
    def bases(self) -> list[str]:
        return sorted({c["basis"] for c in self.copies})


def flow_picture(document: dict[str, Any]) -> dict[str, Any] | None:
    """The flow picture's layout for the template, or None when nothing is stored or copied."""
    findings = [f for f in document["findings"] if f["location"]]
    nodes: dict[str, Node] = {}
    stores: dict[tuple[str, str], Node] = {}
    for f in findings:
        if f["check_id"] in STORE_CHECKS:
            node = _node(nodes, f)
            node.stores.add((f["target"], f["resource"]))
            stores[(f["target"], f["resource"])] = node
    processors = processor_findings(document)
    edges: dict[tuple[str, str], Edge] = {}
    for f in findings:
        if f["check_id"] not in COPY_CHECKS:
            continue
        source = stores.get((f["target"], str(f["evidence"].get("source"))))
        source = source or nodes.setdefault(UNLOCATED, Node(UNLOCATED, UNLOCATED, "unknown"))
        destination = _node(nodes, f)
        edge = edges.setdefault((source.key, destination.key), Edge(source, destination))
        edge.copies.append(
            {
                "name": f["resource_name"],
                "target": f["target"],
                "location": f["location"],
                "status": f["status"],
                "basis": legal_basis(f, processors),
            }
        )
    if not nodes:
        return None
    width, height, columns = _layout(nodes.values())
    arriving: dict[tuple[str, bool], int] = {}  # labels stacked at each arrowhead
    drawn = []
    for number, edge in enumerate(_ordered(edges.values())):
        side = (edge.destination.key, edge.source.column <= edge.destination.column)
        drawn.append(_drawn(number, edge, arriving.get(side, 0)))
        arriving[side] = arriving.get(side, 0) + 1
    return {
        "nodes": list(nodes.values()),
        "edges": drawn,
        "columns": columns,
        "width": width,
        "height": height,
        "node_width": NODE_WIDTH,
        "node_height": NODE_HEIGHT,
        "copies": sum(len(e.copies) for e in edges.values()),
    }


def _node(nodes: dict[str, Node], finding: dict[str, Any]) -> Node:
    if finding["country"]:
        key = finding["country"]
        label = f"{country_name(key)} ({key})"
    else:
        key = finding["evidence"].get("place", {}).get("label") or finding["location"]
        label = key
    jurisdiction = finding["jurisdiction"] or "unknown"
    return nodes.setdefault(key, Node(key, label, jurisdiction))


def _column(jurisdiction: str) -> int:
    return next((i for i, (_, js) in enumerate(COLUMNS) if jurisdiction in js), len(COLUMNS) - 1)


def _layout(nodes: Iterable[Node]) -> tuple[int, int, list[dict[str, Any]]]:
    """Used columns only, by jurisdiction, most stores on top: (width, height, column titles)."""
    nodes = list(nodes)
    used = sorted({_column(n.jurisdiction) for n in nodes})
    place = {column: i for i, column in enumerate(used)}
    rows = [0] * len(used)
    for node in sorted(nodes, key=lambda n: (-len(n.stores), n.label)):
        node.column = place[_column(node.jurisdiction)]
        node.x = node.column * (NODE_WIDTH + COLUMN_GAP) + 1
        node.y = TOP + rows[node.column] * (NODE_HEIGHT + ROW_GAP)
        rows[node.column] += 1
    titles = [{"title": COLUMNS[c][0], "x": place[c] * (NODE_WIDTH + COLUMN_GAP) + 1} for c in used]
    width = (NODE_WIDTH + COLUMN_GAP) * len(used) - COLUMN_GAP + 2
    # a loop on the last column and its label need room on the right
    return width + COLUMN_GAP, TOP + max(rows) * (NODE_HEIGHT + ROW_GAP) + 8, titles


def _ordered(edges: Iterable[Edge]) -> list[Edge]:
    return sorted(
        edges, key=lambda e: (STATUS_ORDER[e.status], e.source.label, e.destination.label)
    )


def _drawn(number: int, edge: Edge, stacked: int) -> dict[str, Any]:
    """The arrow's path (a cubic curve) and its label, stacked above the arrowhead in the gap
    before the destination (``stacked`` labels are there already)."""
    s, d = edge.source, edge.destination
    sy, dy = s.y + NODE_HEIGHT / 2, d.y + NODE_HEIGHT / 2
    right = s.x + NODE_WIDTH
    if s.column == d.column:  # a loop on the right-hand side of the column
        bend = 50 + abs(dy - sy) / 4
        top, bottom = (sy - 8, dy + 8) if s is d else (sy, dy)
        points = [(right, top), (right + bend, top), (right + bend, bottom), (right + 2, bottom)]
        label_x, anchor = right + bend + 6, "start"
    elif s.column < d.column:
        middle = (right + d.x) / 2
        points = [(right, sy), (middle, sy), (middle, dy), (d.x - 2, dy)]
        label_x, anchor = d.x - 14, "end"
    else:
        middle = (s.x + d.x + NODE_WIDTH) / 2
        points = [(s.x, sy), (middle, sy), (middle, dy), (d.x + NODE_WIDTH + 2, dy)]
        label_x, anchor = d.x + NODE_WIDTH + 14, "start"
    # alternately above and below the arrowhead, further out for each label already there
    above = dy - 20 - LABEL_STEP * (stacked // 2)
    below = dy + 22 + LABEL_STEP * (stacked // 2)
    label_y = (below if stacked % 2 else above) if s.column != d.column else (sy + dy) / 2 - 8
    count = len(edge.copies)
    return {
        "id": f"flows-{number}",
        "source": s,
        "destination": d,
        "status": edge.status,
        "jurisdiction": d.jurisdiction,
        "jurisdiction_label": JURISDICTION_LABELS.get(d.jurisdiction, d.jurisdiction),
        "path": "M{:.0f},{:.0f} C{:.0f},{:.0f} {:.0f},{:.0f} {:.0f},{:.0f}".format(
            *(v for point in points for v in point)
        ),
        "label_x": round(label_x),
        "label_y": round(label_y),
        "anchor": anchor,
        "label": f"{count} cop{'y' if count == 1 else 'ies'}",
        "basis_label": _short(edge.bases),
        "bases": edge.bases,
        "copies": sorted(edge.copies, key=lambda c: (STATUS_ORDER[c["status"]], c["name"])),
    }


def _short(bases: list[str]) -> str:
    text = bases[0] if len(bases) == 1 else f"{len(bases)} bases"
    return text if len(text) <= 30 else text[:29] + "…"
