"""Organization tree (组织架构): groups, units, people and their links, with a filter."""

from __future__ import annotations

from textual.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static, Tree

from coordtui.domain.records import Record
from coordtui.screens.base import CoreScreen
from coordtui.widgets.match import matches
from coordtui.widgets.footer import KeyFooter


Node = tuple[Record, list["Node"]]


def structure(ws, org) -> list[Node]:
    """The organization as a tree of its structure kinds (``ModelSpec.structure_kinds``, outermost first).

    A record's children are the records of later structure kinds that refer to it
    (a unit's group), the ones it refers to itself (a team member's portfolio), and the far
    end of a pure link kind (a grid member through a group–grid-member link).
    """
    model = ws.model_of(org)
    kinds = model.structure_kinds or [model.kinds[0].kind]
    records = {kind: ws.records(org, kind) for kind in kinds}
    by_id = {kind: {r.id: r for r in rs} for kind, rs in records.items()}
    links = []  # (kind A, field to A, kind B, field to B, records)
    for cls in model.kinds:
        refs = cls.references()
        if cls.kind in kinds or len(refs) != 2 or set(cls.model_fields) - {"id"} != set(refs):
            continue
        (f1, k1), (f2, k2) = refs.items()
        if k1 in kinds and k2 in kinds:
            links.append((k1, f1, k2, f2, ws.records(org, cls.kind)))

    def children(record: Record, level: int, seen: frozenset) -> list[Node]:
        found: list[Record] = []
        for kind in kinds[level + 1:]:
            cls = model.kind(kind)
            for field, target in cls.references().items():
                if target == record.kind:
                    found += [r for r in records[kind] if record.id in r.ref_values(field)]
        for field, target in record.references().items():
            if target in kinds[level + 1:]:
                found += [by_id[target][v] for v in record.ref_values(field) if v in by_id[target]]
        for k1, f1, k2, f2, rows in links:
            if k1 == record.kind and k2 in kinds[level + 1:]:
                found += [by_id[k2][getattr(r, f2)] for r in rows if getattr(r, f1) == record.id and getattr(r, f2) in by_id[k2]]
        unique: list[Record] = []
        for r in found:
            if (r.kind, r.id) not in seen and r not in unique:
                unique.append(r)
        return [(r, children(r, kinds.index(r.kind), seen | {(r.kind, r.id)})) for r in unique]

    return [(top, children(top, 0, frozenset({(top.kind, top.id)}))) for top in records[kinds[0]]]


class TreeScreen(CoreScreen):
    AUTO_FOCUS = "#org-tree"
    BINDINGS = [
        Binding("slash", "focus_filter", "筛选/Filter", id="key.filter"),
    ]

    def __init__(self, org_id: str) -> None:
        super().__init__()
        self.org_id = org_id

    def compose(self) -> ComposeResult:
        yield Static("", id="tree-title")
        yield Input(placeholder=self.t("tree.placeholder"), id="tree-filter")
        yield Tree("", id="org-tree")
        yield KeyFooter()

    def populate(self) -> None:
        ws = self.app.ws
        org = ws.org(self.org_id)
        self.query_one("#tree-title", Static).update(f"[b]{self.t('nav.tree')}[/b] · {escape(org.name)}")
        needle = self.query_one("#tree-filter", Input).value.strip()
        tree = self.query_one("#org-tree", Tree)
        tree.clear()
        tree.root.set_label(escape(org.name))
        lang = self.app.lang

        def keep(node: Node) -> bool:
            record, kids = node
            return matches(needle, record.label(), record.id) or any(keep(k) for k in kids)

        def add(parent, node: Node, depth: int) -> None:
            record, kids = node
            shown = kids if matches(needle, record.label(), record.id) else [k for k in kids if keep(k)]
            title = record.title_zh if lang == "zh" else record.title_en
            label = escape(record.label()) if depth == 0 else f"{escape(record.label())}  [dim]{title}[/dim]"
            if shown:
                branch = parent.add(label, data=(record.kind, record.id), expand=depth == 0 or bool(needle))
                for kid in shown:
                    add(branch, kid, depth + 1)
            else:
                parent.add_leaf(label, data=(record.kind, record.id))

        for node in structure(ws, org):
            if keep(node):
                add(tree.root, node, 0)
        tree.root.expand()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.populate()

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data:
            kind, rid = event.node.data
            self.app.open_record(self.org_id, kind, rid)

    def action_focus_filter(self) -> None:
        self.query_one("#tree-filter", Input).focus()
