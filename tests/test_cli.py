"""The command line as a user meets it: output, JSON shapes, exit codes, errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SCRIPT, article

ESC = "\x1b"


def test_latest_lists_newest_first_with_excerpts(cli, sample_index):
    result = cli("latest")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    dates = [line.split("\t")[1] for line in lines]
    assert dates == sorted(dates, reverse=True)
    assert all(len(line.split("\t")[4]) > 20 for line in lines)


def test_latest_page_two_shows_the_rest(cli, sample_index):
    first = cli("latest", "--json").stdout
    second = cli("latest", "--page", "2", "--json").stdout
    page1, page2 = json.loads(first), json.loads(second)
    assert page2["page"] == 2 and page1["pages"] == page2["pages"] == 2
    assert len(page1["articles"]) + len(page2["articles"]) == page1["total"] >= 16
    assert not {a["id"] for a in page1["articles"]} & {a["id"] for a in page2["articles"]}


def test_piped_output_of_one_page_of_several_says_on_stderr_what_is_left(sample_index):
    from helpers import artread

    first = artread("latest", server=False)
    lines = first.stdout.decode().splitlines()
    said = first.stderr.decode()
    total = len(sample_index.catalog.articles())
    assert len(lines) == 10 < total
    assert f"showing 1-10 of {total} articles" in said
    assert "artread latest --page 2" in said and f"--per-page {total}" in said
    everything = artread("latest", "--per-page", str(total), server=False)
    assert len(everything.stdout.decode().splitlines()) == total
    assert everything.stderr == b""
    last = artread("latest", "--page", "2", server=False)
    assert last.returncode == 0 and last.stderr == b""
    found = artread("search", "模型", "-n", "3", server=False)
    assert len(found.stdout.decode().splitlines()) == 3
    assert "showing 1-3 of" in found.stderr.decode() and "--page 2" in found.stderr.decode()


def test_a_command_in_its_own_process_writes_all_it_says_before_it_ends(cli, sample_index):
    from helpers import artread

    longest = max(sample_index.catalog.articles(), key=lambda e: e.chars)
    shown = artread("show", longest.id, server=False)
    assert shown.returncode == 0 and shown.stderr == b""
    assert len(shown.stdout) > 8192  # more than the output buffer holds at once
    assert shown.stdout.decode() == cli("show", longest.id).stdout
    missing = artread("search", "zzqqxxnothing", server=False)
    assert missing.returncode == 1 and missing.stdout == b""
    assert missing.stderr.decode() == cli("search", "zzqqxxnothing").stderr


def test_latest_json_has_the_documented_shape(cli, sample_index):
    payload = json.loads(cli("latest", "--json").stdout)
    assert set(payload) == {"page", "pages", "total", "per_page", "articles"}
    entry = payload["articles"][0]
    shape = {"id", "title", "date", "category", "tags", "excerpt", "path", "new", "read"}
    assert set(entry) == shape
    assert len(entry["date"]) == 10 and entry["date"][4] == "-"
    assert not entry["path"].startswith("/") and entry["path"].endswith(".md")


def test_excerpts_show_a_code_placeholder_and_read_math(cli, sample_index):
    payload = json.loads(cli("latest", "--per-page", "50", "--json").stdout)
    excerpts = " ".join(a["excerpt"] for a in payload["articles"])
    assert "p_θ(𝐱)" in excerpts  # $p_\theta(\mathbf{x})$, read as `show` reads it
    assert "[Math]" not in excerpts and "$" not in excerpts
    assert "```" not in excerpts


def test_latest_filters_by_category(cli, sample_index):
    payload = json.loads(cli("latest", "--category", "nlp", "--json").stdout)
    assert payload["total"] >= 4
    assert {a["category"] for a in payload["articles"]} == {"NLP"}


def test_search_json_has_the_documented_shape_and_the_best_article_first(cli, sample_index):
    result = cli("search", "梯度检查点", "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert set(payload) == {
        "query",
        "total",
        "page",
        "per_page",
        "results",
        "also_searched",
        "corrections",
        "did_you_mean",
        "semantic",
    }
    assert payload["semantic"] is None  # no vectors: words alone
    first = payload["results"][0]
    assert set(first) == {
        *("id", "title", "date", "category", "tags", "score", "matched_all", "matched"),
        *("snippet", "path"),
    }
    assert first["matched"] == ["words"]
    assert first["id"] == "gradient-checkpointing"
    assert "检查点" in first["snippet"]


def test_minus_word_works_on_the_command_line_as_written(cli, sample_index):
    with_all = json.loads(cli("search", "显存", "--json").stdout)
    without = json.loads(cli("search", "显存", "-混合精度", "--json").stdout)
    assert "mixed-precision-training" in [r["id"] for r in with_all["results"]]
    assert "mixed-precision-training" not in [r["id"] for r in without["results"]]
    assert 0 < without["total"] < with_all["total"]


def test_search_with_no_match_exits_1(cli, sample_index):
    result = cli("search", "qzxvwq")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_piped_search_prints_one_plain_line_per_hit(cli, sample_index):
    result = cli("search", "注意力")
    assert result.exit_code == 0
    assert ESC not in result.stdout
    for line in result.stdout.splitlines():
        assert len(line.split("\t")) == 5


def test_the_next_page_command_keeps_the_options_and_the_archive(cli, make_archive):
    root = make_archive({f"{n}.md": article(f"第{n}篇", "线程池与线程。") for n in range(11)})
    args = ["search", "线程", "--per-page", "5", "--archive", str(root)]
    shown = cli("--color", "always", *args, env={"COLUMNS": "300"}).stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert f"next: artread search 线程 --per-page 5 --archive {root} --page 2" in plain


def test_show_renders_by_id_prefix_and_path(cli, sample_index):
    by_id = cli("show", "gradient-checkpointing")
    by_prefix = cli("show", "gradient-ch")
    by_path = cli("show", str(sample_index.root / "deep-learning" / "gradient-checkpointing.md"))
    assert by_id.exit_code == by_prefix.exit_code == by_path.exit_code == 0
    assert by_id.stdout == by_prefix.stdout == by_path.stdout
    assert by_id.stdout.startswith("梯度检查点")


def test_show_json_has_the_documented_shape(cli, sample_index):
    payload = json.loads(cli("show", "ngram-language-model", "--json").stdout)
    assert set(payload) == {"id", "title", "date", "category", "tags", "path", "body", "related"}
    assert payload["related"] and set(payload["related"][0]) == {"id", "title"}
    assert payload["date"] == "2026-01-11" and payload["category"] == "NLP"
    assert "---" not in payload["body"][:10]


def test_unknown_id_exits_2_and_lists_close_candidates(cli, sample_index):
    result = cli("show", "gradient-checkpoint1ng")
    assert result.exit_code == 2
    assert "gradient-checkpointing" in result.stderr
    assert "Traceback" not in result.stderr


def test_ambiguous_prefix_exits_2_and_lists_the_matches(cli, sample_index):
    result = cli("show", "python-")
    assert result.exit_code == 2
    assert "python-decorators" in result.stderr and "python-inheritance-mro" in result.stderr


def test_missing_archive_is_one_line_on_stderr_and_exit_2(cli, tmp_path):
    result = cli("--archive", str(tmp_path / "nope"), "latest")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "archive folder not found" in result.stderr


def test_archive_option_and_environment_variable_choose_the_archive(cli, make_archive):
    root = make_archive({"one.md": article("唯一的文章", "内容是关于协程的。", date="2025-02-03")})
    by_option = json.loads(cli("latest", "--archive", str(root), "--json").stdout)
    by_env = json.loads(cli("latest", "--json", env={"ARTREAD_ARCHIVE": str(root)}).stdout)
    assert by_option["total"] == by_env["total"] == 1
    assert by_option["articles"][0]["title"] == "唯一的文章"


def test_index_command_prints_a_summary_that_counts_every_skipped_file(cli, make_archive):
    root = make_archive({"a.md": article("甲", "内容"), "b.md": b"\x00\x00"})
    os.symlink("missing.md", root / "dangling.md")
    result = cli("--archive", str(root), "index")
    assert result.exit_code == 0
    assert "1 article indexed" in result.stdout and "2 skipped" in result.stdout
    assert "skipped b.md" in result.stderr


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout.startswith("artread ")


@pytest.mark.slow
def test_console_script_and_python_m_work_in_a_fresh_process(sample_index):
    env = os.environ.copy()
    for command in (
        [SCRIPT, "search", "检查", "--json"],
        [sys.executable, "-m", "artread", "search", "检查", "--json"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["results"][0]["id"] == "gradient-checkpointing"
        assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_arguments_that_are_not_utf8_are_read_not_a_crash(sample_index):
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    for args in ([b"search", b"\xe6\xa3\x80\xff"], [b"show", b"\xff"], [b"analyze", b"a\xffb"]):
        command = [sys.executable.encode(), b"-m", b"artread", *args]
        done = subprocess.run(command, capture_output=True, env=env, timeout=120)
        assert done.returncode in (0, 1, 2)
        assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr


@pytest.mark.slow
def test_usage_errors_are_one_line_on_stderr_with_exit_2(tmp_path):
    env = {**os.environ, "ARTREAD_INDEX_DIR": str(tmp_path)}
    for args in (["latest", "--page", "0"], ["search"], ["bogus"]):
        done = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("artread: "), done.stderr


def test_shell_completion_completes_article_ids(sample_index, env_without_artread):
    env = {
        **env_without_artread,
        "ARTREAD_INDEX_DIR": os.environ["ARTREAD_INDEX_DIR"],
        "ARTREAD_CACHE_DIR": os.environ["ARTREAD_CACHE_DIR"],
        "_ARTREAD_COMPLETE": "complete_bash",
        "COMP_WORDS": "artread show gra",
        "COMP_CWORD": "2",
    }
    done = subprocess.run([SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["gradient-checkpointing"]


def test_shell_completion_reads_the_archive_given_and_completes_categories_and_tags(
    cli, make_archive, env_without_artread
):
    root = make_archive(
        {"kafka.md": article("Kafka", "正文", category="消息队列", tags="[kafka, 分布式]")}
    )
    assert cli("index", "--archive", str(root)).exit_code == 0
    env = {
        **env_without_artread,
        "ARTREAD_INDEX_DIR": os.environ["ARTREAD_INDEX_DIR"],
        "ARTREAD_CACHE_DIR": os.environ["ARTREAD_CACHE_DIR"],
        "_ARTREAD_COMPLETE": "complete_bash",
    }

    def complete(line: str) -> list[str]:
        words = {"COMP_WORDS": line, "COMP_CWORD": str(len(line.split()) - 1)}
        run = subprocess.run([SCRIPT], env={**env, **words}, capture_output=True, text=True)
        return run.stdout.split()

    assert complete(f"artread -a {root} show k") == ["kafka"]
    assert complete(f"artread latest -a {root} -c 消息") == ["消息队列"]
    assert complete(f"artread search x -a {root} --tag 分") == ["分布式"]


def test_every_command_has_help_with_an_example(cli):
    from artread.cli import app

    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert {"latest", "search", "show", "index", "doctor", "categories", "tags"} <= set(names)
    for name in names:
        result = cli(name, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout, name


def test_output_to_a_reader_that_went_away_ends_quietly(sample_index, env_without_artread):
    env = {
        **env_without_artread,
        "ARTREAD_INDEX_DIR": os.environ["ARTREAD_INDEX_DIR"],
        "ARTREAD_CACHE_DIR": os.environ["ARTREAD_CACHE_DIR"],
        "ARTREAD_SERVER": "off",
    }
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `artread latest | head` once head has exited: every write fails
    script = str(Path(sys.executable).with_name("artread"))
    try:
        done = subprocess.run(
            [script, "latest"], stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=60
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert done.stderr == b""


def test_global_options_work_after_the_command_too(cli, sample_index):
    before = cli("--color", "never", "show", "gradient-checkpointing", "--no-pager")
    after = cli("show", "gradient-checkpointing", "--no-pager", "--color", "never")
    assert after.exit_code == 0 and after.stdout == before.stdout
    coloured = cli("show", "gradient-checkpointing", "--no-pager", "--color=always")
    assert coloured.exit_code == 0 and ESC in coloured.stdout
    # After `--` it is a query's word, not an option.
    words = cli("search", "--json", "--", "--color")
    assert json.loads(words.stdout or "{}").get("query", "--color") == "--color"


def test_search_takes_the_short_filters_latest_takes(cli, sample_index):
    short = cli("search", "注意力", "-c", "NLP", "--json")
    long = cli("search", "注意力", "--category", "NLP", "--json")
    assert short.exit_code == 0 and json.loads(short.stdout) == json.loads(long.stdout)
    assert {r["category"] for r in json.loads(short.stdout)["results"]} == {"NLP"}
    tagged = cli("search", "注意力", "-t", "Transformer", "--json")
    assert tagged.exit_code == 0
    assert all("Transformer" in r["tags"] for r in json.loads(tagged.stdout)["results"])


def test_an_unknown_option_suggests_only_a_close_one(sample_index):
    import io

    from artread import cli
    from artread.env import Env

    def run(*args: str) -> tuple[int, str]:
        err = io.StringIO()
        return cli.run(
            list(args), Env(stdout=io.StringIO(), stderr=err, environ={"ARTREAD_SEMANTIC": "off"})
        ), err.getvalue()

    code, said = run("latest", "--all")
    assert code == 2 and "no such option: --all" in said and "did you mean" not in said
    code, said = run("search", "注意力", "--catgory", "NLP")
    assert code == 2 and "did you mean --category?" in said


def test_counts_are_said_in_the_singular_for_one(cli, make_archive):
    root = make_archive({"only.md": article("唯一的文章", "正文。")})
    summary = cli("index", "--archive", str(root))
    assert "1 article indexed" in summary.stdout + summary.stderr
    doctor = cli("doctor", "--archive", str(root))
    assert "1 Markdown file" in doctor.stdout and "1 Markdown files" not in doctor.stdout


def test_punctuation_alone_is_searched_for_literally(cli, make_archive):
    root = make_archive(
        {"a.md": article("惊叹", "真的吗!!! 是的。"), "b.md": article("平静", "好。")}
    )
    for query, code in (("!!!", 0), ("。", 0), ("???", 1), ("~~~", 1)):
        result = cli("search", "--archive", str(root), "--", query)
        assert result.exit_code == code, (query, result.stderr)
    assert cli("search", "--archive", str(root), '""').exit_code == 2  # nothing at all


def test_a_file_or_a_blocked_index_folder_is_named_with_what_to_do(cli, make_archive, tmp_path):
    root = make_archive({"a.md": article("甲", "正文。")})
    given_file = cli("latest", "--archive", str(root / "a.md"))
    assert given_file.exit_code == 2 and "is a file" in given_file.stderr
    assert f"--archive {root}" in given_file.stderr
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    blocked = cli("latest", "--archive", str(root), env={"ARTREAD_INDEX_DIR": str(blocker)})
    assert blocked.exit_code == 2 and "Errno" not in blocked.stderr
    assert "is not a folder (check ARTREAD_INDEX_DIR)" in blocked.stderr


def test_doctor_calls_an_archive_without_articles_a_problem(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("doctor", "--archive", str(empty))
    assert result.exit_code == 1 and "no Markdown files" in result.stdout
