"""Tools never see the API key: not a user's tool reading `os.environ`, not a program it
starts. A real `chatterm ask` runs a real tool that starts a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

from .runner import achatterm, gw

ENV_TOOL = '''
import json, os, subprocess, sys
from chatterm.tools import tool

@tool
def env_search(query: str) -> str:
    """Search the environment."""
    child = subprocess.run(
        [sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"],
        capture_output=True, text=True, check=True,
    )
    return json.dumps({"child": json.loads(child.stdout), "tool": dict(os.environ)})
'''

SECRETS = {
    "CHATTERM_API_KEY": "sk-chatterm-env-0123456789abcdef",
    "OPENAI_API_KEY": "sk-openai-env-0123456789abcdef",
    "MY_GATEWAY_KEY": "sk-named-in-config-0123456789abcdef",
    "SAME_KEY_ELSEWHERE": "sk-chatterm-env-0123456789abcdef",
}


async def test_a_user_tool_and_its_subprocess_get_no_key(demo_gateway, tmp_path: Path) -> None:
    (tmp_path / "envtool.py").write_text(ENV_TOOL, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'api_key_env = "MY_GATEWAY_KEY"\n[tools]\nfiles = ["{tmp_path / "envtool.py"}"]\n')
    base = ["--base-url", gw(demo_gateway)[1]]  # the key comes from the environment, as users set it
    run = await achatterm(
        "ask",
        *base,
        "--config",
        str(config),
        "--no-save",
        "--json",
        "--tools",
        "env_search",
        "--yes",
        "search the latest news",
        env={**SECRETS, "KEEP_ME": "visible"},
    )
    assert run.code == 0, run.err
    (result,) = json.loads(run.out)["tool_results"]
    assert result["ok"], result
    seen = json.loads(result["output"])
    for where in ("child", "tool"):
        assert not set(SECRETS) & set(seen[where]), where
        assert seen[where]["KEEP_ME"] == "visible" and "PATH" in seen[where]
