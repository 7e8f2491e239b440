"""The kedro run options run_params lack, read from the running Click command."""

from __future__ import annotations

import click

from kedro_run_report.record.command import command_options


def options_inside(name: str, **params: object) -> dict:
    found: dict = {}

    @click.command(name=name)
    def command() -> None:
        click.get_current_context().params.update(params)
        found.update(command_options())

    command.main([], prog_name=name, standalone_mode=False)
    return found


def test_the_run_command_options_are_recorded_with_secrets_masked() -> None:
    found = options_inside(
        "run",
        from_nodes=[],
        runner="my_pkg.MyRunner",
        runner_params={"max_workers": 4, "api_token": "abcd1234secret"},
        is_async=True,
        conf_source="s3://user:hunter22@bucket/conf",
        params={},
    )
    assert found["runner"] == "my_pkg.MyRunner"
    assert found["runner_params"] == {"max_workers": 4, "api_token": "***"}
    assert found["is_async"] is True
    assert "hunter22" not in found["conf_source"]


def test_defaults_and_other_commands_record_nothing() -> None:
    assert options_inside("run", from_nodes=[], runner=None, is_async=False) == {}
    assert options_inside("report", runner="ThreadRunner") == {}
    assert command_options() == {}  # no command running: a run started from Python
