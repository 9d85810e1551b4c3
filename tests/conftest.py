"""Every test runs against a temp index dir and never touches the user's real cache."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from artread.cli import app
from artread.config import bundled_archive
from artread.core.index import ArchiveIndex

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # jieba's dictionary cache takes a second to build: share it across the session.
    return tmp_path_factory.mktemp("artread-cache")


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, shared_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    index_base = tmp_path / "indexes"
    monkeypatch.setenv("ARTREAD_INDEX_DIR", str(index_base))
    monkeypatch.setenv("ARTREAD_CACHE_DIR", str(shared_cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("ARTREAD_ARCHIVE", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("ARTREAD_DEBUG", raising=False)
    # Commands run in their own process; tests/test_server.py starts servers of its own.
    monkeypatch.setenv("ARTREAD_SERVER", "off")
    return index_base


@pytest.fixture
def sample_archive() -> Path:
    return bundled_archive()


@pytest.fixture
def make_archive(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {relative path: text or bytes} into a fresh archive folder."""
    counter = {"n": 0}

    def make(files: dict[str, str | bytes]) -> Path:
        counter["n"] += 1
        root = tmp_path / f"archive{counter['n']}"
        root.mkdir()
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return make


@pytest.fixture
def make_index(make_archive) -> Callable[[dict[str, str | bytes]], ArchiveIndex]:
    """An archive made of {relative path: content}, indexed."""

    def make(files: dict[str, str | bytes]) -> ArchiveIndex:
        index = ArchiveIndex(make_archive(files))
        index.sync()
        return index

    return make


@pytest.fixture
def sample_index(sample_archive: Path) -> ArchiveIndex:
    index = ArchiveIndex(sample_archive)
    index.sync()
    return index


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None):
        result = self.runner.invoke(app, list(args), env=env, catch_exceptions=False)
        return result


@pytest.fixture
def cli() -> Cli:
    return Cli()


def article(title: str, body: str, **meta: str) -> str:
    """A Markdown file with YAML front matter."""
    lines = ["---", f"title: {title}"] + [f"{k}: {v}" for k, v in meta.items()] + ["---", ""]
    return "\n".join(lines) + body + "\n"


@pytest.fixture
def env_without_artread() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ARTREAD_")}
