"""Organization tree (组织架构): groups, units, people and their links, with a filter."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static, Tree

from coordtui.domain.records import Record
from coordtui.screens.base import CoreScreen


def structure(ws, org) -> list[tuple[Record, list[Record]]]:
    """Top-level structural records with their children, from the model's references.

    A record of a later structure kind that refers to an earlier one is its child; a
    record of a non-structural kind that links two structural records (a liaison) shows
    the second under the first.
    """
    model = ws.model_of(org)
    kinds = model.structure_kinds or [model.kinds[0].kind]
    top_kind = kinds[0]
    tops = ws.records(org, top_kind)
    children: dict[str, list[Record]] = {t.id: [] for t in tops}
    placed: set[tuple[str, str]] = set()
    for kind in kinds[1:]:
        cls = model.kind(kind)
        for field, target in cls.references().items():
            if target != top_kind:
                continue
            for r in ws.records(org, kind):
                for parent in r.ref_values(field):
                    if parent in children:
                        children[parent].append(r)
                        placed.add((kind, r.id))
    for cls in model.kinds:
        refs = cls.references()
        if cls.kind in kinds or len(refs) != 2:
            continue
        (f1, k1), (f2, k2) = refs.items()
        if k1 == top_kind and k2 in kinds:
            labels = {r.id: r for r in ws.records(org, k2)}
            for link in ws.records(org, cls.kind):
                target = labels.get(getattr(link, f2))
                parent = getattr(link, f1)
                if target is not None and parent in children:
                    children[parent].append(target)
                    placed.add((k2, target.id))
    return [(t, children[t.id]) for t in tops]


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
        yield Input(placeholder="筛选（中文或编号）/ filter", id="tree-filter")
        yield Tree("", id="org-tree")
        yield Footer(compact=True, show_command_palette=False)

    def populate(self) -> None:
        ws = self.app.ws
        org = ws.org(self.org_id)
        self.query_one("#tree-title", Static).update(f"[b]{self.t('nav.tree')}[/b] · {org.name}")
        needle = self.query_one("#tree-filter", Input).value.strip().lower()
        tree = self.query_one("#org-tree", Tree)
        tree.clear()
        tree.root.set_label(org.name)
        lang = self.app.lang
        for top, kids in structure(ws, org):
            match_top = not needle or needle in f"{top.label()} {top.id}".lower()
            shown = [k for k in kids if match_top or needle in f"{k.label()} {k.id}".lower()]
            if not match_top and not shown:
                continue
            node = tree.root.add(top.label(), data=(top.kind, top.id), expand=True)
            for kid in shown:
                kind_title = kid.title_zh if lang == "zh" else kid.title_en
                node.add_leaf(f"{kid.label()}  [dim]{kind_title}[/dim]", data=(kid.kind, kid.id))
        tree.root.expand()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.populate()

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        if event.node.data:
            kind, rid = event.node.data
            self.app.open_record(self.org_id, kind, rid)

    def action_focus_filter(self) -> None:
        self.query_one("#tree-filter", Input).focus()
