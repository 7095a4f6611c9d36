"""`chatterm ask --compare MODEL,MODEL[,...]`: one prompt to 2-4 models, on `ask`'s setup.

The replies stream in parallel (`engine/compare.py`), so they cannot stream to stdout
one after the other as they arrive: each is printed whole, under a header naming its
model, once every model has ended (reasoning, tool activity and notices go to stderr as
they happen, prefixed with the model). `--json` prints one array of `ask --json`'s
result objects, in the order the models were given; a failed model's entry holds
`error` (and `model`), and the exit status is 1 if any failed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from typing import TYPE_CHECKING, Any

from chatterm.api.errors import APIError, RequestValidationError
from chatterm.api.types import Notice, ReasoningDelta, TextDelta
from chatterm.ask import AskOutput, _usage_error, _wind_up, run_ask
from chatterm.ask_images import SavedImage
from chatterm.engine.compare import CompareError, Comparison, LaneEnded, LaneEvent, check_models
from chatterm.engine.events import ImageAdded, ToolCallStatus, ToolLoopStopped
from chatterm.process import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from chatterm.terminal_text import visible, visible_line

if TYPE_CHECKING:
    from chatterm.config import Config
    from chatterm.context import AppContext
    from chatterm.engine.session import ChatSession


def run_compare(args: argparse.Namespace, config: Config) -> int:
    """`ask` with `--compare`: the models checked first (a usage error, nothing sent)."""
    try:
        if getattr(args, "model", None):
            raise CompareError("--model and --compare do not go together: --compare names every model")
        models = check_models(args.compare.split(","))
    except CompareError as error:
        return _usage_error(args, f"--compare: {error}")
    args.model = models[0]  # what ask's flag checks are made for; every model is checked before sending
    return run_ask(args, config, turn=functools.partial(compare_turn, models))


async def compare_turn(
    models: list[str], session: ChatSession, context: AppContext, prompt: str, files: list[str], output: AskOutput
) -> int:
    comparison = Comparison(session, models)
    texts: list[list[str]] = [[] for _ in models]
    images: list[list[SavedImage]] = [[] for _ in models]
    reasoning_open: set[int] = set()

    def note(lane: int, text: str) -> None:
        output.note(f"[{visible_line(models[lane])}] {text}")

    async def consume() -> None:
        async for item in comparison.send(prompt, files):
            if isinstance(item, LaneEvent):
                lane, event = item.lane, item.event
                match event:
                    case TextDelta(text=text):
                        texts[lane].append(text)
                    case ReasoningDelta(text=text) if not output.json_mode:
                        if lane not in reasoning_open:
                            reasoning_open.add(lane)
                            note(lane, "thinking…")
                    case ToolCallStatus(call=call, status=status):
                        note(lane, f"tool {visible_line(call.name)}: {status}")
                    case ToolLoopStopped(reason=reason):
                        note(lane, reason)
                    case Notice(text=text):
                        note(lane, text)
                    case ImageAdded():
                        images[lane].append(output.images.add(event))
            elif isinstance(item, LaneEnded) and not output.json_mode:
                note(item.lane, _ended_words(item))

    streaming = asyncio.create_task(consume())
    output.on_broken_pipe = streaming.cancel
    interrupted = False
    try:
        await streaming
    except RequestValidationError as error:
        print(f"chatterm ask: {visible(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except asyncio.CancelledError:
        interrupted = True
    finally:
        await _wind_up(output, context)
    if output.broken:
        return output.exit_broken()
    entries = [_entry(comparison, lane, output, images[lane], interrupted) for lane in range(len(models))]
    if output.json_mode:
        output.print_json_value(entries)
    else:
        _print_plain(comparison, texts, output)
    if output.broken:
        return output.exit_broken()
    if interrupted:
        return EXIT_INTERRUPTED
    if any("error" in entry for entry in entries):
        return EXIT_ERROR
    if not output.saved and output.require_save:
        return EXIT_ERROR
    return EXIT_OK


def _ended_words(ended: LaneEnded) -> str:
    if ended.outcome == "failed":
        return f"failed: {getattr(ended.error, 'detail', None) or ended.error}"
    return ended.outcome.replace("ok", "done")


def _entry(
    comparison: Comparison, lane: int, output: AskOutput, images: list[SavedImage], interrupted: bool
) -> dict[str, Any]:
    """One model's `ask --json` object, built by the same `AskOutput` methods as a single
    `ask`'s (a failure's object, with `model`, if it failed)."""
    model = comparison.models[lane]
    reply = comparison.lanes[lane].last_reply if lane < len(comparison.lanes) else None
    outcome = comparison.outcomes[lane]
    error = comparison.errors[lane]
    if outcome == "ok" and reply is not None:
        return output.result(reply, comparison.lanes[lane], images)
    if outcome == "failed" and error is not None:
        status = error.status if isinstance(error, APIError) else None
        kind = error.kind if isinstance(error, APIError) else type(error).__name__
        return {"model": model} | output.failure(kind, str(error), status, reply, error)
    why = "Stopped by the user" if interrupted or outcome == "stopped" else "Not run"
    return {"model": model} | output.failure("Interrupted", why, None, reply)


def _print_plain(comparison: Comparison, texts: list[list[str]], output: AskOutput) -> None:
    """Each reply whole under its model's header; outside text made safe on a terminal."""
    for lane, model in enumerate(comparison.models):
        header = f"{'' if lane == 0 else chr(10)}=== {visible_line(model)} ===\n"
        output.write_out(header)
        reply = comparison.lanes[lane].last_reply if lane < len(comparison.lanes) else None
        text = (reply.content if reply is not None and reply.content else "") or "".join(texts[lane])
        if text:
            output.write_outside(text if text.endswith("\n") else text + "\n")
        error = comparison.errors[lane]
        if comparison.outcomes[lane] == "failed" and error is not None:
            words = getattr(error, "detail", None) or str(error)
            output.write_outside(f"[failed] {words}\n")
        elif comparison.outcomes[lane] == "stopped":
            output.write_out("[stopped]\n")
