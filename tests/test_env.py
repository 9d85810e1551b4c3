"""A command runs in the Env it is given: a terminal of any width and colour depth is one
object, no pseudo-terminal needed, and prints what a real terminal of that size receives."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from helpers import run_in_terminal

from artread import cli
from artread.config import bundled_archive
from artread.core.index import ArchiveIndex
from artread.env import Env

GOLDEN = Path(__file__).resolve().parent / "golden"
# The goldens' terminal commands (tests/test_golden.py), recorded on real pseudo-terminals.
ON_A_TERMINAL = [
    ("latest", ["latest", "-n", "4"], (40, 80, 120)),
    ("search", ["search", "显存"], (40, 80, 120)),
    ("tags", ["tags"], (80,)),
    ("show-40", ["show", "hash-table", "--no-pager"], (40,)),
    ("show-80", ["show", "variational-autoencoder", "--no-pager"], (80,)),
    ("show-120", ["show", "ssm-hippo-s4-mamba", "--no-pager"], (120,)),
]
CASES = [
    pytest.param(name, args, columns, id=name if name.startswith("show") else f"{name}-{columns}")
    for name, args, widths in ON_A_TERMINAL
    for columns in widths
]


class Terminal(io.StringIO):
    """What a terminal shows: stdout and stderr, in the order they were written."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("env-indexes")


