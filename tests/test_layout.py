"""Chinese text laid out by display width."""

from __future__ import annotations

from artread.ui.layout import clip_lines, truncate, width, wrap

TEXT = (
    "梯度检查点（Gradient Checkpointing）在两种方式之间取了一个平衡，"
    "选择了计算图上的一部分激活值保存下来，其余部分丢弃。"
)


def test_a_chinese_character_takes_two_columns():
    assert width("中文ab") == 6


def test_wrapped_lines_never_exceed_the_width():
    for columns in (10, 21, 40, 79):
        for line in wrap(TEXT, columns):
            assert width(line) <= columns


def test_no_line_starts_with_closing_punctuation():
    for columns in range(16, 100):  # a line must hold the longest Latin word and a bracket
        for line in wrap(TEXT, columns)[1:]:
            assert line[0] not in "，。）、；：！？", (columns, line)


def test_wrapping_keeps_every_character():
    assert "".join(wrap(TEXT, 17)).replace(" ", "") == TEXT.replace(" ", "")


def test_truncate_never_cuts_a_character_in_half_and_ends_with_ellipsis():
    cut = truncate("一二三四五六", 8)
    assert cut == "一二..."
    assert width(cut) <= 8


def test_clip_lines_keeps_two_lines_and_marks_the_cut():
    lines = clip_lines(TEXT, 20, 2)
    assert len(lines) == 2
    assert lines[-1].endswith("...")
    assert all(width(line) <= 20 for line in lines)


def test_no_line_ends_with_an_opening_bracket():
    text = "模型看到的都不是词，而是切出来的子词（Subword）与更多的内容（例如标点）。" * 3
    for columns in range(16, 100):  # a line must hold the longest Latin word and a bracket
        for line in wrap(text, columns)[:-1]:
            assert line[-1] not in "（《「", (columns, line)


def test_closing_punctuation_after_a_space_stays_on_the_line_before():
    text = "ZooKeeper 由 Yahoo 开发，后来捐赠给了 Apache ，现已成为 Apache 顶级项目。"
    for columns in range(16, 80):
        for line in wrap(text, columns):
            assert not line.lstrip().startswith("，"), (columns, line)
            assert not line.startswith(" ")
