"""English questions over Chinese articles: question words weigh nothing, a dictionary word is
no typo, and did-you-mean leaves question words alone (issue 15)."""

from __future__ import annotations

import json

from helpers import article

from artread.core import english

SAMPLE = ("--archive", "data/articles")  # the bundled sample archive (tests run from the repo)


def search_json(cli, *words: str, archive: tuple[str, ...] = SAMPLE) -> dict:
    result = cli("search", *words, "--json", *archive)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def first_ids(payload: dict, count: int = 1) -> list[str]:
    return [hit["id"] for hit in payload["results"][:count]]


def test_how_does_x_work_finds_the_article_on_x(sample_index, cli):
    for question in ("how does attention work", "what is attention", "why is attention used"):
        payload = search_json(cli, *question.split())
        assert first_ids(payload) == ["attention-mechanism"], question
        assert payload["corrections"] == [], question
    assert first_ids(search_json(cli, "what", "is", "a", "hash", "table")) == ["hash-table"]
    generators = search_json(cli, "how", "do", "generators", "work", "in", "python")
    assert first_ids(generators) == ["python-generators-coroutines"]


def test_an_english_word_is_not_corrected_to_a_word_of_the_archive(sample_index, cli):
    # The archive holds `word` (in code) and not `work`: work is English, not a typo of it.
    result = cli("search", "how", "does", "attention", "work", *SAMPLE)
    assert result.exit_code == 0
    assert "closest word" not in result.stderr
    assert "Did you mean" not in result.stderr
    analysed = cli("analyze", "how does attention work", *SAMPLE).stdout
    assert "typo" not in analysed


def test_contractions_of_question_words_are_neither_searched_nor_corrected(sample_index, cli):
    payload = search_json(cli, "why", "doesn't", "attention", "work")
    assert first_ids(payload) == ["attention-mechanism"]
    assert payload["corrections"] == []


def test_did_you_mean_does_not_rewrite_question_words(sample_index, cli):
    result = cli("search", "how", "does", *SAMPLE)
    assert result.exit_code == 1
    assert "no articles match 'how does'" in result.stderr  # said, not silent
    assert "Did you mean" not in result.stderr  # not `hot dots`
    assert search_json(cli, "how", "does")["did_you_mean"] is None


def test_did_you_mean_corrects_the_typo_and_keeps_the_question_words(sample_index, cli):
    payload = search_json(cli, "how", "does", "attenton", "work")
    assert payload["did_you_mean"] == "how does attention work"


def test_a_real_typo_is_still_corrected(sample_index, cli):
    payload = search_json(cli, "attenton")
    assert payload["corrections"] == [
        {"typed": "attenton", "corrected": "attention", "term": "attent"}
    ]
    assert first_ids(payload) == ["attention-mechanism"]
    result = cli("search", "how", "does", "attenton", "work", *SAMPLE)
    assert "Including results for attention, the archive's closest word to attenton" in (
        result.stderr
    )


def test_question_words_carry_no_weight_even_when_stemmed(make_index, cli):
    # `does` is a question word although its stem `doe` is not one.
    index = make_index(
        {
            "attention.md": article("注意力", "attention 是注意力。"),
            "does.md": article("杂谈", "it does, it does, it does."),
        }
    )
    archive = ("--archive", str(index.root))
    payload = search_json(cli, "what", "does", "attention", "do", archive=archive)
    assert [hit["id"] for hit in payload["results"]] == ["attention"]


def test_a_query_of_question_words_alone_is_searched_as_typed(make_index, cli):
    # As 为什么 alone is: with nothing else to search for, the question words are the query.
    index = make_index(
        {
            "faq.md": article("问答", "So how does it work? It does."),
            "other.md": article("别的", "注意力。"),
        }
    )
    archive = ("--archive", str(index.root))
    assert [hit["id"] for hit in search_json(cli, "how", "does", archive=archive)["results"]] == [
        "faq"
    ]


def test_question_words_inside_a_quoted_phrase_are_matched(make_index, cli):
    index = make_index(
        {
            "faq.md": article("问答", "How does it work? 先看注意力。"),
            "other.md": article("别的", "it works, and does 注意力。"),
        }
    )
    archive = ("--archive", str(index.root))
    payload = search_json(cli, '"how does it work"', archive=archive)
    assert [hit["id"] for hit in payload["results"]] == ["faq"]


def test_the_article_on_the_subject_need_not_hold_the_other_english_words(make_index, cli):
    # Articles in Chinese do not say "work": one that does, by chance, is no better answer.
    index = make_index(
        {
            "dropout.md": article("暂退法（Dropout）", "暂退法（dropout）在训练时随机丢弃神经元。"),
            "notes.md": article("杂记", "This work uses dropout once."),
            "other.md": article("别的", "注意力。"),
        }
    )
    archive = ("--archive", str(index.root))
    payload = search_json(cli, "how", "does", "dropout", "work", archive=archive)
    assert [hit["id"] for hit in payload["results"]] == ["dropout", "notes"]
    analysed = cli("analyze", "how does dropout work", *archive).stdout
    assert "query terms\tdropout\n" in analysed
    assert "not searched\thow · doe · work" in analysed
    # Not a question: both words are the subject, as 注意力 工作 would be.
    loose = search_json(cli, "dropout", "work", archive=archive)
    assert [hit["id"] for hit in loose["results"]] == ["notes"]


def test_only_ordinary_words_beside_a_subject_are_left_out_of_an_english_question():
    def word(text: str, filler: bool = False) -> tuple[str, tuple[str, ...], bool]:
        return text, (text,), filler

    how, dropout, work = word("how", filler=True), word("dropout"), word("work")
    assert english.incidental([how, dropout, work], covered={"dropout"}) == {"work"}
    # Not in the dictionary (hashmap), or Chinese: the subject.
    assert english.incidental([how, word("hashmap"), work], covered=set()) == {"work"}
    assert english.incidental([how, word("注意力"), work], covered=set()) == {"work"}
    assert english.incidental([how, dropout, work], covered=set()) == set()  # nothing else left
    assert english.incidental([dropout, work], covered={"dropout"}) == set()  # no question


def test_ordinary_english_words_are_told_from_typos():
    assert english.ordinary(["work", "Works", "does", "how", "attenton", "pytroch"]) == {
        "work",
        "works",
        "does",
        "how",
    }
    assert english.ordinary([]) == set()
