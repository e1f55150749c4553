"""Command palette provider: every navigation action and the current screen's keys, by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from coordtui.i18n import t
from coordtui.widgets.match import initials_span

NAV = [
    ("nav.dashboard", "goto('dashboard')"),
    ("nav.findings", "goto('findings')"),
    ("nav.records", "goto('records')"),
    ("nav.tree", "goto('tree')"),
    ("nav.history", "goto('history')"),
    ("nav.calendar", "goto('calendar')"),
    ("nav.assessment", "goto('assessment')"),
    ("nav.plugins", "goto('plugins')"),
    ("nav.as_of", "as_of"),
    ("nav.export", "export"),
    ("nav.org", "next_org"),
    ("nav.lang", "toggle_lang"),
    ("nav.models", "model_screens"),
    ("nav.help", "help"),
    ("nav.refresh", "recheck"),
]


class NavigationCommands(Provider):
    def _commands(self) -> list[tuple[str, str]]:
        lang = self.app.lang
        commands = [(t(key, lang), action) for key, action in NAV]
        for model_id, spec in self.app.model_screen_specs():
            commands.append((f"{spec.title(lang)} ({model_id})", f"open_model_screen('{model_id}', '{spec.id}')"))
        return commands

    async def discover(self) -> Hits:
        for name, action in self._commands():
            yield DiscoveryHit(name, partial(self.app.run_action, action))

    async def search(self, query: str) -> Hits:
        """Fuzzy on the name (and the action), or the name's pinyin initials: ``rl`` finds 日历,
        as the organization tree's filter does (widgets/match.py)."""
        matcher = self.matcher(query)
        for name, action in self._commands():
            score = matcher.match(f"{name} {action}")
            span = initials_span(query, name)
            if span is not None:
                # A run of the name's initials is what was meant: ranked above any scattered fuzzy hit
                # (Textual's fuzzy scores go above 1), earlier and fuller runs first.
                score = max(score, 5.0) + (span[1] - span[0]) / max(len(name), 1) - 0.01 * span[0]
                yield Hit(score, Content(name).stylize("reverse", *span), partial(self.app.run_action, action), text=name)
            elif score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action), text=name)
