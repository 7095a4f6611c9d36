"""`[prices."<model>"]` in the config file: per million tokens, checked on load with the
file, the model, the field and the line named; a bad price stops the start with a clear
message rather than showing a wrong cost later."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatterm.api.pricing import Price, prices_from_table
from chatterm.config import ConfigError, load_config
from tests.cli.runner import chatterm

GOOD = """\
model = "gpt-4o"

[prices."gpt-4o"]
input = 2.5
output = 10
cached_input = 1.25

[prices]
"gpt-4.1" = { input = 2, output = 8 }
"""


def test_prices_load_as_written(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    config = load_config(path)
    assert config.warnings == []
    assert prices_from_table(config.prices) == {"gpt-4o": Price(2.5, 10.0, 1.25), "gpt-4.1": Price(2.0, 8.0)}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            '[prices."gpt-4o"]\ninput = 2.5\noutput = -10\n',
            'line 4: prices."gpt-4o".output must not be negative (got -10)',
        ),
        (
            '[prices."gpt-4.1"]\ninput = "two"\noutput = 8\n',
            "line 3: prices.\"gpt-4.1\".input must be a number of money per million tokens (got 'two')",
        ),
        (
            '[prices."gpt-4o"]\ninput = 2.5\noutput = 10\ncached_input = -1\n',
            'line 5: prices."gpt-4o".cached_input must not be negative',
        ),
        ('[prices."gpt-4o"]\ninput = 2.5\n', 'line 2: prices."gpt-4o" needs output = … (per million tokens)'),
        (
            '[prices."gpt-4o"]\ninput = 2.5\noutput = 10\ncache = 1\n',
            'line 5: prices."gpt-4o".cache is not a price field (use input, output, cached_input)',
        ),
        ('[prices]\n"gpt-4o" = { input = -2, output = 8 }\n', 'line 3: prices."gpt-4o".input must not be negative'),
        ('[prices]\n"gpt-4o" = 3\n', 'line 3: prices."gpt-4o" must be a table'),
        ('[prices."gpt-4o"]\ninput = true\noutput = 1\n', 'prices."gpt-4o".input must be a number'),
        ('[prices."gpt-4o"]\ninput = nan\noutput = 1\n', 'prices."gpt-4o".input must be a number'),
        ('[prices."gpt-4o"]\ninput = inf\noutput = 1\n', 'prices."gpt-4o".input must be at most 1,000,000'),
        ('prices = "cheap"\n', "line 2: prices must be of type dict"),
    ],
)
def test_a_bad_price_names_file_model_field_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "chatterm-light"\n' + text)  # the table starts on line 2
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert expected in str(caught.value), str(caught.value)
    assert str(path) in str(caught.value)


def test_ask_refuses_to_start_on_a_negative_price_and_says_where(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[prices."gpt-4o"]\ninput = 2.5\noutput = -10\n')
    run = chatterm("ask", "--demo", "--no-save", "hi", env={"CHATTERM_CONFIG": str(path)})
    assert run.code != 0 and run.out == ""
    assert f'{path}, line 3: prices."gpt-4o".output must not be negative (got -10)' in run.err
