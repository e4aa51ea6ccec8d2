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
from reports.common import JURISDICTION_LABELS
from reports.register import entries

STORE_CHECKS = frozenset({"storage-outside-allowed"})
COPY_CHECKS = frozenset({"replication-outside-allowed"})
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("EU / EEA", ("eu", "eea")),
    ("Adequacy decision", ("adequate",)),
    ("Third country", ("third_country",)),
    ("Unknown", ("unknown",)),
)
NODE_WIDTH, NODE_HEIGHT, ROW_GAP, COLUMN_GAP, TOP = 210, 38, 18, 240, 30
LABEL_STEP = 30  # an arrival slot: two label lines (the count, the basis) and the arrow
SLOT_PAD = 4
LEFT = 120  # room for copies within a column: they loop on its left-hand side
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
    height: int = 0


@dataclass
class Edge:
    source: Node
    destination: Node
    copies: list[dict[str, Any]] = field(default_factory=list)
    slot: int = 0  # its place among the arrows reaching the same side of the destination

    @property
    def from_left(self) -> bool:
        """Arrives on the destination's left: from an earlier column or within its own."""
        return self.source.column <= self.destination.column

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
    # the legal basis in the register's words, so the picture and the register agree
    basis = {f["id"]: row["transfer_tool"] for row, behind in entries(document) for f in behind}
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
                "basis": basis.get(f["id"], "none on record"),
            }
        )
    if not nodes:
        return None
    ordered = _ordered(edges.values())
    width, height, columns = _layout(list(nodes.values()), ordered)
    return {
        "nodes": list(nodes.values()),
        "edges": [_drawn(number, edge) for number, edge in enumerate(ordered)],
        "columns": columns,
        "width": width,
        "height": height,
        "node_width": NODE_WIDTH,
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


def _layout(nodes: list[Node], edges: list[Edge]) -> tuple[int, int, list[dict[str, Any]]]:
    """Used columns only, by jurisdiction, most stores on top; each node tall enough for one
    labelled arrival slot per arrow on each side. Returns (width, height, column titles)."""
    used = sorted({_column(n.jurisdiction) for n in nodes})
    place = {column: i for i, column in enumerate(used)}
    for node in nodes:
        node.column = place[_column(node.jurisdiction)]
    slots: dict[tuple[str, bool], int] = {}
    for edge in edges:
        side = (edge.destination.key, edge.from_left)
        edge.slot = slots.get(side, 0)
        slots[side] = edge.slot + 1
    bottoms = [TOP] * len(used)
    for node in sorted(nodes, key=lambda n: (-len(n.stores), n.label)):
        arrivals = max(slots.get((node.key, True), 0), slots.get((node.key, False), 0))
        node.height = max(NODE_HEIGHT, 2 * SLOT_PAD + LABEL_STEP * arrivals)
        node.x = LEFT + node.column * (NODE_WIDTH + COLUMN_GAP)
        node.y = bottoms[node.column]
        bottoms[node.column] += node.height + ROW_GAP
    titles = [
        {"title": COLUMNS[c][0], "x": LEFT + place[c] * (NODE_WIDTH + COLUMN_GAP)} for c in used
    ]
    width = LEFT + (NODE_WIDTH + COLUMN_GAP) * len(used) - COLUMN_GAP
    # arrows back from a later column arrive on the right-hand side, labelled there
    return width + COLUMN_GAP, max(bottoms) + 8, titles


def _ordered(edges: Iterable[Edge]) -> list[Edge]:
    return sorted(
        edges, key=lambda e: (STATUS_ORDER[e.status], e.source.label, e.destination.label)
    )


def _drawn(number: int, edge: Edge) -> dict[str, Any]:
    """The arrow's path (a cubic curve) into its arrival slot, and its label just above."""
    s, d = edge.source, edge.destination
    sy = s.y + min(s.height, NODE_HEIGHT) / 2
    dy = d.y + SLOT_PAD + LABEL_STEP * edge.slot + LABEL_STEP - 4
    right = s.x + NODE_WIDTH
    if s.column == d.column:  # a loop on the left-hand side of the column
        bend = min(LEFT - 10, 40 + abs(dy - sy) / 4)
        points = [(s.x, sy), (s.x - bend, sy), (d.x - bend, dy), (d.x - 2, dy)]
        label_x, anchor = d.x - 14, "end"
    elif edge.from_left:
        middle = (right + d.x) / 2
        points = [(right, sy), (middle, sy), (middle, dy), (d.x - 2, dy)]
        label_x, anchor = d.x - 14, "end"
    else:
        middle = (s.x + d.x + NODE_WIDTH) / 2
        points = [(s.x, sy), (middle, sy), (middle, dy), (d.x + NODE_WIDTH + 2, dy)]
        label_x, anchor = d.x + NODE_WIDTH + 14, "start"
    label_y = dy - 17
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
