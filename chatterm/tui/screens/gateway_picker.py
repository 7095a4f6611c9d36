"""The model picker when more than one gateway is configured: models grouped by gateway.

    ● default · http://gateway.example/v1 · this chat     the plain picker's sections for
      ★ Favourites / <family>... / Other                  the chat's own gateway
    ⇄ work · https://work.example/v1                      then each other gateway's
      its /v1/models ids (its favourites first)           /v1/models, asked with its key
    ⇄ local · http://localhost:11434/v1 · unreachable: …

Each other gateway's list is fetched by a worker of its own once the screen shows, so
a slow or unreachable gateway says so in its section and holds up no other. Choosing
one of its models sets `chosen_gateway` before the screen dismisses with the model id;
the app then moves the chat to that gateway (through its context: the screen only calls
the loaders it is given and never talks HTTP). Typing filters every gateway's models.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from textual.content import Content
from textual.fuzzy import Matcher
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from chatterm.terminal_text import visible_line
from chatterm.tui.screens.picker import ModelPickerScreen, unique_models


@dataclass(frozen=True, slots=True)
class OtherGateway:
    """A gateway the chat could move to, as the picker shows it."""

    profile: str | None
    """Its profile (None: the top-level gateway)."""
    name: str
    base_url: str
    load_models: Callable[[], Awaitable[list[str]]] = field(compare=False)
    favourites: tuple[str, ...] = ()


class GatewayPickerScreen(ModelPickerScreen):
    """`ModelPickerScreen` with a section per configured gateway."""

    class GatewayModelsLoaded(Message):
        """One other gateway's ids arrived, or could not be had (`error`)."""

        def __init__(self, index: int, ids: list[str], error: str | None = None) -> None:
            super().__init__()
            self.index = index
            self.ids = ids
            self.error = error

    def __init__(self, *args: Any, gateway: str, base_url: str, others: list[OtherGateway], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gateway = gateway
        self.base_url = base_url
        self.others = list(others)
        self.other_models: dict[int, list[str] | str | None] = {index: None for index in range(len(self.others))}
        """Per other gateway: None while loading, its ids, or why it could not list them."""
        self._option_gateways: dict[str, int] = {}
        self.chosen_gateway: OtherGateway | None = None
        """Set when the model picked belongs to another gateway (None: the chat's own)."""

    def on_mount(self) -> None:  # runs beside the picker's own on_mount (Textual calls both)
        for index in range(len(self.others)):
            self.run_worker(self._load(index), group=f"gateway-models-{index}", exit_on_error=False)

    async def _load(self, index: int) -> None:
        try:
            ids = await self.others[index].load_models()
        except Exception as error:
            self.post_message(self.GatewayModelsLoaded(index, [], str(error) or type(error).__name__))
        else:
            self.post_message(self.GatewayModelsLoaded(index, list(ids)))

    def on_gateway_picker_screen_gateway_models_loaded(self, message: GatewayModelsLoaded) -> None:
        models = message.error if message.error is not None else unique_models(message.ids, set())
        self.other_models[message.index] = models
        self._rebuild(self._filter_text(), keep=True)

    def _filter_text(self) -> str:
        from textual.widgets import Input

        return self.query_one("#picker-filter", Input).value

    # -- the list -----------------------------------------------------------------------

    def _rebuild(self, query: str, keep: bool = False) -> None:
        """The picker's own list for the chat's gateway under a header naming it, then
        a section per other gateway."""
        option_list = self.query_one("#picker-list", OptionList)
        previous = self._highlighted_choice() if keep else None
        super()._rebuild(query, keep)
        own_choice = self.highlighted_model
        own = list(option_list.options)
        here = Content.assemble(
            ("● ", "$success"), (visible_line(self.gateway), "bold $text-accent"), (" · this chat", "$text-muted")
        )
        self._option_gateways = {}
        options = [Option(here, disabled=True), *own]
        matcher = Matcher(query.strip()) if query.strip() else None
        for index, other in enumerate(self.others):
            options.extend(self._section(index, other, matcher))
        option_list.set_options(options)
        if previous is not None and previous[0] is not None:
            for option_id, index in self._option_gateways.items():
                if (index, self._option_models[option_id]) == previous:
                    option_list.highlighted = option_list.get_option_index(option_id)
                    return
        self._highlight(own_choice)

    def _section(self, index: int, other: OtherGateway, matcher: Matcher | None) -> list[Option]:
        state = self.other_models[index]
        header = [("⇄ ", "$accent"), (visible_line(other.name), "bold $text-accent")]
        header.append((f" · {visible_line(other.base_url)}", "$text-muted"))
        if state is None:
            header.append((" · loading models…", "$text-secondary"))
        elif isinstance(state, str):
            header.append((f" · unreachable: {visible_line(state)}", "$text-error"))
        options = [Option(Content.assemble(*header), disabled=True)]
        if not isinstance(state, list):
            return options if matcher is None else []
        ordered = [m for m in other.favourites if m in state] + [m for m in state if m not in other.favourites]
        if matcher is not None:
            scored = sorted((-matcher.match(m), i, m) for i, m in enumerate(ordered) if matcher.match(m) > 0)
            ordered = [m for _score, _i, m in scored]
            if not ordered:
                return []
        for model in ordered:
            option_id = f"gateway-{index}-{len(self._option_gateways)}"
            self._option_gateways[option_id] = index
            self._option_models[option_id] = model
            options.append(Option(self._other_label(model, other, matcher), id=option_id))
        return options

    @staticmethod
    def _other_label(model: str, other: OtherGateway, matcher: Matcher | None) -> Content:
        name = Content(visible_line(model))
        if matcher is not None:
            _score, offsets = matcher.fuzzy_search.match(matcher.query, model)
            for offset in offsets:
                name = name.stylize("bold underline $text-accent", offset, offset + 1)
        mark: tuple[str, str] | str = ("★ ", "$accent") if model in other.favourites else "  "
        return Content.assemble(mark, name)

    def _highlighted_choice(self) -> tuple[int | None, str | None]:
        """(other gateway's index or None for the chat's own, model) under the cursor."""
        option_id = self._highlighted_option() or ""
        return self._option_gateways.get(option_id), self._option_models.get(option_id)

    def _highlighted_option(self) -> str | None:
        option_list = self.query_one("#picker-list", OptionList)
        if option_list.highlighted is None:
            return None
        return option_list.get_option_at_index(option_list.highlighted).id

    # -- the choice ---------------------------------------------------------------------

    def dismiss(self, result: str | list[str] | None = None) -> Any:
        """The picker dismisses with a model id; which gateway it belongs to is read
        from the highlighted option here (the one Enter or a click chose). Models marked
        for a compare turn (a list) are asked of the chat's own gateway."""
        picked_one = isinstance(result, str)
        index = self._option_gateways.get(self._highlighted_option() or "") if picked_one else None
        self.chosen_gateway = self.others[index] if index is not None else None
        return super().dismiss(result)
