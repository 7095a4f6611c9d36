"""The model catalogue: one table of model families and what each needs on the wire.

The gateway (`shared/gateway-api.txt`) is one API over many providers, and each turns
thinking and web search on its own way. Everything family-specific lives in `FAMILIES`
below, as data; `api/shaping.py` reads an entry and builds the body, the model picker
groups `known_models()`. Adding a family is adding one `Family(...)` entry here.

Matching: `family_for(model)` lower-cases the name and tries each entry's glob
patterns (`fnmatch`) in table order; the first entry that matches wins, so more
specific entries (``gpt-5-chat*``, ``grok-*-non-reasoning``) come before broader ones
(``gpt-5*``, ``grok-*``). A name nothing matches gets `DEFAULT_FAMILY`: plain chat
completions with no thinking or search shaping.

Styles (what the Thinking / Search toggles turn into):

    thinking   none             the family cannot think; toggle on -> a Notice
               type_enabled     "thinking": {"type": "enabled"}; off -> omitted or "disabled"
                                (`thinking_off`, the family's default decides)
               claude_budget    "thinking": {"type": "enabled", "budget_tokens": B}
               qwen_parameters  parameters.enable_thinking
               gemini_variant   model-name suffix -thinking / -nothinking / -thinking-<n> / -low / -high
               reasoning_effort /v1/responses "reasoning": {"effort", "summary": "auto"}
                                (chat: "reasoning_effort")
               always_on        reasons by itself; nothing to send (deepseek-r1, grok reasoning)
    search     none             toggle on -> a Notice, sent without search
               qwen_parameters  parameters.enable_search (+ search_options)
               grok_search_parameters  "search_parameters": {"mode", "return_citations": true}
               glm_web_search_tool     tools += {"type": "web_search", "web_search": {...}}
               openai_web_search_options  "web_search_options": {} (search-preview models)
               claude_tool      no parameter exists; search happens through a tool call
    Over /v1/responses only OpenAI families search (`responses_search`: the hosted
    `{"type": "web_search"}` tool); the others get a Notice and no search.

Media in: `vision` says whether a family's models take images (None: not known, so
chatterm sends them with a one-time notice), `vision_except` names the models that
differ from their family (gpt-3.5, o3-mini, Qwen's VL and omni models); `audio` names
the models that take `input_audio` (Qwen omni/ASR). `takes_images(model)` and
`takes_audio(model)` answer for one model id; shaping refuses attachments a model is
known not to take before anything is sent.

Context windows: `context` lists a family's models with the window their provider
publishes; `context_window(model)` answers for one id, None where the figure is not known
for sure (a server's own `/v1/models` figure wins: `api/context_window.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal, TypeAlias

ThinkingStyle: TypeAlias = Literal[
    "none",
    "type_enabled",
    "claude_budget",
    "qwen_parameters",
    "gemini_variant",
    "reasoning_effort",
    "always_on",
]
SearchStyle: TypeAlias = Literal[
    "none",
    "qwen_parameters",
    "grok_search_parameters",
    "glm_web_search_tool",
    "openai_web_search_options",
    "claude_tool",
]
Protocol: TypeAlias = Literal["chat", "responses"]


@dataclass(frozen=True, slots=True)
class Family:
    """One model family: how its models are asked to think and search, and what they refuse."""

    name: str
    """Short machine name ("claude", "openai-reasoning")."""
    group: str
    """Display group in the model picker ("OpenAI", "Claude", ...)."""
    patterns: tuple[str, ...]
    """Lower-case fnmatch globs over the model name."""
    thinking: ThinkingStyle = "none"
    thinking_off: Literal["omit", "disabled"] = "omit"
    """For `type_enabled`: what "off" sends. DeepSeek is off by default (omit); GLM,
    Doubao and Kimi think by default, so off must say `"disabled"`."""
    search: SearchStyle = "none"
    responses_search: bool = False
    """Over /v1/responses, search is OpenAI's hosted `{"type": "web_search"}` tool (in
    the Responses spec); only OpenAI's own models are known to take it."""
    endpoint: Protocol = "chat"
    """Where `endpoint="auto"` sends this family (files send any family to responses)."""
    rejects: frozenset[str] = frozenset()
    """Request fields the models refuse; shaping drops them and says so once."""
    rejects_when_thinking: frozenset[str] = frozenset()
    """Fields refused only while thinking is on (Claude: temperature/top_p)."""
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    """Chat completions name for the output cap. OpenAI reasoning models refuse
    `max_tokens` ("not compatible with o-series models" in the spec) and take
    `max_completion_tokens`; every other family behind the gateway is documented with
    `max_tokens`, which the gateway passes through to non-OpenAI providers."""
    think_open_implied: bool = False
    """The chat template puts the opening `<think>` into the prompt (DeepSeek-R1 distills,
    QwQ), so a raw server streams the reasoning without it: content before `</think>` is
    reasoning (`think_split.py`)."""
    known: tuple[str, ...] = ()
    """Model ids the gateway page names for this family (picker suggestions)."""
    vision: bool | None = None
    """The models take image inputs (None: not known)."""
    vision_except: tuple[str, ...] = ()
    """Globs of this family's models whose vision is the opposite of `vision`."""
    audio: tuple[str, ...] = ()
    """Globs of this family's models that take audio (`input_audio`)."""
    note: str = ""
    """One line for the picker / `chatterm models`."""
    context: tuple[tuple[str, int | None], ...] = ()
    """(glob, context window in tokens) of this family's models, first match wins; None
    or no match: not known. Only the providers' published figures (`context_window`)."""

    @property
    def can_think(self) -> bool:
        """The Thinking toggle does something (or the models reason by themselves)."""
        return self.thinking != "none"

    @property
    def can_search(self) -> bool:
        """The Search toggle does something on chat completions (Claude: via a tool)."""
        return self.search != "none"

    def matches(self, model: str, patterns: tuple[str, ...] | None = None) -> bool:
        """Glob match on the lower-cased name, also without a vendor prefix
        ("openai/o3-mini" is an o-series model)."""
        name = model.strip().lower()
        names = (name, name.rsplit("/", 1)[-1]) if "/" in name else (name,)
        globs = self.patterns if patterns is None else patterns
        return any(fnmatchcase(n, pattern) for n in names for pattern in globs)


