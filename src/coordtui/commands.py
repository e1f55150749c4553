"""Command palette provider: every navigation action and the current screen's keys, by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from coordtui.i18n import t

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
        matcher = self.matcher(query)
        for name, action in self._commands():
            score = matcher.match(f"{name} {action}")
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self.app.run_action, action))
