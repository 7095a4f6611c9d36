"""The model picker: a fuzzy-filtered list of every model chatterm knows about.

Sections, in order (each model shown once, in the first section that has it):

    ★ Favourites        from config
    <family>...         by family (headers are disabled options): the gateway's
                        /v1/models ids of that family (loaded in the background), then
                        the catalogue's, marked "not listed" once the gateway's list is
                        known and lacks them
    Other               gateway ids no family of the catalogue matches

Typing filters the list fuzzily (best matches first, favourites before the rest);
Enter picks the highlighted model; Space marks models (2-4) and Enter with two or more
marked dismisses with the list, for a compare turn (`tui/actions/compare.py`); a name that is not in the list can still be used
(the last option offers the typed text as is). Esc cancels. The screen never waits
for the gateway: the `cached` ids (the last list fetched, from the data dir) show at
once, `load_models` runs in a worker after the screen is shown, and its ids replace
the cached ones when they arrive (a failed refresh keeps the cached list).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from chatterm.terminal_text import visible_line

TYPED_OPTION_ID = "picker-typed"


def unique_models(ids: Iterable[str], seen: set[str]) -> list[str]:
    """`ids` without blanks and without those in `seen` (which is updated)."""
    out: list[str] = []
    for model in ids:
        model = model.strip()
        if model and model not in seen:
            seen.add(model)
            out.append(model)
    return out


class _FilterInput(Input):
    """The filter box; Space is the screen's (it marks a model): model ids have no spaces."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return key != "space" and super().check_consume_key(key, character)


