"""`ThinkSplitter`: a model's thinking, sent inside the content, taken out of the answer.

Servers that pass a model's raw output on start the content with a reasoning block:

- `<think>...</think>` (DeepSeek-R1 on Together or Fireworks, Perplexity's
  sonar-reasoning, vLLM or llama.cpp without a reasoning parser);
- the same without its opening tag, when the chat template put `<think>` into the prompt
  (DeepSeek-R1 distills, QwQ): the catalogue marks those families (`think_open_implied`),
  and for them content before `</think>` is reasoning, unless the server already sends
  reasoning in its own field (then it has split the block itself);
- `<thought>...</thought>` (Gemini): streamed, the thought parts are flagged with
  `extra_content.google.thought` (`feed_thought`), the first part opens with `<thought>`
  and the closing `</thought>` ends the last flagged part or begins the first answer part;
  not streamed, the block simply leads the content.

Tags may be split across chunks anywhere; none of them ever reaches the answer. Only a
block at the very start counts (leading whitespace aside): a `<think>` later in an answer
is the answer's own text. Whitespace right after the opening and the closing tag is dropped.
"""

from __future__ import annotations

_TAGS = (("<think>", "</think>"), ("<thought>", "</thought>"))
_THOUGHT_OPEN, _THOUGHT_CLOSE = _TAGS[1]
_UNDECIDED, _THINKING, _AFTER_THINK, _ANSWER = range(4)


def _is_partial(head: str, tag: str) -> bool:
    """`head` may still become `tag` (it is a proper start of it, or nothing yet)."""
    return len(head) < len(tag) and tag.startswith(head)


class ThinkSplitter:
    """Content text -> (reasoning, answer). `feed` takes the content as it comes;
    `feed_thought` a part the server flagged as thought."""

    __slots__ = ("close", "flagged", "fresh", "held", "implied", "mode")

    def __init__(self, *, implied: bool = False) -> None:
        self.mode = _UNDECIDED
        self.held = ""
        """Text not yet told: a possible start of an opening or closing tag."""
        self.fresh = True
        """Inside the block, nothing but whitespace seen yet."""
        self.close = ""
        """The closing tag of the block being read."""
        self.implied = implied
        """The opening `<think>` may be missing (it was in the prompt template)."""
        self.flagged = False
        """The block's parts come flagged by the server: the first unflagged part ends it."""

    def reasoning_seen(self) -> None:
        """The server sent reasoning in its own field: it split any `<think>` block itself,
        so content without an opening tag is the answer."""
        if self.mode == _UNDECIDED:
            self.implied = False

    def feed(self, text: str) -> tuple[str, str]:
        """(reasoning, answer) for the next piece of content text."""
        if self.mode == _ANSWER:
            return "", text
        held = self.held + text
        self.held = ""
        reasoning = ""
        if self.mode == _UNDECIDED:
            head = held.lstrip()
            if not head or any(_is_partial(head, o) for o, _ in _TAGS):
                self.held = held
                return "", ""
            tag = next(((o, c) for o, c in _TAGS if head.startswith(o)), None)
            if tag is not None:
                held = head[len(tag[0]) :]
                self.close = tag[1]
            elif self.implied:
                held = head
                self.close = "</think>"
            else:
                self.mode = _ANSWER
                return "", held
            self.mode = _THINKING
        if self.mode == _THINKING and self.flagged:
            # Unflagged text after flagged thought: the answer, once past the closing tag.
            head = held.lstrip()
            if _is_partial(head, self.close):
                self.held = held
                return "", ""
            held = head[len(self.close) :] if head.startswith(self.close) else head
            self.mode = _AFTER_THINK
        if self.mode == _THINKING:
            reasoning, held = self._inside(held)
            if self.mode == _THINKING:
                return reasoning, ""
        if self.mode == _AFTER_THINK:
            held = held.lstrip()
            if self.flagged:  # the closing tag ended the thought and begins the answer too
                if _is_partial(held, self.close) and held:
                    self.held = held
                    return reasoning, ""
                held = held.removeprefix(self.close).lstrip()
            if not held:
                return reasoning, ""
            self.mode = _ANSWER
        return reasoning, held

    def feed_thought(self, text: str) -> str:
        """The reasoning in a part the server flagged as thought: all of it, without its
        `<thought>` / `</thought>` wrappers."""
        held = self.held + text
        self.held = ""
        if not (self.mode == _THINKING and self.flagged):
            head = held.lstrip()
            if _is_partial(head, _THOUGHT_OPEN):
                self.held = held
                return ""
            held = head[len(_THOUGHT_OPEN) :] if head.startswith(_THOUGHT_OPEN) else head
            if self.mode != _THINKING:
                self.close = _THOUGHT_CLOSE
                self.fresh = True
            self.mode = _THINKING
            self.flagged = True
        reasoning, rest = self._inside(held)
        if self.mode != _THINKING and rest.strip():
            return reasoning + self.feed_thought(rest)  # flagged text after the tag: thought too
        return reasoning

    def _inside(self, held: str) -> tuple[str, str]:
        """(reasoning, text after the closing tag) inside a block; a possible start of the
        closing tag is held back, and the mode moves on when the tag is found."""
        if self.fresh:
            held = held.lstrip()
            if not held:
                return "", ""
            self.fresh = False
        close = self.close
        end = held.find(close)
        if end < 0:
            keep = next((k for k in range(len(close) - 1, 0, -1) if held.endswith(close[:k])), 0)
            if keep:
                self.held = held[-keep:]
                held = held[:-keep]
            return held, ""
        self.mode = _AFTER_THINK
        return held[:end], held[end + len(close) :]

    def pending(self) -> tuple[str, str]:
        """(reasoning, answer) still held at the end of the reply."""
        if self.mode == _UNDECIDED:
            return "", self.held
        if self.mode == _THINKING and not self.flagged:
            return self.held, ""
        if self.mode == _AFTER_THINK:  # answer text that began like a closing tag
            return "", self.held
        return "", ""

    def take_pending(self) -> tuple[str, str]:
        """`pending()`, handed over: the splitter holds nothing after it."""
        held = self.pending()
        self.held = ""
        return held
