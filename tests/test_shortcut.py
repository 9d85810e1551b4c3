"""The commonest command lines run without Typer (commands.shortcut) exactly as through it."""

from __future__ import annotations

import inspect
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import article

from artread import cli
from artread.commands import shortcut
from artread.commands.latest import latest_page
from artread.commands.results import search_page
from artread.commands.show import show_article
from artread.env import Env


def _env(tty: bool = False, **environ: str) -> Env:
    found = {**os.environ, **environ}
    return Env(
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        stdout_isatty=tty,
        stderr_isatty=tty,
        columns=100,
        lines=5000,  # no pager
        environ=found,
    )


def _both_ways(args: list[str], tty: bool = False, **environ: str) -> tuple[tuple, tuple]:
    """(exit status, stdout, stderr) through the shortcut, then through Typer."""
    quick, typer = _env(tty, **environ), _env(tty, **environ)
    code = shortcut.run(args, quick)
    assert code is not None, f"the shortcut declined {args}"
    typer_code = cli.run(args, typer)
    return (
        (code, quick.stdout.getvalue(), quick.stderr.getvalue()),
        (typer_code, typer.stdout.getvalue(), typer.stderr.getvalue()),
    )


@pytest.mark.parametrize(
    "args",
    [
        ["search", "梯度检查点"],
        ["search", "注意力", "机制"],
        ["search", "no-such-wordzz"],
        ["search", "category:深度学习"],
        ["search", '"torch.utils.checkpoint"'],
        ["search", ""],
        ["latest"],
        ["show", "gradient-checkpointing"],
        ["show", "no-such-article"],
        ["--color", "never", "search", "显存"],
        ["--color=always", "latest"],
    ],
)
def test_a_line_prints_what_typer_prints(sample_index, args: list[str]) -> None:
    quick, typer = _both_ways(args)
    assert quick == typer
    assert quick[1] or quick[2]  # something was said


@pytest.mark.parametrize("args", [["search", "显存"], ["latest"], ["show", "layer-normalization"]])
def test_a_terminal_gets_what_typer_gives_it(sample_index, args: list[str]) -> None:
    quick, typer = _both_ways(args, tty=True)
    assert quick == typer
    assert "\x1b[" in quick[1]  # coloured: a terminal's output, not the piped lines


def test_the_archive_option_before_the_command(make_archive, tmp_path: Path) -> None:
    root = make_archive({"a.md": article("显存优化", "梯度检查点用计算换显存。")})
    for args in (["--archive", str(root), "search", "显存"], [f"--archive={root}", "latest"]):
        quick, typer = _both_ways(args)
        assert quick == typer
        assert quick[0] == 0 and "显存优化" in quick[1]
    missing = str(tmp_path / "nowhere")
    quick, typer = _both_ways(["-a", missing, "latest"])
    assert quick == typer and quick[0] == 2 and "nowhere" in quick[2]


@pytest.mark.parametrize(
    "args",
    [
        ["search", "显存", "--page", "2"],
        ["search", "显存", "-mxnet"],  # an exclusion: QueryCommand reads it
        ["search", "--", "-x"],
        ["search"],  # Typer says what is missing
        ["latest", "extra"],
        ["show", "a", "b"],
        ["show", "--help"],
        ["--color", "sometimes", "latest"],
        ["--color", "--archive", "latest"],
        ["-a=dir", "latest"],
        ["--version"],
        ["index"],
        [],
    ],
)
def test_every_other_line_goes_to_typer(args: list[str]) -> None:
    assert shortcut.read(args, {}) is None


def test_shell_completion_goes_to_typer() -> None:
    assert shortcut.read(["search", "x"], {"_ARTREAD_COMPLETE": "zsh_complete"}) is None
    assert shortcut.read(["search", "x"], {}) is not None


@pytest.mark.parametrize(
    ("command", "body"),
    [("search", search_page), ("latest", latest_page), ("show", show_article)],
)
def test_the_bodies_default_to_what_the_command_line_does(command: str, body) -> None:
    """The shortcut calls the bodies with their own defaults: they must be Typer's."""
    [info] = [c for c in cli.app.registered_commands if c.callback.__name__ == command]
    typer_defaults = {
        name: getattr(p.default, "default", p.default)
        for name, p in inspect.signature(info.callback).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    own = {
        name: p.default
        for name, p in inspect.signature(body).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    assert typer_defaults == own


# Modules a plain search has no use for, each of which costs a command run in its own process
# milliseconds: Typer and Click (the shortcut), what dataclasses and pathlib would import
# (artread.startup), and what Whoosh would import (engine.stand_ins).
UNUSED = (
    *("typer", "click", "inspect", "urllib.parse", "urllib.request", "asyncio", "ssl"),
    *("tempfile", "shutil", "random", "queue", "threading", "calendar", "whoosh.lang.morph_en"),
)


def test_a_plain_search_imports_no_typer(sample_index) -> None:
    """The point of the shortcut: a search in a process of its own loads no Typer or Click,
    nor other modules it does not use."""
    script = (  # the client's run in this process (main() then leaves at once: os._exit)
        "import sys\n"
        "from artread.resident.client import _run_here\n"
        "code = _run_here(['search', '梯度检查点'])\n"
        f"print(code, sorted(m for m in sys.modules if m.startswith({UNUSED!r})))"
    )
    # The first run in this environment may make the word-frequency lexicon from jieba's
    # dictionary (jieba imports inspect); the second is every later command.
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"
    assert "gradient-checkpointing" in done.stdout
