"""`chatterm ask`: one question, for scripts and pipes, on the same engine as the TUI.

The answer streams to stdout as it arrives (Markdown rendered with rich on a terminal,
plain text in a pipe); reasoning, tool activity and notices go to stderr so stdout
stays the answer. `--json` prints exactly one JSON object at the end instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias

from chatterm.api.errors import APIError, ChatTermError, RequestValidationError
from chatterm.api.types import CitationsUpdate, Notice, ReasoningDelta, TextDelta, ToolCall
from chatterm.ask_images import AskImages, SavedImage
from chatterm.engine.events import ImageAdded, ReplyFailed, ReplyFinished, ToolCallStatus, ToolLoopStopped
from chatterm.engine.finish_reasons import cut_note
from chatterm.process import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from chatterm.terminal_text import visible, visible_line

if TYPE_CHECKING:
    from chatterm.api.structured import ValidationOutcome
    from chatterm.config import Config
    from chatterm.context import AppContext
    from chatterm.engine.conversation import Conversation, Message
    from chatterm.engine.session import Approval, ApprovalCallback, ChatSession
    from chatterm.presets import Preset
    from chatterm.tools import Tool


class UsageError(Exception):
    pass


def read_prompt(args: argparse.Namespace, stdin: TextIO) -> str:
    """PROMPT absent or '-': stdin is the prompt; both: stdin is appended as context.

    Stdin is read as bytes and must be UTF-8 (a Latin-1 file or a binary blob is refused
    with the byte that failed, rather than sent as garbage). `-` on a terminal reads what
    the user types until end of input; no prompt at all on a terminal is a usage error."""
    words = list(args.prompt or [])
    explicit_stdin = words == ["-"]
    from_stdin = not words or explicit_stdin
    prompt = "" if from_stdin else " ".join(words)
    _check_utf8(prompt, "the prompt")
    piped = not stdin.isatty()
    if from_stdin and not piped and not explicit_stdin:
        raise UsageError("no prompt: give one as an argument or pipe it on stdin ('-' reads the terminal)")
    if from_stdin and not piped:
        sys.stderr.write("Type the prompt; end it with Ctrl-D on a line of its own.\n")
        sys.stderr.flush()
    if piped or explicit_stdin:
        context = _read_stdin(stdin)
        if from_stdin:
            prompt = context.rstrip()
        elif context.strip():
            prompt = f"{prompt}\n\n{context.rstrip()}"
    if not prompt.strip():
        raise UsageError("the prompt is empty")
    return prompt


def _read_stdin(stdin: TextIO) -> str:
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:  # a StringIO in a test: already text
        text = stdin.read()
        _check_utf8(text, "stdin")
        return text
    data: bytes = buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise UsageError(
            f"stdin is not UTF-8 text (byte 0x{bad} at offset {error.start}); convert it first, "
            "e.g. with iconv, or send a PDF or image with --file"
        ) from None


def _check_utf8(text: str, what: str) -> None:
    """Arguments undecodable in the locale arrive as lone surrogates: refuse them here
    rather than crash in the JSON encoder."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise UsageError(f"{what} is not valid UTF-8 text (at character {error.start})") from None


AskTurn: TypeAlias = Callable[["ChatSession", "AppContext", str, list[str], "AskOutput"], Coroutine[Any, Any, int]]
"""What runs the exchange once the session is set up (`ask_compare.py` brings its own)."""


def run_ask(args: argparse.Namespace, config: Config, *, turn: AskTurn | None = None) -> int:
    from chatterm.process import build_context, gateway_problem

    try:
        prompt = read_prompt(args, sys.stdin)
        _check_flags(args, config)
    except UsageError as error:
        return _usage_error(args, str(error))
    if args.max_retries is not None:
        config.max_retries = args.max_retries
    if args.timeout is not None:
        config.timeouts_total = args.timeout
    context = build_context(args, config, save_history=not args.no_save)
    try:
        problem = gateway_problem(context)
        if problem is not None:
            return _usage_error(args, problem)
        try:
            session = _make_session(args, context, config)
        except UsageError as error:
            return _usage_error(args, str(error))
        except HistoryProblem as error:
            return _history_problem(args, str(error))
        output = AskOutput(args.json, schema=_checked_schema(args, session))
        output.images = _images_for(args, session, context)
        if args.timeout is not None:  # one end for the whole run: every request, retry and tool round
            context.client.ends_at = time.monotonic() + args.timeout
        output.require_save = getattr(args, "require_save", False)
        return asyncio.run((turn or _ask)(session, context, prompt, args.file, output))
    finally:
        context.close()


