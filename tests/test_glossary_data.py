"""The shipped glossary's data: every line a group of two or more real forms, each form in one
group only, as artread itself compares and matches forms (glossary.py)."""

from __future__ import annotations

import pytest

from artread.core import analysis, glossary

SEPARATOR = f" {glossary.SEPARATOR} "


@pytest.fixture(scope="module")
def groups() -> list[tuple[str, ...]]:
    return glossary.shipped_groups()


@pytest.fixture(scope="module")
def analyzer() -> analysis.Analyzer:
    return analysis.Analyzer()


def _lines() -> list[tuple[int, str]]:
    """The shipped file's group lines (number, text), comments dropped."""
    text = glossary.SHIPPED.read_text(encoding="utf-8")
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = glossary._COMMENT.split(line, maxsplit=1)[0].strip()
        if line:
            found.append((number, line))
    return found


def matched_as(form: str, analyzer: analysis.Analyzer) -> tuple[str, ...]:
    """What glossary.py matches a form by: a Latin form by its query terms (stemmed, so
    lock and locking are one), any other by its normalised text (b-树 is not b树)."""
    normalized = analysis.normalize(form).strip()
    if analysis.has_cjk(normalized) or not glossary.lossless(normalized):
        return ("text", normalized)
    return ("terms", *analyzer.query_units(normalized))


def test_no_line_is_lost_by_parse(groups):
    assert len(_lines()) == len(groups)  # a group of one form would be dropped


def test_every_line_is_two_or_more_non_empty_forms():
    bad = []
    for number, line in _lines():
        forms = [f.strip() for f in line.split(glossary.SEPARATOR)]
        if len(forms) < 2 or not all(forms) or line.count(SEPARATOR) != len(forms) - 1:
            bad.append((number, line))
        elif len({analysis.normalize(f) for f in forms}) < len(forms):
            bad.append((number, line))  # a form that differs only in case, width or script
    assert bad == []


def test_no_form_is_filler_or_loses_its_meaning(groups, analyzer):
    bad = []
    for group in groups:
        for form in group:
            normalized = analysis.normalize(form)
            terms = analyzer.query_terms(normalized)
            units = analyzer.query_units(normalized)
            latin = not analysis.has_cjk(normalized)
            if not units or all(filler for _term, filler in terms):
                bad.append(form)  # searches nothing, or only question words (how, 如何)
            elif normalized in analysis.QUERY_FILLER:
                bad.append(form)
            elif latin and len(normalized.split()) > 1 and len(units) < 2:
                bad.append(form)  # "log in" would be the word log alone
    assert bad == []


def test_forms_of_a_group_are_distinct_as_artread_matches_them(groups, analyzer):
    repeated = []
    for group in groups:
        keys = [matched_as(f, analyzer) for f in group]
        if len(set(keys)) < len(keys):
            repeated.append(group)
    assert repeated == []


def test_no_form_is_in_two_groups_as_artread_matches_them(groups, analyzer):
    owner: dict[tuple[str, ...], int] = {}
    shared = []
    for number, group in enumerate(groups):
        for form in group:
            key = matched_as(form, analyzer)
            if owner.setdefault(key, number) != number:
                shared.append((form, groups[owner[key]][0], group[0]))
    assert shared == []


def test_every_latin_form_is_reachable_in_the_built_glossary(groups, analyzer):
    built = glossary.Glossary(groups)
    lost = []
    for group in groups:
        for form in group:
            if built.group_of(form) != group:
                lost.append(form)
            key = matched_as(form, analyzer)
            latin_form = built._latin.get(glossary._JOIN.join(key[1:]))
            if key[0] == "terms" and latin_form != analysis.normalize(form):
                lost.append(form)  # another form with the same terms took its place
    assert lost == []