class ModelPickerScreen(ModalScreen[str | list[str] | None]):
    """Pick the model for the next reply; dismisses with the model id, the marked
    models (two or more: compare them), or None."""

    CSS_PATH = "picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", priority=True),
        Binding("space", "mark", "Mark to compare", priority=True, show=False),  # ids have no spaces
        Binding("down", "cursor('down')", "Next", show=False),
        Binding("up", "cursor('up')", "Previous", show=False),
        Binding("pagedown", "cursor('page_down')", show=False),
        Binding("pageup", "cursor('page_up')", show=False),
    ]
    AUTO_FOCUS = "#picker-filter"

    class ModelsLoaded(Message):
        """The gateway's model ids arrived (or failed to: `error` says why)."""

        def __init__(self, ids: list[str], error: str | None = None) -> None:
            super().__init__()
            self.ids = ids
            self.error = error

    def __init__(
        self,
        groups: dict[str, list[str]],
        favourites: list[str],
        current: str,
        load_models: Callable[[], Awaitable[list[str]]] | None = None,
        *,
        cached: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.groups = {family: list(ids) for family, ids in groups.items()}
        self.favourites = list(favourites)
        self.current = current
        self.gateway_models: list[str] = unique_models(cached, set())
        self._listed: set[str] = set(self.gateway_models)
        """The gateway's ids: the cached list until the refresh arrives."""
        self._load_models = load_models
        self._option_models: dict[str, str] = {}
        """Option id -> model id, for every selectable option on show."""
        self._query = ""
        """The filter the list was last built for."""
        self.marked: list[str] = []
        """Models marked with Space for a comparison, in the order marked."""

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-dialog") as dialog:
            dialog.border_title = "Pick a model"
            dialog.border_subtitle = "↑↓ move · Enter pick · Space mark to compare · Esc cancel"
            yield Label(Content.assemble("Current: ", (self.current or "none", "bold")), id="picker-current")
            yield _FilterInput(placeholder="Type to filter, or type any model name…", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static("", id="picker-status", markup=False)

    def on_mount(self) -> None:
        self._rebuild("")
        if self._load_models is not None:
            if self.gateway_models:
                self._set_status(f"{self._count()} cached · refreshing from the gateway…", "-loading")
            else:
                self._set_status("Loading models from the gateway…", "-loading")
            self._fetch_models()
        else:
            self._set_status("", None)

    @work(exclusive=True, group="picker-models", exit_on_error=False)
    async def _fetch_models(self) -> None:
        assert self._load_models is not None
        try:
            ids = await self._load_models()
        except Exception as error:
            self.post_message(self.ModelsLoaded([], str(error) or type(error).__name__))
        else:
            self.post_message(self.ModelsLoaded(list(ids)))

    def on_model_picker_screen_models_loaded(self, message: ModelsLoaded) -> None:
        if message.error is not None:
            kept = f" (showing the {self._count()} cached)" if self.gateway_models else ""
            self._set_status(f"Could not load the gateway's models{kept}: {message.error}", "-error")
            return
        self.gateway_models = unique_models(message.ids, set())
        self._set_status(f"{self._count()} from the gateway", None)
        self._rebuild(self.query_one("#picker-filter", Input).value, keep=True)
        self._show_marks()

    def _count(self) -> str:
        count = len(self.gateway_models)
        return f"{count} model{'s' if count != 1 else ''}"

    def _set_status(self, text: str, state: str | None) -> None:
        status = self.query_one("#picker-status", Static)
        status.update(text)
        status.set_class(state == "-loading", "-loading")
        status.set_class(state == "-error", "-error")
        status.display = bool(text)

    # -- the list -----------------------------------------------------------------------

    def sections(self) -> list[tuple[str, list[str]]]:
        """(header, model ids) in display order, each id in one section only."""
        from chatterm.api.catalogue import DEFAULT_FAMILY, family_for

        self._listed = set(self.gateway_models)
        seen: set[str] = set()
        out = [("★ Favourites", unique_models(self.favourites, seen))]
        by_group: dict[str, list[str]] = {group: [] for group in self.groups}
        other: list[str] = []
        for model in self.gateway_models:
            family = family_for(model)
            (other if family is DEFAULT_FAMILY else by_group.setdefault(family.group, [])).append(model)
        for group, ids in self.groups.items():
            by_group[group].extend(ids)
        out.extend((group, unique_models(ids, seen)) for group, ids in by_group.items())
        out.append(("Other", unique_models(other, seen)))
        return [(header, ids) for header, ids in out if ids]

    def _label(self, model: str, matcher: Matcher | None) -> Content:
        name = Content(visible_line(model))  # one character for one: the match offsets hold
        if matcher is not None:
            # Not Matcher.highlight: it parses the name as markup, and model ids are plain text.
            _score, offsets = matcher.fuzzy_search.match(matcher.query, model)
            for offset in offsets:
                name = name.stylize("bold underline $text-accent", offset, offset + 1)
        parts: list[Content | str | tuple[str, str]] = [name]
        if model in self.favourites:
            parts.insert(0, ("★ ", "$accent"))
        else:
            parts.insert(0, "  ")
        if model in self.marked:
            parts.insert(0, (f"✓{self.marked.index(model) + 1}", "bold $success"))
        if model == self.current:
            parts.append((" ● current", "$success"))
        elif self.gateway_models and model not in self._listed and model not in self.favourites:
            parts.append((" · not listed by the gateway", "$text-muted"))
        return Content.assemble(*parts)

    def _rebuild(self, query: str, keep: bool = False) -> None:
        """Refill the list for `query`; `keep` keeps the highlighted model if it is still shown."""
        option_list = self.query_one("#picker-list", OptionList)
        previous = self.highlighted_model if keep else None
        query = query.strip()
        self._query = query
        options: list[Option] = []
        self._option_models = {}

        def add(model: str, matcher: Matcher | None) -> None:
            option_id = f"model-{len(self._option_models)}"
            self._option_models[option_id] = model
            options.append(Option(self._label(model, matcher), id=option_id))

        sections = self.sections()
        if not query:
            for header, ids in sections:
                options.append(Option(Content.styled(header, "bold $text-accent"), disabled=True))
                for model in ids:
                    add(model, None)
        else:
            matcher = Matcher(query)
            scored: list[tuple[bool, float, int, str]] = []
            order = 0
            for _header, ids in sections:
                for model in ids:
                    score = matcher.match(model)
                    if score > 0:
                        scored.append((model not in self.favourites, -score, order, model))
                    order += 1
            for _fav, _score, _order, model in sorted(scored):
                add(model, matcher)
            if query not in self._option_models.values():
                self._option_models[TYPED_OPTION_ID] = query
                options.append(
                    Option(
                        Content.assemble(("↵ ", "$text-muted"), "Use ", (query, "bold"), " as the model name"),
                        id=TYPED_OPTION_ID,
                    )
                )
        option_list.set_options(options)
        self._highlight(previous)

    def _highlight(self, preferred: str | None) -> None:
        """Highlight `preferred`, else the current model (unfiltered), else the first option."""
        option_list = self.query_one("#picker-list", OptionList)
        filtered = bool(self.query_one("#picker-filter", Input).value.strip())
        wanted = preferred or (None if filtered else self.current)
        selectable = [
            (index, self._option_models.get(option.id))
            for index, option in enumerate(option_list.options)
            if not option.disabled and option.id
        ]
        target = next((index for index, model in selectable if model == wanted), None)
        if target is None and selectable:
            target = selectable[0][0]
        option_list.highlighted = target
        if target is not None:
            option_list.scroll_to_highlight()

    @property
    def highlighted_model(self) -> str | None:
        """The model the highlighted option stands for (None when nothing is highlighted)."""
        option_list = self.query_one("#picker-list", OptionList)
        if option_list.highlighted is None:
            return None
        option = option_list.get_option_at_index(option_list.highlighted)
        return self._option_models.get(option.id or "")

    @property
    def shown_models(self) -> list[str]:
        """The selectable models in list order (the typed-name option excluded)."""
        option_list = self.query_one("#picker-list", OptionList)
        return [
            self._option_models[option.id]
            for option in option_list.options
            if option.id and option.id != TYPED_OPTION_ID and option.id in self._option_models
        ]

    # -- events -------------------------------------------------------------------------

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._rebuild(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        if len(self.marked) >= 2:
            self.dismiss(list(self.marked))
            return
        model = self.highlighted_model or event.value.strip()
        if model:
            self.dismiss(model)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if len(self.marked) >= 2:
            self.dismiss(list(self.marked))
            return
        model = self._option_models.get(event.option.id or "")
        if model:
            self.dismiss(model)

    def action_cursor(self, direction: str) -> None:
        option_list = self.query_one("#picker-list", OptionList)
        getattr(option_list, f"action_cursor_{direction}")()

    def action_mark(self) -> None:
        """Mark (or unmark) the highlighted model for a comparison of 2-4 models. Run
        once the filter box has handled the keys typed before the Space (they wait in its
        queue while this binding runs at once), so it marks what the filter shows."""
        self.query_one("#picker-filter", Input).call_later(self._mark_highlighted)

    def _mark_highlighted(self) -> None:
        from chatterm.engine.compare import MAX_MODELS

        typed = self.query_one("#picker-filter", Input).value
        if typed.strip() != self._query:  # the filter's own Changed message is still on its way
            self._rebuild(typed)
        model = self.highlighted_model
        if model is None:
            return
        if model in self.marked:
            self.marked.remove(model)
        elif len(self.marked) >= MAX_MODELS:
            self.notify(f"A comparison takes at most {MAX_MODELS} models.", severity="warning")
            return
        else:
            self.marked.append(model)
        self._rebuild(self.query_one("#picker-filter", Input).value, keep=True)
        self._show_marks()
        if not self.marked:
            self._set_status("", None)

    def _show_marks(self) -> None:
        if self.marked:
            names = ", ".join(visible_line(m) for m in self.marked)
            more = "Enter compares them" if len(self.marked) >= 2 else "mark one more to compare"
            self._set_status(f"Marked: {names} · {more}", None)

    def action_cancel(self) -> None:
        self.dismiss(None)