_SAMPLING = frozenset({"temperature", "top_p"})

FAMILIES: tuple[Family, ...] = (
    Family(
        name="openai-reasoning",
        group="OpenAI",
        responses_search=True,
        patterns=("o1", "o1-*", "o3", "o3-*", "o4-mini", "o4-mini-*"),
        thinking="reasoning_effort",
        endpoint="responses",
        rejects=_SAMPLING,
        max_tokens_field="max_completion_tokens",
        known=("o4-mini", "o3-mini", "o3", "o1"),
        note="reasoning models; the gateway page sends them to /v1/responses",
        vision=True,
        vision_except=("o1-mini*", "o3-mini*"),
        context=(
            ("o1-mini*", 128_000),
            ("o1-preview*", 128_000),
            ("o1", 200_000),
            ("o1-20*", 200_000),
            ("o3", 200_000),
            ("o3-20*", 200_000),
            ("o3-mini*", 200_000),
            ("o3-pro*", 200_000),
            ("o4-mini*", 200_000),
        ),
    ),
    Family(
        name="openai-search",
        group="OpenAI",
        patterns=("gpt-*-search-preview*", "gpt-*-search-api*"),
        search="openai_web_search_options",
        # OpenAI's search-preview models refuse sampling parameters.
        rejects=_SAMPLING,
        known=("gpt-4o-search-preview", "gpt-4o-mini-search-preview"),
        note="web search through web_search_options",
        vision=False,
        context=(("gpt-4o-search-preview*", 128_000), ("gpt-4o-mini-search-preview*", 128_000)),
    ),
    Family(
        name="openai",
        group="OpenAI",
        responses_search=True,
        patterns=("gpt-5-chat*", "gpt-5*-chat*", "gpt-4*", "gpt-3.5*", "chatgpt-*"),
        known=("gpt-4.1", "gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo", "gpt-5-chat"),
        note="chat models; files go through /v1/responses",
        vision=True,
        vision_except=("gpt-3.5*",),
        audio=("gpt-4o*audio*", "gpt-audio*"),
        context=(
            ("gpt-5*chat*", 128_000),
            ("gpt-4.1*", 1_047_576),
            ("gpt-4o*", 128_000),
            ("chatgpt-4o*", 128_000),
            ("gpt-4-turbo*", 128_000),
            ("gpt-4", 8_192),
            ("gpt-4-0613", 8_192),
            ("gpt-3.5-turbo", 16_385),
            ("gpt-3.5-turbo-0125", 16_385),
            ("gpt-3.5-turbo-1106", 16_385),
        ),
    ),
    Family(
        name="openai-gpt5",
        group="OpenAI",
        responses_search=True,
        patterns=("gpt-5*",),
        thinking="reasoning_effort",
        endpoint="responses",
        rejects=_SAMPLING,
        max_tokens_field="max_completion_tokens",
        known=("gpt-5.2", "gpt-5.1"),
        note="GPT-5 reasoning models through /v1/responses",
        vision=True,
        context=(("gpt-5*", 400_000),),
    ),
    Family(
        name="claude",
        group="Claude",
        patterns=("claude-*",),
        thinking="claude_budget",
        search="claude_tool",
        rejects_when_thinking=_SAMPLING,
        # The first three are the ids the page gives; the last three are the real
        # Anthropic ids of the page's "Claude Sonnet 4, Claude 3 Opus, Claude 3 Haiku".
        known=(
            "claude-opus-4-6",
            "claude-sonnet-4-5-20250929",
            "claude-haiku-4-5-20251001",
            "claude-sonnet-4-20250514",
            "claude-3-opus-20240229",
            "claude-3-haiku-20240307",
        ),
        vision=True,
        note="thinking with a token budget; web search only through a tool call",
        # Anthropic's 200K standard window (1M for some models only behind a beta
        # header); a Claude id not listed here (a newer one) stays unknown.
        context=(
            ("claude-3*", 200_000),
            ("claude-sonnet-4-20*", 200_000),
            ("claude-sonnet-4-0", 200_000),
            ("claude-sonnet-4-5*", 200_000),
            ("claude-opus-4-20*", 200_000),
            ("claude-opus-4-0", 200_000),
            ("claude-opus-4-1*", 200_000),
            ("claude-opus-4-5*", 200_000),
            ("claude-haiku-4-5*", 200_000),
        ),
    ),
    Family(
        name="r1-distill",
        group="DeepSeek",
        patterns=("*r1-distill*",),
        thinking="always_on",
        think_open_implied=True,
        note="DeepSeek-R1 distills: reason in a <think> block whose opening tag may be in the prompt",
        vision=False,
    ),
    Family(
        name="deepseek-reasoner",
        group="DeepSeek",
        patterns=("deepseek-r1*", "deepseek-reasoner*"),
        thinking="always_on",
        known=("deepseek-r1",),
        note="reasons by itself (reasoning_content)",
        vision=False,
    ),
    Family(
        name="deepseek",
        group="DeepSeek",
        patterns=("deepseek-*",),
        thinking="type_enabled",
        thinking_off="omit",
        known=("deepseek-v3-1-250821", "deepseek-v3"),
        note='thinking: {"type": "enabled"}; off by default',
        vision=False,
    ),
    Family(
        name="grok",
        group="Grok",
        patterns=("grok-*-non-reasoning*", "grok-3*", "grok-2*"),
        search="grok_search_parameters",
        known=("grok-3", "grok-3-fast"),
        note="live search through search_parameters",
        vision=False,
        vision_except=("grok-*vision*",),
        context=(("grok-4-fast*", 2_000_000), ("grok-4-1-fast*", 2_000_000), ("grok-3*", 131_072)),
    ),
    Family(
        name="grok-reasoning",
        group="Grok",
        patterns=("grok-*-reasoning*", "grok-4", "grok-4-[0-9]*", "grok-4.*", "grok-4-heavy*"),
        thinking="always_on",
        search="grok_search_parameters",
        known=("grok-4", "grok-4-fast-reasoning"),
        # The gateway may answer that search_parameters is no longer supported (it does
        # for grok-4 in the demo); the client then retries once without search.
        note="reasons by itself; answer tokens = completion - reasoning",
        vision=True,
        context=(
            ("grok-4-fast*", 2_000_000),
            ("grok-4-1-fast*", 2_000_000),
            ("grok-4", 256_000),
            ("grok-4-0709", 256_000),
        ),
    ),
    Family(
        name="grok-other",
        group="Grok",
        patterns=("grok-*",),
        search="grok_search_parameters",
        note="live search through search_parameters",
    ),
    Family(
        name="gemini",
        group="Gemini",
        patterns=("gemini-*", "nano-banana*"),
        thinking="gemini_variant",
        known=("gemini-3-pro-preview", "gemini-3-flash-preview", "nano-banana-pro"),
        note="thinking picked by model-name variant (-thinking, -nothinking, ...)",
        vision=True,
        audio=("gemini-*",),
        # Input token limits; image, speech and live variants have their own (unlisted).
        context=(
            ("*image*", None),
            ("*tts*", None),
            ("*audio*", None),
            ("*live*", None),
            ("gemini-3-pro*", 1_048_576),
            ("gemini-3-flash*", 1_048_576),
            ("gemini-2.5-pro*", 1_048_576),
            ("gemini-2.5-flash*", 1_048_576),
            ("gemini-2.0-flash*", 1_048_576),
            ("gemini-1.5-pro*", 2_097_152),
            ("gemini-1.5-flash*", 1_048_576),
        ),
    ),
    Family(
        name="qwq",
        group="Qwen",
        patterns=("qwq*",),
        thinking="qwen_parameters",
        search="qwen_parameters",
        think_open_implied=True,
        note="always reasons; served raw, the opening <think> may be in the prompt",
        vision=False,
    ),
    Family(
        name="qwen",
        group="Qwen",
        patterns=("qwen*",),
        thinking="qwen_parameters",
        search="qwen_parameters",
        known=("qwen3-coder-plus", "qwen3-omni-flash"),
        note="extended options inside `parameters`",
        vision=False,
        vision_except=("*-vl*", "*omni*", "qvq*"),
        audio=("*omni*", "*asr*", "*audio*"),
    ),
    Family(
        name="glm",
        group="GLM",
        patterns=("glm-*", "chatglm*"),
        thinking="type_enabled",
        thinking_off="disabled",
        search="glm_web_search_tool",
        known=("glm-5", "glm-4.7"),
        note="thinks by default; web search through its web_search tool",
    ),
    Family(
        name="kimi",
        group="Kimi",
        patterns=("kimi-*", "moonshot-*"),
        thinking="type_enabled",
        thinking_off="disabled",
        known=("kimi-k2.5",),
        note='thinking: {"type": "enabled"}; thinks by default',
    ),
    Family(
        name="doubao",
        group="Doubao",
        patterns=("doubao-*",),
        thinking="type_enabled",
        thinking_off="disabled",
        known=("doubao-seed-1-8-251228",),
        note='thinking: {"type": "enabled"}; Seed models think by default',
    ),
)

