"""Golden outputs: every command on the bundled sample archive gives the bytes recorded in
tests/golden/, piped and on terminals of 40, 80 and 120 columns.

They pin what a user sees while the code underneath is moved around. After a change that is
meant to alter output, record them again and read the diff:

    ARTREAD_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_in_terminal

from artread.config import bundled_archive

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("ARTREAD_UPDATE_GOLDEN") == "1"

# (name, arguments, terminal columns or None for piped)
CASES: list[tuple[str, list[str], int | None]] = [
    ("latest", ["latest"], None),
    ("latest-json", ["latest", "--json"], None),
    ("latest-page2", ["latest", "-n", "3", "-p", "2"], None),
    ("latest-category", ["latest", "--category", "NLP"], None),
    ("latest-tag-json", ["latest", "--tag", "Transformer", "--json"], None),
    ("latest-page-past-end", ["latest", "-p", "99"], None),
    ("latest-40", ["latest", "-n", "4"], 40),
    ("latest-80", ["latest", "-n", "4"], 80),
    ("latest-120", ["latest", "-n", "4"], 120),
    ("search", ["search", "梯度检查点"], None),
    ("search-json", ["search", "注意力", "--json"], None),
    ("search-english", ["search", "transformer"], None),
    ("search-phrase", ["search", '"层归一化"'], None),
    ("search-exclude", ["search", "注意力", "-rnn"], None),
    ("search-since-sort", ["search", "模型", "--since", "2025-10", "--sort", "date"], None),
    ("search-category", ["search", "哈希", "--category", "数据结构"], None),
    ("search-typo", ["search", "tranformer"], None),
    ("search-none", ["search", "完全不存在的词汇组合"], None),
    ("search-none-json", ["search", "zzzxqv", "--json"], None),
    ("search-40", ["search", "显存"], 40),
    ("search-80", ["search", "显存"], 80),
    ("search-120", ["search", "显存"], 120),
    ("search-page2-json", ["search", "的", "-n", "2", "-p", "2", "--json"], None),
    ("show", ["show", "gradient-checkpointing"], None),
    ("show-json", ["show", "hash-table", "--json"], None),
    ("show-toc", ["show", "bpe-tokenization", "--toc"], None),
    ("show-raw", ["show", "ngram-language-model", "--raw"], None),
    ("show-missing", ["show", "no-such-article"], None),
    ("show-prefix", ["show", "layer"], None),
    ("show-40", ["show", "hash-table", "--no-pager"], 40),
    ("show-80", ["show", "variational-autoencoder", "--no-pager"], 80),
    ("show-120", ["show", "ssm-hippo-s4-mamba", "--no-pager"], 120),
    ("categories", ["categories"], None),
    ("categories-json", ["categories", "--json"], None),
    ("tags", ["tags"], None),
    ("tags-json", ["tags", "--json"], None),
    ("tags-80", ["tags"], 80),
    ("doctor", ["doctor"], None),
    ("doctor-json", ["doctor", "--json"], None),
    ("analyze", ["analyze", "梯度检查点和self-attention"], None),
    ("analyze-json", ["analyze", "注意力机制 -rnn", "--json"], None),
    ("bad-option", ["search", "--page", "0", "x"], None),
    ("unknown-command", ["serch", "x"], None),
    ("missing-archive", ["--archive", "/nonexistent/folder", "latest"], None),
]


@pytest.fixture(scope="module")
def golden_env(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> dict[str, str]:
    base = tmp_path_factory.mktemp("golden")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ARTREAD_", "NO_COLOR", "FORCE_"))
    }
    env.update(
        ARTREAD_SERVER="off",
        ARTREAD_SEMANTIC="manual",  # no vectors made behind the outputs' back
        ARTREAD_INDEX_DIR=str(base / "indexes"),
        ARTREAD_CACHE_DIR=str(shared_cache),
        XDG_CACHE_HOME=str(base / "xdg-cache"),
        XDG_CONFIG_HOME=str(base / "xdg-config"),
        ARTREAD_PAGER="",
        TERM="xterm-256color",
        TZ="UTC",
        LANG="C.UTF-8",
        PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"),
    )
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.pop("LC_ALL", None)
    subprocess.run(
        [sys.executable, "-m", "artread", "index"], env=env, capture_output=True, check=True
    )
    return env


def _normalise(text: str, env: dict[str, str]) -> str:
    """Paths that differ from one machine or run to the next, as placeholders."""
    text = text.replace(env["ARTREAD_INDEX_DIR"], "<INDEX_DIR>")
    text = text.replace(str(bundled_archive()), "<ARCHIVE>")
    text = re.sub(r"articles-[0-9a-f]{12}", "articles-<HASH>", text)
    return re.sub(r"\b\d+(\.\d+)? ?(ms|s)\b", "<TIME>", text)


def _run(args: list[str], columns: int | None, env: dict[str, str]) -> str:
    if columns is None:
        done = subprocess.run(
            [sys.executable, "-m", "artread", *args], env=env, capture_output=True, timeout=120
        )
        out = done.stdout.decode("utf-8", "replace")
        err = done.stderr.decode("utf-8", "replace")
        return f"exit: {done.returncode}\n--- stdout\n{out}--- stderr\n{err}"
    output, status = run_in_terminal(args, env, columns=columns, rows=200)
    return f"exit: {status}\n--- terminal {columns} columns\n{output}"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "args", "columns"), CASES, ids=[c[0] for c in CASES])
def test_command_output_is_unchanged(
    name: str, args: list[str], columns: int | None, golden_env: dict[str, str]
) -> None:
    got = _normalise(_run(args, columns, golden_env), golden_env)
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8", newline="")
    expected = path.read_bytes().decode("utf-8")
    assert got == expected, f"{name}: output changed; compare with {path}"


def test_json_goldens_are_json() -> None:
    """The recorded --json outputs parse, so the goldens hold what a program would read."""
    for name, args, columns in CASES:
        if "--json" in args and columns is None and (GOLDEN / f"{name}.txt").exists():
            text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
            stdout = text.split("--- stdout\n", 1)[1].split("--- stderr\n", 1)[0]
            if stdout.strip():
                json.loads(stdout)