class HistoryProblem(Exception):
    """The history file cannot give the chat to continue (damaged, unreadable)."""


def _history_problem(args: argparse.Namespace, message: str) -> int:
    """A history file that cannot be read: its message (naming the file) on stderr,
    and with --json the failure object; exit 1, nothing written."""
    print(f"chatterm ask: {message}", file=sys.stderr)
    if getattr(args, "json", False):
        _print_json(_failure_json("StoreError", message, None, None))
    return EXIT_ERROR


def _usage_error(args: argparse.Namespace, message: str) -> int:
    """A usage error: the message on stderr, and with --json the failure object on
    stdout too, so a script reading JSON always gets JSON."""
    print(f"chatterm ask: {visible(message)}", file=sys.stderr)  # it may quote the gateway
    if getattr(args, "json", False):
        _print_json(_failure_json("UsageError", message, None, None))
    return EXIT_USAGE


def _check_flags(args: argparse.Namespace, config: Config) -> None:
    """Refuse bad flag values before anything is saved or sent: a request the API layer
    would refuse must not leave a failed chat behind in the history."""
    from chatterm.api.request import ChatRequest

    model = getattr(args, "model", None)
    if model is not None and not model.strip():
        raise UsageError("--model: a model name is required (got an empty string)")
    preset = _chosen_preset(args, config)
    model = model or (preset.model if preset is not None else None)
    from chatterm.api.shaping import preflight
    from chatterm.api.types import FileInput

    try:  # the same checks the engine makes before it saves a prompt, made before any setup
        preflight(
            ChatRequest(
                model=model or config.model or "-",
                messages=[],
                temperature=args.temperature,
                top_p=args.top_p,
                max_tokens=args.max_tokens,
                files=[FileInput(f) for f in args.file or []],
                endpoint=args.endpoint or config.endpoint,  # type: ignore[arg-type]  # config checks it is one of the three
            )
        )
    except RequestValidationError as error:
        raise UsageError(str(error)) from None


def _checked_schema(args: argparse.Namespace, session: ChatSession) -> dict[str, Any] | None:
    """The `--schema` the reply is checked against: the one already read into the
    request's response_format (the file is read once, `~` expanded)."""
    if args.schema is None and not args.json_object:
        return None
    from chatterm.api.structured import check_schema_of

    return check_schema_of(session.conversation.settings.response_format)


def _chosen_preset(args: argparse.Namespace, config: Config) -> Preset | None:
    """`--preset NAME`'s preset; an unknown name is a usage error listing the presets."""
    name = getattr(args, "preset", None)
    if name is None:
        return None
    from chatterm.config import default_config_path
    from chatterm.presets import UnknownPresetError, find_preset

    try:
        return find_preset(config.presets, name, config.path or default_config_path())
    except UnknownPresetError as error:
        raise UsageError(f"--preset: {error.args[0]}") from None