DEFAULT_FAMILY = Family(
    name="default",
    group="Other",
    patterns=("*",),
    note="unknown model: plain chat completions",
)


def family_for(model: str) -> Family:
    """The first family whose patterns match `model`, else `DEFAULT_FAMILY`."""
    for family in FAMILIES:
        if family.matches(model):
            return family
    return DEFAULT_FAMILY


def takes_images(model: str) -> bool | None:
    """Whether `model` takes image inputs: True, False, or None when not known."""
    family = family_for(model)
    if family.vision is None:
        return None
    return family.vision != family.matches(model, family.vision_except)


def takes_audio(model: str) -> bool | None:
    """Whether `model` takes audio inputs: True, False, or None for an unknown model."""
    family = family_for(model)
    if family.matches(model, family.audio):
        return True
    return None if family is DEFAULT_FAMILY else False


def context_window(model: str) -> int | None:
    """The published context window of `model` in tokens, or None when not known."""
    family = family_for(model)
    for glob, window in family.context:
        if family.matches(model, (glob,)):
            return window
    return None


def known_models() -> dict[str, list[str]]:
    """Known model ids grouped for the picker, groups in table order."""
    grouped: dict[str, list[str]] = {}
    for family in FAMILIES:
        if family.known:
            grouped.setdefault(family.group, []).extend(family.known)
    return grouped
