"""What the reader has seen of an archive (core.readstate): new articles since the last
visit, read ones, kept across processes; and the other commands never load the reader."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import article, write_files

from artread.core import readstate
from artread.core.index import ArchiveIndex


def entries(index: ArchiveIndex):
    return index.catalog.articles()


def by_path(index: ArchiveIndex, path: str):
    return index.catalog.article(path)


TWO = {
    "a.md": article("甲", "正文。", date="2025-01-01"),
    "b.md": article("乙", "正文。", date="2025-01-02"),
}


def test_nothing_is_new_before_the_first_visit_nor_right_after_it(make_index):
    index = make_index(TWO)
    state = readstate.load(index.root)
    assert not state.recorded and state.new_entries(entries(index)) == []
    state.visit(entries(index))
    state.save()
    again = readstate.load(index.root)
    assert again.recorded and again.new_entries(entries(index)) == []


def test_a_file_added_or_changed_after_a_visit_is_new_until_it_is_opened(make_index):
    index = make_index(TWO)
    state = readstate.load(index.root)
    state.visit(entries(index))
    state.save()
    write_files(index.root, {"c.md": article("丙", "新的。", date="2024-01-01")})
    write_files(index.root, {"a.md": article("甲", "改过的正文。", date="2025-01-01")})
    index.sync()
    later = readstate.load(index.root)
    assert sorted(e.path for e in later.new_entries(entries(index))) == ["a.md", "c.md"]
    later.mark_read(by_path(index, "c.md"))
    later.save()
    last = readstate.load(index.root)
    assert [e.path for e in last.new_entries(entries(index))] == ["a.md"]
    assert last.mark_of(by_path(index, "c.md")) == readstate.READ
    assert last.mark_of(by_path(index, "b.md")) is None


def test_a_new_article_left_unread_stays_new_until_everything_is_marked_seen(make_index):
    index = make_index(TWO)
    state = readstate.load(index.root)
    state.visit(entries(index))
    state.save()
    write_files(index.root, {"c.md": article("丙", "新的。", date="2024-01-01")})
    index.sync()
    for _visit in range(2):  # a glance at the front page does not lose the mark
        again = readstate.load(index.root)
        again.visit(entries(index))
        again.save()
    assert [e.path for e in again.new_entries(entries(index))] == ["c.md"]
    again.mark_all_seen(entries(index))
    again.save()
    assert readstate.load(index.root).new_entries(entries(index)) == []


def test_two_readers_on_one_archive_keep_each_others_marks(make_index):
    index = make_index(TWO)
    first, second = readstate.load(index.root), readstate.load(index.root)
    first.visit(entries(index))
    second.visit(entries(index))
    first.mark_read(by_path(index, "a.md"))
    second.mark_read(by_path(index, "b.md"))
    first.save()
    second.save()
    merged = readstate.load(index.root)
    assert merged.is_read(by_path(index, "a.md")) and merged.is_read(by_path(index, "b.md"))


def test_the_state_is_a_small_private_json_file_in_the_data_dir(make_index, tmp_path):
    index = make_index(TWO)
    state = readstate.load(index.root)
    state.visit(entries(index))
    state.mark_read(by_path(index, "a.md"))
    state.save(present=["a.md"])  # b.md is gone from the archive: forgotten
    file = readstate.state_file(index.root)
    assert file.is_relative_to(tmp_path / "data")  # ARTREAD_DATA_DIR (conftest)
    assert file.parent.stat().st_mode & 0o077 == 0
    saved = json.loads(file.read_text(encoding="utf-8"))
    assert saved["archive"] == str(index.root) and set(saved["seen"]) == {"a.md"}
    assert [p.name for p in file.parent.iterdir()] == [file.name]  # no temporary file left


def test_a_damaged_state_file_is_started_afresh_and_says_why(make_index):
    index = make_index(TWO)
    file = readstate.state_file(index.root)
    file.parent.mkdir(parents=True)
    file.write_text("{not json", encoding="utf-8")
    state = readstate.load(index.root)
    assert not state.recorded and "cannot read" in (state.problem or "")
    state.visit(entries(index))
    state.save()
    assert readstate.load(index.root).recorded


def test_latest_search_and_show_do_not_load_the_reader(sample_index):
    """Textual takes a tenth of a second to import: only `artread browse` may pay it."""
    probe = (
        "import io, sys\n"
        "from artread.cli import run\n"
        "from artread.env import Env\n"
        "for args in (['latest'], ['search', '注意力'], ['show', 'hash-table', '--no-pager']):\n"
        "    env = Env(stdout=io.StringIO(), stderr=io.StringIO(), stdout_isatty=True)\n"
        "    assert run(args, env) == 0, args\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual'"
        " or m.startswith('artread.ui.browse'))\n"
        "print(loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert done.stdout.strip() == "[]"


def test_show_marks_an_article_read_once_marks_are_kept(cli, make_index):
    index = make_index(TWO)
    root = str(index.root)
    assert cli("show", "a", "--no-pager", "--archive", root).exit_code == 0
    assert not readstate.load(index.root).recorded  # a plain show before any visit: no file
    state = readstate.load(index.root)
    state.visit(entries(index))
    state.save()
    write_files(index.root, {"a.md": article("甲", "改过的正文。", date="2025-01-01")})
    index.sync()
    assert readstate.load(index.root).mark_of(by_path(index, "a.md")) == readstate.NEW
    assert cli("show", "a", "--no-pager", "--archive", root).exit_code == 0
    assert readstate.load(index.root).mark_of(by_path(index, "a.md")) == readstate.READ
