"""`artread doctor` reports the archive's and the index's health and changes nothing."""

from __future__ import annotations

import json
import re
import shutil

from helpers import article

from artread.core.index import WHOOSH_DIR, ArchiveIndex


def doctor(cli, root, *extra: str):
    return cli("--archive", str(root), "doctor", *extra)


def test_a_healthy_index_is_all_ticks_and_exit_0(cli, make_archive):
    root = make_archive({"a.md": article("甲", "正文"), "b.md": article("乙", "正文")})
    ArchiveIndex(root).sync()
    result = doctor(cli, root)
    assert result.exit_code == 0, result.output
    assert "2 articles indexed, 0 files skipped" in result.stdout
    assert "up to date" in result.stdout and "0 problems" in result.stdout
    assert re.search(r"signatures +none needed", result.stdout)  # two short texts


def test_texts_without_signatures_are_a_warning_that_says_how_to_make_them(cli, make_archive):
    from artread.core import signatures

    long = "正文，" * 300  # longer than a signature: worth one
    root = make_archive({"a.md": article("甲", long), "b.md": article("乙", long)})
    index = ArchiveIndex(root)
    index.sync()
    assert "all 2 texts that need one" in doctor(cli, root).stdout
    signatures.keys_of(index.literal().file).unlink()  # as an earlier version left it
    payload = json.loads(doctor(cli, root, "--json").stdout)
    found = [f for f in payload["findings"] if f["topic"] == "signatures"]
    assert found[0]["level"] == "warning" and "2 of 2 texts have none" in found[0]["text"]
    assert "--rebuild" in found[0]["text"]
    assert cli("--archive", str(root), "search", "正").exit_code == 0  # still found, by a scan


def test_changes_and_skipped_files_are_reported_as_warnings(cli, make_archive):
    root = make_archive({"a.md": article("甲", "正文"), "bin.md": b"\x00\x01"})
    ArchiveIndex(root).sync()
    (root / "new.md").write_text(article("丙", "新"), encoding="utf-8")
    payload = json.loads(doctor(cli, root, "--json").stdout)
    assert payload["problems"] == 0
    texts = [f["text"] for f in payload["findings"] if f["level"] == "warning"]
    assert any(t.startswith("bin.md:") for t in texts)
    assert any("1 added, 0 changed, 0 removed" in t for t in texts)


def test_a_damaged_index_is_a_problem_with_exit_1_and_is_left_as_found(cli, make_archive):
    root = make_archive({"a.md": article("甲", "正文")})
    index = ArchiveIndex(root)
    index.sync()
    shutil.rmtree(index.index_dir / WHOOSH_DIR)
    result = doctor(cli, root)
    assert result.exit_code == 1
    assert "✗ whoosh" in result.stdout and "1 problem" in result.stdout
    assert not (index.index_dir / WHOOSH_DIR).exists()  # the doctor looks, it does not repair
    assert cli("--archive", str(root), "search", "正文").exit_code == 0  # the next command does
    assert doctor(cli, root).exit_code == 0
