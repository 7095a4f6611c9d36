"""The official `openai` package as an independent client of the demo gateway."""

from __future__ import annotations

import json

import pytest

from chatterm.demo import DEMO_API_KEY, DemoGateway

TOOLS = [
    {
        "type": "function",
        "function": {"name": "current_time", "description": "now", "parameters": {"type": "object", "properties": {}}},
    },
    {
        "type": "function",
        "function": {
            "name": "calculator",
            "description": "math",
            "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}},
        },
    },
]


async def test_openai_client_plain_streamed_and_tool_calls(gateway: DemoGateway) -> None:
    import openai  # slow import: only here

    async with openai.AsyncOpenAI(base_url=gateway.base_url, api_key=DEMO_API_KEY, max_retries=0) as client:
        models = [m.id async for m in client.models.list()]
        assert "claude-opus-4-6" in models

        plain = await client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hello openai"}]
        )
        assert plain.choices[0].message.content.startswith("## ")
        assert plain.usage is not None and plain.usage.total_tokens > 0

        text = ""
        usage = None
        stream = await client.chat.completions.create(
            model="deepseek-v3",
            messages=[{"role": "user", "content": "hello openai"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
            usage = chunk.usage or usage
        assert "> hello openai" in text
        assert usage is not None and usage.completion_tokens > 0

        calls = await client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "!parallel"}], tools=TOOLS
        )
        tool_calls = calls.choices[0].message.tool_calls
        assert [c.function.name for c in tool_calls] == ["current_time", "calculator"]
        assert json.loads(tool_calls[1].function.arguments) == {"expression": "6*7"}

        streamed_args: dict[int, str] = {}
        stream = await client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "!parallel"}], tools=TOOLS, stream=True
        )
        async for chunk in stream:
            for tc in chunk.choices[0].delta.tool_calls or [] if chunk.choices else []:
                streamed_args[tc.index] = streamed_args.get(tc.index, "") + (tc.function.arguments or "")
        assert streamed_args == {0: tool_calls[0].function.arguments, 1: tool_calls[1].function.arguments}


async def test_openai_client_responses_and_errors(gateway: DemoGateway) -> None:
    import openai

    async with openai.AsyncOpenAI(base_url=gateway.base_url, api_key=DEMO_API_KEY, max_retries=0) as client:
        response = await client.responses.create(
            model="gpt-5.2", input="responses via openai", reasoning={"effort": "low", "summary": "auto"}
        )
        assert "> responses via openai" in response.output_text

        deltas = []
        async with client.responses.stream(model="gpt-5.2", input="streamed responses") as stream:
            async for event in stream:
                if event.type == "response.output_text.delta":
                    deltas.append(event.delta)
            final = await stream.get_final_response()
        assert "".join(deltas) == final.output_text

        with pytest.raises(openai.NotFoundError):
            await client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
        with pytest.raises(openai.RateLimitError):
            await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "!429"}])

    async with openai.AsyncOpenAI(base_url=gateway.base_url, api_key="bad-key", max_retries=0) as bad:
        with pytest.raises(openai.AuthenticationError):
            await bad.models.list()
