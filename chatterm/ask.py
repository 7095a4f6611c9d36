"""`chatterm ask`: one question, for scripts and pipes, on the same engine as the TUI.

The answer streams to stdout as it arrives (Markdown rendered with rich on a terminal,
plain text in a pipe); reasoning, tool activity and notices go to stderr so stdout
stays the answer. `--json` prints exactly one JSON object at the end instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from chatterm.api.errors import APIError, ChatTermError, RequestValidationError
from chatterm.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from chatterm.api.types import CitationsUpdate, Notice, ReasoningDelta, TextDelta, ToolCall
from chatterm.engine.events import ReplyFailed, ReplyFinished, ToolCallStatus, ToolLoopStopped

if TYPE_CHECKING:
    from chatterm.config import Config
    from chatterm.context import AppContext
    from chatterm.engine.conversation import Conversation, Message
    from chatterm.engine.session import Approval, ApprovalCallback, ChatSession
    from chatterm.tools import Tool



class UsageError(Exception):
    pass


def read_prompt(args: argparse.Namespace, stdin: TextIO) -> str:
    """PROMPT absent or '-': stdin is the prompt; both: stdin is appended as context."""
    words = list(args.prompt or [])
    from_stdin = not words or words == ["-"]
    prompt = "" if from_stdin else " ".join(words)
    piped = not stdin.isatty()
    if from_stdin and not piped:
        raise UsageError("no prompt: give one as an argument or pipe it on stdin")
    if piped:
        context = stdin.read()
        if from_stdin:
            prompt = context
        elif context.strip():
            prompt = f"{prompt}\n\n{context.rstrip()}"
    if not prompt.strip():
        raise UsageError("the prompt is empty")
    return prompt


def run_ask(args: argparse.Namespace, config: Config) -> int:
    from chatterm.cli import build_context

    try:
        prompt = read_prompt(args, sys.stdin)
    except UsageError as error:
        print(f"chatterm ask: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.max_retries is not None:
        config.max_retries = args.max_retries
    context = build_context(args, config, save_history=not args.no_save)
    try:
        session = _make_session(args, context, config)
    except UsageError as error:
        print(f"chatterm ask: {error}", file=sys.stderr)
        context.close_demo()
        return EXIT_USAGE
    output = AskOutput(args.json, schema=_checked_schema(args, session))
    try:
        return asyncio.run(_ask(session, context, prompt, args.file, output))
    finally:
        context.close_demo()


def _checked_schema(args: argparse.Namespace, session: ChatSession) -> dict[str, Any] | None:
    """The `--schema` the reply is checked against: the one already read into the
    request's response_format (the file is read once, `~` expanded)."""
    if args.schema is None:
        return None
    from chatterm.api.structured import schema_of

    return schema_of(session.conversation.settings.response_format)