def _make_session(args: argparse.Namespace, context: AppContext, config: Config) -> ChatSession:
    conversation = _conversation(args, context)
    # A continued chat keeps its own toggles unless a flag (or a preset) says otherwise;
    # a new one starts with them off (scripts want the same request every time).
    if not (args.continue_chat or args.chat_id):
        conversation.settings.thinking = conversation.settings.search = False
    preset = _chosen_preset(args, config)
    if preset is not None:  # under the flags: a flag given wins over the preset
        from chatterm.engine.preset_settings import with_preset

        conversation.settings = with_preset(conversation.settings, preset, None)
    tool_words = args.tools if args.tools is not None or preset is None else preset.tool_words()
    settings = conversation.settings
    if getattr(args, "model", None):
        settings.model = args.model
    if args.system is not None:
        settings.system_prompt = args.system
    for name in ("temperature", "top_p", "max_tokens"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    if args.no_stream:
        settings.stream = False
    if args.thinking:
        settings.thinking = True
    if args.search:
        settings.search = True
    if args.schema is not None:
        from chatterm.api.structured import response_format_for_schema

        try:
            settings.response_format = response_format_for_schema(args.schema)
        except (OSError, ValueError) as error:
            # The message names the file already ("schema s.json: no such file").
            raise UsageError(f"--schema: {error}") from error
    elif args.json_object:
        settings.response_format = {"type": "json_object"}
    offered: list[str] = []
    context.use_mcp = bool(tool_words)  # no server is started for a reply that offers no tool
    if tool_words:
        from chatterm.tools.selection import select_tools

        mcp_problems = context.wait_for_tools()  # MCP servers' tools, or why not (builds the tools)
        context.tool_errors.extend(mcp_problems)
        _tell_tool_errors(context)  # before any "unknown tool": they may say why
        try:
            offered = select_tools(tool_words, context.tools)
        except KeyError as error:
            raise UsageError(str(error.args[0])) from None
    session = context.make_session(
        conversation,
        approve=_approver(args.yes),
        offered_tools=offered,
        max_tool_rounds=args.max_tool_rounds,
        endpoint=args.endpoint,
    )
    if not tool_words:
        _tell_tool_errors(context)
    if context.store_error is not None:
        print(f"chatterm: history not saved: {context.store_error}", file=sys.stderr)
    return session


def _tell_tool_errors(context: AppContext) -> None:
    """The user's tool files that failed to load, each named with its error."""
    for problem in context.tool_errors:
        print(f"chatterm: {problem}", file=sys.stderr)


def _conversation(args: argparse.Namespace, context: AppContext) -> Conversation:
    if not (args.continue_chat or args.chat_id):
        return context.new_conversation()
    from chatterm.store.errors import StoreError

    store = context.open_store()
    if store is None:
        raise UsageError(f"cannot continue a chat: {context.store_error or 'history is off (--no-save)'}")
    try:
        chat_id = args.chat_id or store.last_chat_id()
        if chat_id is None:
            raise UsageError("there is no saved chat to continue yet")
        return store.load(chat_id)
    except LookupError as error:
        raise UsageError(str(error)) from error
    except StoreError as error:  # a damaged page: said with the file's name, nothing written
        raise HistoryProblem(str(error)) from error


def _approver(yes: bool) -> ApprovalCallback:
    async def approve(call: ToolCall, tool: Tool | None) -> Approval:
        if yes:
            return "once"
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            print(
                f"chatterm: denied tool call {visible_line(call.name)} (no terminal to ask; use --yes)", file=sys.stderr
            )
            return "deny"
        from chatterm.ask_approval import APPROVALS, ask_on_terminal, tool_question
        from chatterm.tools.runner import in_daemon_thread  # a Ctrl-C must not wait for Enter

        answer = await in_daemon_thread(ask_on_terminal, tool_question(call))
        return "once" if answer.strip().lower() in APPROVALS else "deny"

    return approve


async def _ask(session: ChatSession, context: AppContext, prompt: str, files: list[str], output: AskOutput) -> int:
    failure: ChatTermError | None = None
    interrupted = False

    async def consume() -> None:
        nonlocal failure
        async for event in session.send(prompt, files):
            match event:
                case TextDelta(text=text):
                    output.text(text)
                case ReasoningDelta(text=text):
                    output.reasoning(text)
                case ToolCallStatus(call=call, status=status, output=result):
                    output.tool_status(call, status, result)
                case ToolLoopStopped(reason=reason):
                    output.note(reason)
                case Notice(text=text):
                    output.note(text)
                case ReplyFinished():
                    output.end_reply()
                case ReplyFailed(error=failed):
                    failure = failed
                case CitationsUpdate():
                    pass
                case ImageAdded():
                    output.images.add(event)

    # The reply streams in a task of its own so that a reader that goes away (`| head`)
    # stops it the way Ctrl-C does: the engine marks the reply stopped and saves it,
    # and nothing else is cancelled.
    streaming = asyncio.create_task(consume())
    output.on_broken_pipe = streaming.cancel
    try:
        await streaming
    except RequestValidationError as error:
        output.close()
        print(f"chatterm ask: {visible(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except asyncio.CancelledError:
        interrupted = True
    except ChatTermError as error:
        failure = error
    finally:
        await _wind_up(output, context)
    reply = session.last_reply
    if output.broken:
        return output.exit_broken()
    if interrupted:
        output.close()
        output.note("stopped")
        if output.json_mode:
            output.print_json(output.failure("Interrupted", "Stopped by the user", None, reply))
        return EXIT_INTERRUPTED
    if failure is not None:
        output.close()
        if output.json_mode:
            http_status = failure.status if isinstance(failure, APIError) else None
            kind = failure.kind if isinstance(failure, APIError) else type(failure).__name__
            output.print_json(output.failure(kind, str(failure), http_status, reply, failure))
        else:
            message = getattr(failure, "detail", None) or str(failure)
            if isinstance(failure, RequestValidationError):
                message = f"chatterm ask: {message}"
            output.note(message)
        if output.broken:
            return output.exit_broken()
        return EXIT_USAGE if isinstance(failure, RequestValidationError) else EXIT_ERROR
    output.finish(reply, session)
    if output.broken:
        return output.exit_broken()
    if not output.saved and output.require_save:
        return EXIT_ERROR
    return EXIT_OK


def _images_for(args: argparse.Namespace, session: ChatSession, context: AppContext) -> AskImages:
    """Where this run's images go; with `--no-save` the history keeps none of them."""
    from chatterm.ask_images import save_target, scratch_blobs

    images = AskImages(save_target(getattr(args, "save_images", None), args.json))
    if not context.save_history:
        images.scratch = session.blobs = scratch_blobs()
    return images


async def _wind_up(output: AskOutput, context: AppContext) -> None:
    """After the turn, however it ended: save the chat, close the client, say where
    images went (`ask` and `ask --compare` alike)."""
    output.on_broken_pipe = None
    output.saved = _finish_saving(context)
    await context.aclose()
    output.tell_images()


def _finish_saving(context: AppContext) -> bool:
    """Write the chat to the history before `ask` ends, waiting out another process's
    lock (up to $CHATTERM_SAVE_WAIT s, default 60); False, said on stderr, when the
    chat could not be saved (history off or unusable, or the lock never freed)."""
    if not context.save_history:
        return False
    if context.store_error is not None:
        return False  # told when the session was made

    def waiting() -> None:
        print(
            f"chatterm: waiting for the history file {context.history_path} (busy in another process)…", file=sys.stderr
        )

    saved = context.finish_saving(on_wait=waiting)
    if not saved:
        print(
            f"chatterm: this chat was not saved: {context.save_problem or 'the history file stayed busy'}",
            file=sys.stderr,
        )
    return saved


def _failure_json(
    kind: str, message: str, status: int | None, reply: Message | None, error: ChatTermError | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "message": message, "status": status}
    provider = getattr(error, "provider_message", None)
    if provider:
        body["provider_message"] = provider
    return {"error": body, "partial_content": reply.content or "" if reply is not None else ""}


def result_json(reply: Message, session: ChatSession) -> dict[str, Any]:
    """The `--json` contract of `ask`."""
    calls = []
    for call in reply.tool_calls:
        try:
            arguments: Any = call.parsed_arguments()
        except ValueError:
            arguments = call.arguments
        calls.append({"id": call.id, "name": call.name, "arguments": arguments})
    data: dict[str, Any] = {
        "model": reply.model,
        "content": reply.content or "",
        "reasoning": reply.reasoning or None,
        "tool_calls": calls,
        "finish_reason": reply.finish_reason,
        "usage": reply.usage.to_dict() if reply.usage else None,
        "citations": [c.url for c in reply.citations],
    }
    data |= figures_json(reply)
    if session.tool_runs or session.offered_tools():  # with --tools: always there, maybe empty
        data["tool_results"] = [{"id": r.id, "name": r.name, "ok": r.ok, "output": r.output} for r in session.tool_runs]
    return data


def figures_json(reply: Message) -> dict[str, Any]:
    """`cost` (at the config's price, like `usage` of this reply) and `context` (how full
    its request left the window: used, window, percent), each only when known."""
    from chatterm.api.context_window import context_use

    data: dict[str, Any] = {}
    if reply.cost is not None:
        data["cost"] = round(reply.cost, 10)
    if (use := context_use(reply.usage, reply.context_window)) is not None:
        data["context"] = use.to_dict()
    return data


def _print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _color_allowed() -> bool:
    import os

    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


class AskOutput:
    """Where `ask` writes: stdout for the answer, stderr for everything else.

    A write to a closed pipe (`chatterm ask ... | head -1`) does not raise: it marks
    the output broken, calls `on_broken_pipe` (the streaming task's cancel) once, and
    later writes are dropped; `exit_broken()` then ends the command quietly."""

    def __init__(self, json_mode: bool, *, schema: dict[str, Any] | None = None) -> None:
        self.json_mode = json_mode
        self.schema = schema
        self.terminal = sys.stdout.isatty() and not json_mode
        self.err_terminal = sys.stderr.isatty() and _color_allowed()
        self._safe_out = sys.stdout.isatty()
        self._safe_err = sys.stderr.isatty()
        """Outside text bound for a terminal is made safe (`terminal_text.visible`); a
        pipe or a file gets the exact text."""
        self.on_broken_pipe: Callable[[], object] | None = None
        self.broken = False
        self._markdown: Any = None
        self._in_reasoning = False
        self._wrote_text = False
        self.saved = True
        """Whether the exchange reached the history file (`"saved"` in --json)."""
        self.require_save = False
        """`--require-save`: an exchange that was not saved makes the exit status 1."""
        self.images = AskImages(None)
        """This run's generated images (`ask_images.py`)."""

    def saved_json(self) -> dict[str, bool]:
        return {"saved": self.saved}

    # --- writing, tolerant of a reader that went away -----------------------------------

    def _write(self, stream: TextIO, text: str) -> None:
        if self.broken:
            return
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            self._gone()

    def _outside(self, stream: TextIO, text: str) -> None:
        """Write text that came from outside (the model, the gateway, a tool)."""
        if self._safe_out if stream is sys.stdout else self._safe_err:
            text = visible(text)
        self._write(stream, text)

    def _gone(self) -> None:
        if self.broken:
            return
        self.broken = True
        stop, self.on_broken_pipe = self.on_broken_pipe, None
        if stop is not None:
            stop()

    def exit_broken(self) -> int:
        from chatterm.process import EXIT_BROKEN_PIPE, silence_stdout

        silence_stdout()
        return EXIT_BROKEN_PIPE

    def _render(self, action: Callable[[], object]) -> None:
        if self.broken:
            return
        try:
            action()
        except BrokenPipeError:
            self._gone()

    # --- events -------------------------------------------------------------------------

    def text(self, text: str) -> None:
        if self.json_mode:
            return
        self._end_reasoning()
        self._wrote_text = True
        if self.schema is not None:
            return  # structured replies are shown whole, pretty, at the end
        if self.terminal:
            if self._markdown is None:
                from chatterm.markdown_printer import MarkdownPrinter

                self._markdown = MarkdownPrinter()
            markdown, shown = self._markdown, visible(text)
            self._render(lambda: markdown.feed(shown))
        else:
            self._outside(sys.stdout, text)

    def reasoning(self, text: str) -> None:
        if self.json_mode:
            return
        if not self._in_reasoning:
            self._in_reasoning = True
            if self.err_terminal:
                self._write(sys.stderr, "\x1b[2m")
        self._outside(sys.stderr, text)

    def _end_reasoning(self) -> None:
        if self._in_reasoning:
            self._in_reasoning = False
            # On a terminal the answer follows on the same screen: a blank line sets
            # the dim reasoning apart from it.
            self._write(sys.stderr, ("\x1b[0m\n\n" if self.terminal else "\x1b[0m\n") if self.err_terminal else "\n")

    def end_reply(self) -> None:
        self._end_reasoning()
        if self._markdown is not None:
            markdown, self._markdown = self._markdown, None
            self._render(markdown.close)
        elif self._wrote_text and not self.json_mode and self.schema is None:
            self._write(sys.stdout, "\n")
        self._wrote_text = False

    def close(self) -> None:
        self.end_reply()

    def tool_status(self, call: ToolCall, status: str, result: str | None) -> None:
        if self.json_mode:
            return
        self._end_reasoning()
        if status in ("running", "waiting"):
            if status == "running":
                from chatterm.tools.preview import arguments_preview

                self.note(f"⚙ {call.name}({arguments_preview(call).text})")
            return
        summary = (result or "").replace("\n", " ")
        if len(summary) > 200:
            summary = summary[:199] + "…"
        self.note(f"  {status}: {summary}")

    def note(self, text: str) -> None:
        if self.json_mode:
            return
        self._end_reasoning()
        self._outside(sys.stderr, f"{text}\n")

    def print_json(self, data: dict[str, Any]) -> None:
        self._write(sys.stdout, json.dumps(data, ensure_ascii=False) + "\n")

    def print_json_value(self, data: object) -> None:
        """Any JSON value on stdout (`ask --compare --json` prints an array)."""
        self._write(sys.stdout, json.dumps(data, ensure_ascii=False) + "\n")

    def write_out(self, text: str) -> None:
        """chatterm's own text on stdout."""
        self._write(sys.stdout, text)

    def write_outside(self, text: str) -> None:
        """Text from outside on stdout, made safe on a terminal."""
        self._outside(sys.stdout, text)

    def finish(self, reply: Message | None, session: ChatSession) -> None:
        self.close()
        if reply is None:
            return
        if self.json_mode:
            self.print_json(self.result(reply, session, self.images.saved))
            return
        if self.schema is not None:
            self._show_structured(reply.content or "")
            outcome = self._schema_outcome(reply)
            if outcome is not None and not outcome.ok:
                self.note(f"The reply does not fit the schema: {outcome.error_path}: {outcome.message}")
        if reply.tool_calls:
            self._show_unrun_calls(reply, session)
        if self.images.saved:
            self._show_images()
        if reply.citations:
            # The sources belong to the answer (it cites them as [1], [2]): stdout, so
            # `ask --search ... > answer.md` keeps them. A structured reply keeps stdout
            # pure JSON, so there they go to stderr.
            stream = sys.stdout if self.schema is None else sys.stderr
            lines = ["\nSources:\n"]
            for number, citation in enumerate(reply.citations, 1):
                title = f" {citation.title}" if citation.title else ""
                lines.append(f"  [{number}]{title} {citation.url}\n")
            self._outside(stream, "".join(lines))
        if (cut := cut_note(reply.finish_reason)) is not None:  # a cut reply reads like a whole one
            self.note(f"chatterm: the reply was {cut} (finish_reason: {reply.finish_reason})")

    def result(self, reply: Message, session: ChatSession, images: list[SavedImage]) -> dict[str, Any]:
        """The `--json` object of one reply: `ask`'s, and each entry of `ask --compare`'s
        array (`images`: that reply's own), so the two never differ in their keys."""
        data = result_json(reply, session) | self.saved_json() | {"images": [image.to_json() for image in images]}
        outcome = self._schema_outcome(reply)
        if outcome is not None:
            data["schema_error"] = None if outcome.ok else {"path": outcome.error_path, "message": outcome.message}
        return data

    def failure(
        self, kind: str, message: str, status: int | None, reply: Message | None, error: ChatTermError | None = None
    ) -> dict[str, Any]:
        """The `--json` object of a reply that failed or was stopped (`ask`, `ask --compare`)."""
        return _failure_json(kind, message, status, reply, error) | self.saved_json()

    def _schema_outcome(self, reply: Message) -> ValidationOutcome | None:
        if self.schema is None:
            return None
        from chatterm.api.structured import validate_reply

        return validate_reply(reply.content or "", self.schema)

    def _show_images(self) -> None:
        """The saved images' paths (or URLs) after the answer, on stdout: they are part of it."""
        lines = ["\nImages:\n"]
        for image in self.images.saved:
            where = str(image.path) if image.path is not None else image.ref.url or "(not saved)"
            size = f" ({image.ref.width}x{image.ref.height})" if image.ref.width else ""
            lines.append(f"  {where}{size}\n")
        self._outside(sys.stdout, "".join(lines))

    def tell_images(self) -> None:
        """Problems saving images (stderr), and the scratch folder removed."""
        for problem in self.images.problems:
            self.note(problem)
        self.images.close()

    def _show_unrun_calls(self, reply: Message, session: ChatSession) -> None:
        """The final reply still asks for tools (`--max-tool-rounds 0`, or the round
        limit was reached): those calls are the answer, so they go to stdout, one a line,
        as `name(arguments)`."""
        if session.options.max_tool_rounds == 0:
            self.note("The model asked for these tool calls; not run (--max-tool-rounds 0):")
        self._outside(sys.stdout, "".join(f"{call.name}({call.arguments or ''})\n" for call in reply.tool_calls))

    def _show_structured(self, text: str) -> None:
        if self.terminal:
            from rich.console import Console
            from rich.json import JSON

            try:
                rendered = JSON(visible(text))
            except ValueError:
                pass
            else:
                self._render(lambda: Console().print(rendered))
                return
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        self._outside(sys.stdout, text + "\n")
