"""Moving a chat between gateways, when the config names more than one (the top level
and `[profiles.<name>]` tables).

model picker (F2)      GatewayPickerScreen: models grouped by gateway; a model of another
                       gateway moves the chat there (`switch_gateway`)
palette                "Switch gateway: <name>": the same, with that gateway's default model
opening a chat         a chat goes back to the gateway it was held on (`follow_chat_gateway`)
status bar             the gateway's name beside the model (`gateway_label`)

The context talks to one gateway at a time (`config.profile`: new chats start there);
each tab's session keeps the client it was built with, and the picker first brings the
context back to the shown chat's gateway, so "this chat" is always the chat's own.

The switch goes through the context (`AppContext.use_gateway`): that gateway's own client
and key, never the one in use; the chat keeps the new profile in its settings, so the
store records it and reopening the chat uses that gateway again.
"""

from __future__ import annotations

import contextlib
from abc import abstractmethod
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chatterm.api.errors import ChatTermError
from chatterm.config import ConfigError
from chatterm.gateways import gateway_name
from chatterm.tui.actions.host import ChatHost

if TYPE_CHECKING:
    from chatterm.engine.conversation import ChatSettings, Conversation
    from chatterm.tui.screens.picker import ModelPickerScreen


class GatewayActions(ChatHost):
    def several_gateways(self) -> bool:
        return len(self.context.gateways) > 1

    def gateway_label(self, settings: ChatSettings) -> str | None:
        """The chat's gateway as the status bar names it (None: only one is configured)."""
        return gateway_name(settings.profile) if self.several_gateways() else None

    def gateway_choices(self) -> list[tuple[str | None, str]]:
        """(profile, name) of every gateway the open chat could move to."""
        if not self.several_gateways():
            return []
        current = self.settings.profile
        return [(g.profile, g.name) for g in self.context.gateways if g.profile != current]

    def gateway_picker(
        self, groups: dict[str, list[str]], favourites: list[str], current: str, cached: list[str]
    ) -> ModelPickerScreen | None:
        """The picker grouped by gateway, or None when only one gateway is configured."""
        if not self.several_gateways():
            return None
        from functools import partial

        from chatterm.profiles import profile_values
        from chatterm.tui.screens.gateway_picker import GatewayPickerScreen, OtherGateway

        context = self.context
        others = []
        for gateway in context.gateways:
            if gateway.profile == context.config.profile:
                continue
            try:
                values = profile_values(context.config, gateway.profile) if gateway.profile else {}
            except ConfigError:
                values = {}
            favourites_there = values.get("favourites") or (
                context.config.top_level.get("favourites") if gateway.profile is None else None
            )
            others.append(
                OtherGateway(
                    gateway.profile,
                    gateway.name,
                    gateway.base_url or "(no base_url)",
                    partial(context.gateway_models, gateway.profile),
                    tuple(favourites_there or ()),
                )
            )
        return GatewayPickerScreen(
            groups,
            favourites,
            current,
            context.refresh_models,
            cached=cached,
            gateway=gateway_name(context.config.profile),
            base_url=context.connection.base_url or "",
            others=others,
        )

    def picked_from(self, screen: Any, model: str) -> None:
        """The picker closed on `model`: on another gateway, move the chat there."""
        chosen = getattr(screen, "chosen_gateway", None)
        if chosen is None:
            self.set_model(model)
        else:
            self.run_worker(self.switch_gateway(chosen.profile, model), group="switch-gateway", exit_on_error=False)

    async def action_switch_gateway(self, profile: str | None = None) -> None:
        """Palette: move the chat to `profile`'s gateway with that gateway's default model."""
        await self.switch_gateway(profile)

    async def switch_gateway(self, profile: str | None, model: str | None = None) -> bool:
        """The next reply of this chat comes from `profile`'s gateway (and `model`, else
        that gateway's default). Refused while a reply is being written."""
        name = gateway_name(profile)
        if self.chat_screen.replying:
            self.notify(f"Switch to {name} after this reply (Esc stops it)", severity="warning")
            return False
        try:
            await self.context.prepare_gateway(profile)  # a key command runs in a thread
            self.context.use_gateway(profile)
        except (ConfigError, ChatTermError) as error:
            self.notify(str(error), title=f"Cannot use gateway {name}", severity="error")
            return False
        model = model or self.context.config.model
        self._session = None  # the next one is built on this gateway's client
        self.settings = replace(self.settings, model=model, profile=profile)
        self.ensure_session()
        with contextlib.suppress(OSError, ValueError):
            self.context.remember_model(model)
        self.notify(f"Next reply from {model} on {name}", timeout=3)
        return True

    async def prepare_chat_gateway(self, conversation: Conversation) -> None:
        """Before a chat is opened: its gateway's key is fetched in a thread, so
        `follow_chat_gateway` does not wait on a key command in the event loop."""
        profile = conversation.settings.profile
        if profile != self.context.config.profile and self._gateway_known(profile):
            with contextlib.suppress(ConfigError):
                await self.context.prepare_gateway(profile)

    def follow_chat_gateway(self) -> None:
        """Before the session is built: the chat talks to the gateway it was held on.
        A chat whose gateway is gone from the config (or older than profiles) goes on
        with the gateway in use, and records it."""
        if not self.several_gateways():
            return
        wanted = self.conversation.settings.profile
        current = self.context.config.profile
        if wanted == current:
            return
        if self._gateway_known(wanted):
            try:
                self.context.use_gateway(wanted)
                return
            except ConfigError as error:
                self.notify(str(error), title=f"Cannot use gateway {gateway_name(wanted)}", severity="error")
        if wanted is not None:
            self.notify(
                f"This chat was held on {gateway_name(wanted)}; it goes on with {gateway_name(current)}",
                title="Gateway",
                severity="warning",
            )
        self.settings = replace(self.settings, profile=current)

    def _gateway_known(self, profile: str | None) -> bool:
        return any(g.profile == profile for g in self.context.gateways)

    @abstractmethod
    def set_model(self, model: str) -> None:
        """The next reply comes from `model` on the chat's own gateway (ChatApp's)."""