@pytest.fixture
def environ(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """As tests/test_golden.py runs the commands: one index, no pager, a 256-colour TERM."""
    monkeypatch.setenv("ARTREAD_INDEX_DIR", str(index_dir))
    ArchiveIndex(bundled_archive()).sync()  # built before, as the goldens' was
    names = ("ARTREAD_", "NO_COLOR", "FORCE_", "COLUMNS", "LINES", "LC_ALL")
    kept = {k: v for k, v in os.environ.items() if not k.startswith(names)}
    return {
        **kept,
        "ARTREAD_INDEX_DIR": str(index_dir),
        "ARTREAD_CACHE_DIR": os.environ["ARTREAD_CACHE_DIR"],
        "ARTREAD_PAGER": "",
        "ARTREAD_SEMANTIC": "manual",  # no background process making vectors
        "TERM": "xterm-256color",
        "TZ": "UTC",
        "LANG": "C.UTF-8",
    }


def on_terminal(args: list[str], columns: int, environ: dict[str, str], **env: object) -> str:
    """Run a command in an Env that is a terminal of `columns`: what it shows, as a pty would
    pass it on (\\r\\n), and its exit status."""
    screen = Terminal()
    found = Env(stdout=screen, stderr=screen, columns=columns, lines=200, environ=environ, **env)
    code = cli.run(args, found)
    return f"exit: {code}\n" + screen.getvalue().replace("\n", "\r\n")


def recorded(name: str, columns: int) -> str:
    text = (GOLDEN / f"{name}.txt").read_bytes().decode("utf-8")
    status, shown = text.split(f"\n--- terminal {columns} columns\n", 1)
    return f"{status}\n" + shown.replace("<ARCHIVE>", str(bundled_archive()))


@pytest.mark.parametrize(("name", "args", "columns"), CASES)
def test_an_env_of_a_width_prints_what_a_real_terminal_of_that_width_got(
    name: str, args: list[str], columns: int, environ: dict[str, str]
) -> None:
    golden = name if name.startswith("show") else f"{name}-{columns}"
    assert on_terminal(args, columns, environ) == recorded(golden, columns)


@pytest.mark.slow
@pytest.mark.parametrize("columns", [40, 120])
def test_an_env_without_colour_prints_what_a_terminal_with_no_color_gets(
    columns: int, environ: dict[str, str]
) -> None:
    environ = {**environ, "NO_COLOR": "1", "PYTHONPATH": str(Path(cli.__file__).parents[1])}
    args = ["latest", "-n", "2"]
    real, status = run_in_terminal(args, {**environ, "ARTREAD_SERVER": "off"}, columns, rows=200)
    assert "\x1b[3" not in real  # no colours, only bold and dim
    assert on_terminal(args, columns, environ) == f"exit: {status}\n{real}"


def test_colour_system_and_width_come_from_the_env_not_the_process(
    environ: dict[str, str],
) -> None:
    args = ["search", "显存", "-n", "1"]
    truecolor = on_terminal(args, 50, environ, color_system="truecolor")
    plain = on_terminal(args, 50, environ, color_system=None)
    assert "\x1b[" in truecolor and "\x1b[" not in plain
    assert max(len(line) for line in plain.splitlines()) <= 50


def test_piped_output_has_no_escape_sequences_and_errors_go_to_stderr(
    environ: dict[str, str],
) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(["search", "显存"], Env(stdout=out, stderr=err, environ=environ))
    assert code == 0 and "\x1b" not in out.getvalue()
    assert out.getvalue().splitlines()[0].split("\t")[0]  # an id, tab-separated
    code = cli.run(["show", "no-such-article"], Env(stdout=out, stderr=err, environ=environ))
    assert code == 2 and err.getvalue().startswith("artread: ")


def test_a_usage_error_and_help_are_written_to_the_envs_streams(environ: dict[str, str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["serch", "x"], Env(stdout=out, stderr=err, environ=environ)) == 2
    assert "No such command" in err.getvalue() and out.getvalue() == ""
    assert cli.run(["latest", "--help"], Env(stdout=out, stderr=err, environ=environ)) == 0
    assert "Example" in out.getvalue()


def test_a_relative_archive_is_found_in_the_envs_working_folder(
    environ: dict[str, str], make_archive
) -> None:
    root = make_archive({"a.md": "---\ntitle: 甲\n---\n内容\n"})
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, environ=environ, cwd=str(root.parent))
    assert cli.run(["--archive", root.name, "latest"], env) == 0, err.getvalue()
    assert out.getvalue().startswith("a\t")


def test_index_cache_and_paths_are_the_envs_and_the_process_is_left_alone(
    environ: dict[str, str], make_archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_archive({"a.md": "---\ntitle: 甲\n---\n苹果\n", "x/b.md": "# 乙\n\n梨\n"})
    elsewhere = tmp_path / "the-process-own"
    monkeypatch.setenv("ARTREAD_INDEX_DIR", str(elsewhere / "indexes"))
    monkeypatch.setenv("ARTREAD_CACHE_DIR", str(elsewhere / "cache"))
    monkeypatch.chdir(tmp_path)
    before = (dict(os.environ), os.getcwd())
    home = tmp_path / "home"
    env_of_command = {
        **environ,
        "HOME": str(home),
        "ARTREAD_INDEX_DIR": "~/indexes",  # ~ is the command's HOME
        "ARTREAD_CACHE_DIR": "~/cache",
        "ARTREAD_JOBS": "1",
    }
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, environ=env_of_command, cwd=str(root))
    assert cli.run(["--archive", ".", "search", "梨"], env) == 0, err.getvalue()
    assert out.getvalue().startswith("b\t")
    assert cli.run(["--archive", ".", "show", "x/b.md", "--raw"], env) == 0, err.getvalue()
    assert "梨" in out.getvalue()
    assert len(list((home / "indexes").iterdir())) == 1
    assert (home / "cache" / "glossary").is_dir()
    assert not elsewhere.exists()
    assert (dict(os.environ), os.getcwd()) == before


def test_the_pager_is_the_envs() -> None:
    screen = io.StringIO()
    assert Env(stdout=screen, stderr=screen, environ={}).pager() == "less"
    assert Env(stdout=screen, stderr=screen, environ={"PAGER": "more"}).pager() == "more"
    chosen = {"PAGER": "more", "ARTREAD_PAGER": " "}
    assert Env(stdout=screen, stderr=screen, environ=chosen).pager() is None


def test_the_client_skips_the_values_of_exactly_the_global_options_that_take_one() -> None:
    import typer

    from artread.options import VALUE_OPTIONS
    from artread.resident import client

    group = typer.main.get_command(cli.app)
    taking = {
        name
        for param in group.params
        if param.param_type_name == "option" and not param.is_flag
        for name in param.opts
    }
    assert taking == VALUE_OPTIONS
    assert client._command_name(["-a", "search", "--color", "never", "latest"]) == "latest"
