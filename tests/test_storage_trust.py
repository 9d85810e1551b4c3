"""The index and the cache are the user's alone: made private whatever the umask, and never
read when another user could have written them (a pickle in them would run that user's code)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import article

from artread.core import catalog, signatures
from artread.core.index import WHOOSH_DIR

OTHER_UID = 54321  # a uid no account on the machine has: another user's files
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file away needs root")


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache dir of this test's own (jieba's cache, the lexicon, the glossary)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("ARTREAD_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def _everything_under(*tops: Path) -> list[Path]:
    found = []
    for top in tops:
        found.append(top)
        for folder, dirs, files in os.walk(top):
            found += [Path(folder, name) for name in dirs + files]
    return found


@pytest.mark.parametrize("umask", [0o000, 0o022], indirect=True)
def test_nothing_artread_writes_is_open_to_other_users_whatever_the_umask(
    umask, make_archive, cli, own_cache, isolated_dirs
):
    root = make_archive(
        {"a.md": article("注意力", "注意力机制。"), "sub/b.md": article("乙", "线程池")}
    )
    assert cli("--archive", str(root), "search", "注意力").exit_code == 0
    (root / "sub" / "b.md").write_text(article("乙", "线程池 注意力"), encoding="utf-8")
    (root / "c.md").write_text(article("丙", "注意力"), encoding="utf-8")
    found = cli("--archive", str(root), "search", "注意力", "--json")  # an update, appended
    assert json.loads(found.stdout)["total"] == 3
    written = _everything_under(isolated_dirs, own_cache)
    assert any(p.name == catalog.FILENAME for p in written)
    assert any(p.name.startswith("texts-") for p in written)
    assert any(p.suffix == signatures.SUFFIX for p in written)  # the texts' signatures
    assert any(p.suffix == ".toc" for p in written)  # Whoosh's own files
    # (jieba's cache and the lexicon are written once a process: private when they are)
    assert any(p.parent.name == "glossary" for p in written)
    open_to_others = {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in written}
    assert {p: m for p, m in open_to_others.items() if int(m, 8) & 0o077} == {}


def test_an_index_folder_an_older_artread_left_readable_is_made_private(make_index, cli):
    built = make_index({"a.md": article("甲", "苹果")})
    os.chmod(built.index_dir, 0o755)
    assert cli("--archive", str(built.root), "search", "苹果").exit_code == 0
    assert stat.S_IMODE(built.index_dir.stat().st_mode) == 0o700


def _refused(cli, root: Path, what: Path) -> str:
    result = cli("--archive", str(root), "search", "苹果")
    assert result.exit_code == 2, result.stdout
    assert result.stderr.count("\n") == 1  # one line, no traceback
    assert str(what) in result.stderr and "Remove it" in result.stderr
    return result.stderr


def test_an_index_folder_other_users_can_write_to_is_refused_and_not_read(make_index, cli):
    built = make_index({"a.md": article("甲", "苹果")})
    toc = next((built.index_dir / WHOOSH_DIR).glob("*.toc"))
    planted = toc.read_bytes()
    os.chmod(built.index_dir, 0o777)
    assert "can be changed by other users" in _refused(cli, built.root, built.index_dir)
    assert toc.read_bytes() == planted  # neither read into a search nor rebuilt over


def test_a_catalog_or_whoosh_file_other_users_can_write_is_refused(make_index, cli):
    built = make_index({"a.md": article("甲", "苹果")})
    catalog_file = built.index_dir / catalog.FILENAME
    os.chmod(catalog_file, 0o666)
    _refused(cli, built.root, catalog_file)
    os.chmod(catalog_file, 0o600)
    toc = next((built.index_dir / WHOOSH_DIR).glob("*.toc"))
    os.chmod(toc, 0o622)
    _refused(cli, built.root, toc)
    os.chmod(toc, 0o600)
    assert cli("--archive", str(built.root), "search", "苹果").exit_code == 0


@as_root
def test_an_index_of_another_user_is_refused(make_index, cli):
    built = make_index({"a.md": article("甲", "苹果")})
    toc = next((built.index_dir / WHOOSH_DIR).glob("*.toc"))
    os.chown(toc, OTHER_UID, OTHER_UID)
    assert "belongs to another user" in _refused(cli, built.root, toc)
    os.chown(built.index_dir, OTHER_UID, OTHER_UID)
    _refused(cli, built.root, built.index_dir)


def test_a_link_in_place_of_the_catalog_is_refused(make_index, cli, tmp_path):
    built = make_index({"a.md": article("甲", "苹果")})
    catalog_file = built.index_dir / catalog.FILENAME
    elsewhere = tmp_path / "elsewhere.msgpack"
    catalog_file.rename(elsewhere)
    catalog_file.symlink_to(elsewhere)
    assert catalog.load(built.index_dir) is None  # not followed: the index is rebuilt
    assert cli("--archive", str(built.root), "search", "苹果").exit_code == 0
    assert not catalog_file.is_symlink()


@pytest.mark.slow
def test_a_cache_folder_other_users_can_write_to_is_refused(make_index, own_cache):
    built = make_index({"a.md": article("甲", "苹果")})

    def search() -> subprocess.CompletedProcess:
        # In a process of its own: this one keeps the glossary and jieba in memory.
        command = [sys.executable, "-m", "artread", "--archive", str(built.root), "search", "苹果"]
        return subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())

    assert search().returncode == 0
    for folder, mode in (("glossary", 0o777), ("jieba", 0o757)):
        os.chmod(own_cache / folder, mode)
        refused = search()
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1 and str(own_cache / folder) in refused.stderr
        os.chmod(own_cache / folder, 0o700)
    assert search().returncode == 0


def test_a_shared_sticky_folder_may_hold_the_index_base(make_archive, cli, tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp: others cannot replace what is ours in it
    monkeypatch.setenv("ARTREAD_INDEX_DIR", str(shared))
    root = make_archive({"a.md": article("甲", "苹果")})
    assert cli("--archive", str(root), "search", "苹果").exit_code == 0
    assert cli("--archive", str(root), "search", "苹果").exit_code == 0