def _make_session(args: argparse.Namespace, context: AppContext, config: Config) -> ChatSession:
    conversation = _conversation(args, context)
    settings = conversation.settings
    if getattr(args, "model", None):
        settings.model = args.model
    if args.system is not None:
        settings.system_prompt = args.system
    for name in ("temperature", "top_p", "max_tokens"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    # A continued chat keeps its own toggles unless a flag says otherwise; a new one
    # starts with them off (scripts want the same request every time).
    if not (args.continue_chat or args.chat_id):
        settings.thinking = settings.search = False
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
            raise UsageError(f"--schema {args.schema}: {error}") from error
    elif args.json_object:
        settings.response_format = {"type": "json_object"}
    offered: list[str] = []
    if args.tools:
        available = context.tools.names()
        offered = available if args.tools.strip() == "all" else [t.strip() for t in args.tools.split(",") if t.strip()]
        unknown = [t for t in offered if t not in available]
        if unknown:
            raise UsageError(f"unknown tool(s): {', '.join(unknown)}; available: {', '.join(available)}")
    session = context.make_session(
        conversation,
        approve=_approver(args.yes),
        offered_tools=offered,
        max_tool_rounds=args.max_tool_rounds,
        endpoint=args.endpoint,
    )
    for problem in context.tool_errors:
        print(f"chatterm: {problem}", file=sys.stderr)
    if context.store_error is not None:
        print(f"chatterm: history not saved: {context.store_error}", file=sys.stderr)
    return session


def _conversation(args: argparse.Namespace, context: AppContext) -> Conversation:
    if not (args.continue_chat or args.chat_id):
        return context.new_conversation()
    store = context.open_store()
    if store is None:
        raise UsageError(f"cannot continue a chat: {context.store_error or 'history is off (--no-save)'}")
    chat_id = args.chat_id or store.last_chat_id()
    if chat_id is None:
        raise UsageError("there is no saved chat to continue yet")
    try:
        return store.load(chat_id)
    except LookupError as error:
        raise UsageError(str(error)) from error


def _approver(yes: bool) -> ApprovalCallback:
    async def approve(call: ToolCall, tool: Tool | None) -> Approval:
        if yes:
            return "once"
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            print(f"chatterm: denied tool call {call.name} (no terminal to ask; use --yes)", file=sys.stderr)
            return "deny"
        question = f"Run tool {call.name}({call.arguments})? [y/N] "
        answer = await asyncio.to_thread(_ask_stderr, question)
        return "once" if answer.strip().lower() in ("y", "yes") else "deny"

    return approve


def _ask_stderr(question: str) -> str:
    sys.stderr.write(question)
    sys.stderr.flush()
    return sys.stdin.readline()


async def _ask(session: ChatSession, context: AppContext, prompt: str, files: list[str], output: AskOutput) -> int:
    failure: ChatTermError | None = None
    interrupted = False
    try:
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
    except RequestValidationError as error:
        output.close()
        print(f"chatterm ask: {error}", file=sys.stderr)
        return EXIT_USAGE
    except asyncio.CancelledError:
        interrupted = True
    except ChatTermError as error:
        failure = error
    finally:
        await context.aclose()
    reply = session.last_reply
    if interrupted:
        output.close()
        output.note("stopped")
        if output.json_mode:
            output.print_json(_failure_json("Interrupted", "Stopped by the user", None, reply))
        return EXIT_INTERRUPTED
    if failure is not None:
        output.close()
        if output.json_mode:
            http_status = failure.status if isinstance(failure, APIError) else None
            kind = failure.kind if isinstance(failure, APIError) else type(failure).__name__
            output.print_json(_failure_json(kind, str(failure), http_status, reply, failure))
        else:
            print(getattr(failure, "detail", None) or str(failure), file=sys.stderr)
        return EXIT_USAGE if isinstance(failure, RequestValidationError) else EXIT_ERROR
    output.finish(reply, session)
    return EXIT_OK


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
    if session.tool_runs:
        data["tool_results"] = [
            {"id": r.id, "name": r.name, "ok": r.ok, "output": r.output} for r in session.tool_runs
        ]
    return data


class AskOutput:
    """Where `ask` writes: stdout for the answer, stderr for everything else."""

    def __init__(self, json_mode: bool, *, schema: dict[str, Any] | None = None) -> None:
        self.json_mode = json_mode
        self.schema = schema
        self.terminal = sys.stdout.isatty() and not json_mode
        self.err_terminal = sys.stderr.isatty()
        self._markdown: Any = None
        self._in_reasoning = False
        self._wrote_text = False

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
            self._markdown.feed(text)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()

    def reasoning(self, text: str) -> None:
        if self.json_mode:
            return
        if not self._in_reasoning:
            self._in_reasoning = True
            if self.err_terminal:
                sys.stderr.write("\x1b[2m")
        sys.stderr.write(text)
        sys.stderr.flush()

    def _end_reasoning(self) -> None:
        if self._in_reasoning:
            self._in_reasoning = False
            # On a terminal the answer follows on the same screen: a blank line sets
            # the dim reasoning apart from it.
            sys.stderr.write(("\x1b[0m\n\n" if self.terminal else "\x1b[0m\n") if self.err_terminal else "\n")
            sys.stderr.flush()

    def end_reply(self) -> None:
        self._end_reasoning()
        if self._markdown is not None:
            self._markdown.close()
            self._markdown = None
        elif self._wrote_text and not self.json_mode and self.schema is None:
            sys.stdout.write("\n")
            sys.stdout.flush()
        self._wrote_text = False

    def close(self) -> None:
        self.end_reply()

    def tool_status(self, call: ToolCall, status: str, result: str | None) -> None:
        if self.json_mode:
            return
        self._end_reasoning()
        if status in ("running", "waiting"):
            if status == "running":
                self.note(f"⚙ {call.name}({call.arguments or ''})")
            return
        summary = (result or "").replace("\n", " ")
        if len(summary) > 200:
            summary = summary[:199] + "…"
        self.note(f"  {status}: {summary}")

    def note(self, text: str) -> None:
        if self.json_mode:
            return
        self._end_reasoning()
        sys.stderr.write(f"{text}\n")
        sys.stderr.flush()

    def print_json(self, data: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def finish(self, reply: Message | None, session: ChatSession) -> None:
        self.close()
        if reply is None:
            return
        outcome = None
        if self.schema is not None:
            from chatterm.api.structured import validate_reply

            outcome = validate_reply(reply.content or "", self.schema)
        if self.json_mode:
            data = result_json(reply, session)
            if outcome is not None:
                data["schema_error"] = None if outcome.ok else {"path": outcome.error_path, "message": outcome.message}
            self.print_json(data)
            return
        if self.schema is not None:
            self._show_structured(reply.content or "")
            if outcome is not None and not outcome.ok:
                self.note(f"The reply does not fit the schema: {outcome.error_path}: {outcome.message}")
        if reply.citations:
            stream = sys.stdout if self.terminal else sys.stderr
            stream.write("\nSources:\n")
            for number, citation in enumerate(reply.citations, 1):
                title = f" {citation.title}" if citation.title else ""
                stream.write(f"  [{number}]{title} {citation.url}\n")
            stream.flush()

    def _show_structured(self, text: str) -> None:
        if self.terminal:
            from rich.console import Console
            from rich.json import JSON

            try:
                Console().print(JSON(text))
                return
            except ValueError:
                pass
        try:
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            pass
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
