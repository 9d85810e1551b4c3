"""Screens over the others: every key (?), and the picker of a category or tag (f)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from artread.ui.browse.keys import KEYS
from artread.ui.browse.library import Filter
from artread.ui.sanitize import clean_line


class HelpScreen(ModalScreen[None]):
    """Every key, by where it works."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,backspace,h", "dismiss", "Close"),
        Binding("j,down", "scroll(1)", show=False),
        Binding("k,up", "scroll(-1)", show=False),
        Binding("space,pagedown,f", "scroll(10)", show=False),
        Binding("b,pageup", "scroll(-10)", show=False),
        Binding("G,end", "scroll(1000)", show=False),
        Binding("g,home", "scroll(-1000)", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as keys:
            keys.border_title = "Keys"
            keys.border_subtitle = "Esc closes"
            yield Static(_keys_table())

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help", VerticalScroll).scroll_relative(y=lines, animate=False)


def _keys_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for number, (where, keys) in enumerate(KEYS):
        if number:
            table.add_row("", "")
        table.add_row(Text(where, style="bold"), "")
        for key, what in keys:
            table.add_row(key, what)
    return table


class PickerScreen(ModalScreen[Filter | None]):
    """All articles, new ones only, or those of one category or tag: type to narrow."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, categories: dict[str, int], tags: dict[str, int]) -> None:
        super().__init__()
        self.choices: list[tuple[str, Filter]] = [
            ("All articles", Filter()),
            ("New articles only", Filter(new_only=True)),
        ]
        for name, count in categories.items():
            if name:
                self.choices.append((f"category: {clean_line(name)} ({count})", Filter(name)))
        for name, count in tags.items():
            self.choices.append((f"tag: {clean_line(name)} ({count})", Filter(tag=name)))
        self.shown = self.choices

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Type a category or tag", id="narrow")
        yield OptionList(*self._options(), id="choices")

    def _options(self) -> list[Option]:
        return [Option(Text(label)) for label, _chosen in self.shown]

    def on_input_changed(self, event: Input.Changed) -> None:
        wanted = event.value.strip().casefold()
        self.shown = [c for c in self.choices if wanted in c[0].casefold()]
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        choices.add_options(self._options())
        choices.highlighted = 0 if self.shown else None

    def on_input_submitted(self) -> None:
        self._choose(self.query_one("#choices", OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def action_move(self, by: int) -> None:
        choices = self.query_one("#choices", OptionList)
        choices.action_cursor_down() if by > 0 else choices.action_cursor_up()

    def _choose(self, position: int | None) -> None:
        if position is not None and position < len(self.shown):
            self.dismiss(self.shown[position][1])
