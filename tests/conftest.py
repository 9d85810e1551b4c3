"""Every test runs against a temp index dir and never touches the user's real cache."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import start_server, write_files
from typer.testing import CliRunner

from artread.cli import app
from artread.config import bundled_archive
from artread.core.index import ArchiveIndex
from artread.resident import client, protocol

# A test that starts a resident server or runs artread on a pseudo-terminal takes seconds.
SLOW_FIXTURES = {"runtime", "server", "start_server", "folders", "terminal_env"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


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
    # What the reader has read (core.readstate): never the user's own.
    monkeypatch.setenv("ARTREAD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ARTREAD_ARCHIVE", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("ARTREAD_DEBUG", raising=False)
    # Commands run in their own process; the server tests start servers of their own.
    monkeypatch.setenv("ARTREAD_SERVER", "off")
    # `artread index` starts no background process making vectors: the tests that want one
    # start it themselves.
    monkeypatch.setenv("ARTREAD_SEMANTIC", "manual")
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
        return write_files(root, files)

    return make


@pytest.fixture
def make_index(make_archive) -> Callable[[dict[str, str | bytes]], ArchiveIndex]:
    """An archive made of {relative path: content}, indexed."""

    def make(files: dict[str, str | bytes]) -> ArchiveIndex:
        index = ArchiveIndex(make_archive(files))
        index.sync()
        return index

    return make


def _files_under(top: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(top.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="session")
def sample_index_base(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Iterator:
    """The sample archive's index, built once for the session; at the end, it must be as built."""
    base = tmp_path_factory.mktemp("sample-indexes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARTREAD_INDEX_DIR", str(base))
        patch.setenv("ARTREAD_CACHE_DIR", str(shared_cache))
        patch.setenv("ARTREAD_SERVER", "off")
        ArchiveIndex(bundled_archive()).sync()
    built = _files_under(base)
    yield base
    assert _files_under(base) == built, "a test wrote to the shared sample index: use make_index"


@pytest.fixture
def sample_index(sample_index_base: Path, monkeypatch: pytest.MonkeyPatch) -> ArchiveIndex:
    """The bundled sample archive, indexed once for the session, for tests that only read;
    commands the test runs (in this process or another) read the same index."""
    monkeypatch.setenv("ARTREAD_INDEX_DIR", str(sample_index_base))
    return ArchiveIndex(bundled_archive())


class Cli:
    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None):
        result = self.runner.invoke(app, list(args), env=env, catch_exceptions=False)
        return result


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def env_without_artread() -> dict[str, str]:
    found = {k: v for k, v in os.environ.items() if not k.startswith("ARTREAD_")}
    # ...but no background process making vectors, which would outlive the test.
    return {**found, "ARTREAD_SEMANTIC": "manual"}


# The resident server


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private runtime folder (short: a socket's path is at most 107 bytes), the server on."""
    folder = Path(tempfile.mkdtemp(prefix="ar-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv("ARTREAD_SERVER", "on")
    yield folder
    client.control(client.socket_path(), protocol.STOP)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def server(runtime: Path) -> Iterator[str]:
    """A resident server, started as a command would start it: its socket path."""
    path = client.socket_path()
    process = start_server(path)
    yield path
    client.control(path, protocol.STOP)
    process.wait(timeout=60)
