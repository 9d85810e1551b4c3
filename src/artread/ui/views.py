"""What the user sees on a terminal: Rich renderables (artread.ui.plain writes for pipes).

Article text is untrusted: it always goes through sanitize.clean() and into rich.text.Text
objects (never parsed as console markup).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console, Group
from rich.padding import Padding
from rich.rule import Rule
from rich.style import Style
from rich.text import Text

from artread.core.wording import counted
from artread.ui import layout, plain
from artread.ui.console import Console as WrappingConsole
from artread.ui.sanitize import clean, clean_line

if TYPE_CHECKING:
    from artread.core.catalog import Entry
    from artread.core.explain import Explanation
    from artread.core.listing import LatestPage
    from artread.core.search import Hit, SearchResults, Snippet

CHARS_PER_MINUTE = 400  # reading speed for Chinese text
INDENT = 2
STYLE_TITLE = "bold"
STYLE_META = "cyan"
STYLE_DIM = "dim"
STYLE_MATCH = "bold yellow"
STYLE_ID = "green"
STYLE_NEW = "bold magenta"


def reading_minutes(chars: int) -> int:
    return max(1, round(chars / CHARS_PER_MINUTE))


def _meta_line(entry: Entry, *, with_id: bool = True, mark: str | None = None) -> Text:
    parts: list[tuple[str, str]] = []
    if mark:  # a word, not a colour alone: it stays with NO_COLOR
        parts.append((mark, STYLE_NEW if mark == "new" else STYLE_DIM))
    if entry.category:
        parts.append((clean_line(entry.category), STYLE_META))
    parts.append((entry.date or "no date", STYLE_DIM))
    if with_id:
        parts.append((entry.id, STYLE_ID))
    parts.append((f"{reading_minutes(entry.chars)} min read", STYLE_DIM))
    text = Text()
    for index, (value, style) in enumerate(parts):
        if index:
            text.append(" · ", STYLE_DIM)
        text.append(value, style)
    return text


def _page_footer(page: int, pages: int, next_command: str | None) -> Text:
    text = Text()
    text.append("‹ ", STYLE_DIM)
    shown = _page_numbers(page, pages)
    for index, number in enumerate(shown):
        if index:
            text.append(" ")
        if number is None:
            text.append("…", STYLE_DIM)
        elif number == page:
            text.append(f"[{number}]", "bold reverse")
        else:
            text.append(str(number))
    text.append(" ›", STYLE_DIM)
    if next_command:
        text.append(f"   next: {next_command}", STYLE_DIM)
    return text


def _page_numbers(page: int, pages: int) -> list[int | None]:
    if pages <= 9:
        return list(range(1, pages + 1))
    wanted = {1, 2, pages - 1, pages, page - 1, page, page + 1}
    out: list[int | None] = []
    for number in range(1, pages + 1):
        if number in wanted:
            out.append(number)
        elif out and out[-1] is not None:
            out.append(None)
    return out


def _wrapped(text: str, columns: int, lines: int, style: str = "") -> Text:
    return Text("\n".join(layout.clip_lines(text, columns, lines)), style=style)


def latest(
    console: Console,
    page: LatestPage,
    *,
    next_command: str | None,
    marks: Mapping[str, str] | None = None,
    new: int = 0,
) -> None:
    """The LATEST UPDATES page: title, meta line and a two-line excerpt per article; marks
    (path: "new" or "read") and the number of new articles, from core.readstate."""
    columns = max(console.width - INDENT, 20)
    if not console.is_terminal:
        plain.latest(console.file, page)
        return
    console.print(latest_header(page.total, new))
    console.print()
    for entry in page.articles:
        for part in latest_entry(entry, columns, (marks or {}).get(entry.path)):
            console.print(part)
        console.print()
    if page.pages > 1:  # one page: nothing to page through
        console.print(_page_footer(page.page, page.pages, next_command))


def latest_header(total: int, new: int = 0, narrowed: str = "") -> Text:
    """LATEST UPDATES, how many articles (narrowed: by what) and how many are new."""
    header = Text("LATEST UPDATES", style="bold")
    header.append(f"   {counted(total, 'article')}", style=STYLE_DIM)
    if narrowed:
        header.append(f" {narrowed}", style=STYLE_DIM)
    if new:
        header.append(" · ", style=STYLE_DIM)
        header.append(f"{new} new", style=STYLE_NEW)
    return header


def latest_entry(entry: Entry, columns: int, mark: str | None = None) -> list[Padding]:
    """One article of LATEST UPDATES: title, meta line, and its excerpt in two lines; a read
    article's title is not bold."""
    title = layout.truncate(clean_line(entry.title), columns)
    title_style = STYLE_DIM if mark == "read" else STYLE_TITLE
    parts = [
        Padding(Text(title, style=title_style), (0, 0, 0, INDENT)),
        Padding(_meta_line(entry, mark=mark), (0, 0, 0, INDENT)),
    ]
    excerpt = clean_line(entry.excerpt)
    if excerpt:
        parts.append(Padding(_wrapped(excerpt + " ...", columns, 2, STYLE_DIM), (0, 0, 0, INDENT)))
    return parts


def results(
    console: Console,
    found: SearchResults,
    *,
    next_command: str | None,
    suggestion: str | None = None,
    err: TextIO | None = None,
) -> None:
    """One page of results; piped, one tab-separated line each (notes go to err, stderr)."""
    columns = max(console.width - INDENT - 2, 20)
    if not console.is_terminal:
        plain.results(console.file, err or sys.stderr, found, suggestion)
        return
    notes = plain.search_notes(found)
    if notes:
        console.print(Text("\n".join(n for n in notes if n), style=STYLE_DIM))
        console.print()
    first = (found.page - 1) * found.per_page
    fused = found.meaning is not None and bool(found.meaning.near)
    for number, hit in enumerate(found.hits, start=first + 1):
        # Fused with meaning, the order is no longer every word first: no such heading.
        if (not fused and not hit.matched_all) and (
            number == first + 1 or found.hits[number - first - 2].matched_all
        ):
            console.print(Text("Articles with some of the words:", style=STYLE_DIM))
            console.print()
        for part in result_entry(number, hit, columns):
            console.print(part)
        console.print()
    summary = Text(counted(found.total, "result"), style="bold")
    summary.append(f" for {clean_line(found.query)}", style=STYLE_DIM)
    if found.complete < found.total:
        summary.append(f" ({found.complete} with every word)", style=STYLE_DIM)
    if found.by_meaning:
        summary.append(f", {found.by_meaning} by meaning alone", style=STYLE_DIM)
    console.print(summary)
    if found.pages > 1:
        console.print(_page_footer(found.page, found.pages, next_command))
    if suggestion:
        line = Text("Did you mean: ", style=STYLE_DIM)
        line.append(suggestion, style="bold")
        console.print(line)


def result_entry(
    number: int, hit: Hit, columns: int, mark: str | None = None
) -> list[Text | Padding]:
    """One search result: its number and title, meta line, and snippet with the matches
    highlighted."""
    line = Text(f"{number:>2} ", style=STYLE_DIM)
    title_style = STYLE_DIM if mark == "read" else STYLE_TITLE
    by_meaning = "words" not in hit.matched
    title = layout.truncate(clean_line(hit.entry.title), columns - 12 * by_meaning)
    line.append(title, style=title_style)
    if by_meaning:
        line.append("  by meaning", style=STYLE_DIM)
    parts: list[Text | Padding] = [line, Padding(_meta_line(hit.entry, mark=mark), (0, 0, 0, 3))]
    if hit.snippet and hit.snippet.text:
        parts.append(Padding(snippet_text(hit.snippet, columns, 2), (0, 0, 0, 3)))
    return parts


def snippet_text(snippet: Snippet, columns: int, max_lines: int) -> Text:
    """The snippet wrapped to `max_lines` lines of `columns` cells, matches highlighted."""
    raw = snippet.text
    marks = [False] * len(raw)
    for start, end in snippet.highlights:
        for i in range(max(start, 0), min(end, len(raw))):
            marks[i] = True
    # Fold white space while keeping the highlight marks aligned with the characters.
    chars: list[tuple[str, bool]] = []
    for char, marked in zip(raw, marks, strict=True):
        cleaned = clean(char)
        if not cleaned:
            continue
        if cleaned.isspace():
            if chars and chars[-1][0] != " ":
                chars.append((" ", False))
            continue
        chars.append((cleaned, marked))
    if snippet.truncated_start:
        chars = [(c, False) for c in "..."] + chars
    if snippet.truncated_end:
        chars += [(c, False) for c in "..."]
    flat = "".join(c for c, _ in chars)
    lines = layout.clip_lines(flat, columns, max_lines)
    text = Text()
    position = 0
    for line_number, line in enumerate(lines):
        if line_number:
            text.append("\n")
        # Lines are the flat text with spaces dropped at breaks; walk both together.
        for char in line:
            while (
                position < len(chars) and chars[position][0] != char and chars[position][0] == " "
            ):
                position += 1
            marked = position < len(chars) and chars[position][0] == char and chars[position][1]
            text.append(char, STYLE_MATCH if marked else "")
            if position < len(chars) and chars[position][0] == char:
                position += 1
    return text


# Box drawing for pipes: plain ASCII in its place.
_ASCII = str.maketrans(
    "─━═│┃║┌┐└┘┏┓┗┛╔╗╚╝├┤┬┴┼┣┫┳┻╋╭╮╰╯╇╈╿┡┩╤╧╪▌", "---|||++++++++++++++++++++++++++++++++++|"
)


# Lines of prose longer than this many cells (44 Chinese characters) are hard to follow from
# one line to the next: a wide terminal gets a readable measure, as glow gives it.
READING_WIDTH = 88


def article(console: Console, entry: Entry, body: str, related: Sequence[Entry] = ()) -> None:
    """The header, then the article rendered from its Markdown, at most READING_WIDTH wide.

    On a terminal with colour and Rich's layout; piped, the same layout as plain text, box
    drawing in ASCII.
    """
    measure = min(console.width, READING_WIDTH)
    if console.is_terminal:
        for part in article_parts(entry, body, related, measure):
            console.print(part, width=measure)
        return
    flat = WrappingConsole(
        width=measure, color_system=None, force_terminal=False, emoji=False, markup=False
    )
    with flat.capture() as captured:
        for part in article_parts(entry, body, related, measure, rule=Rule(characters="-")):
            flat.print(part)
    for line in captured.get().translate(_ASCII).splitlines():
        plain.write(console.file, line.rstrip())


def article_parts(
    entry: Entry,
    body: str,
    related: Sequence[Entry],
    measure: int,
    *,
    rule: Rule | None = None,
    places: bool = False,
    pieces: bool = False,
    mark: str | None = None,
) -> Iterator[Any]:
    """What `show` prints of an article, in order: header, rule, the Markdown rendered, and
    the related articles after a rule.

    places: headings and related articles carry where they are in their style's meta
    (markdown.HEADING, markdown.RELATED), for a reader to find them on the screen. pieces:
    the Markdown in several renderables that render as the whole does (render.sections),
    each parsed when it is reached, so that a long article's beginning can be shown before
    the rest is read.
    """
    from artread.ui import render
    from artread.ui.markdown import ArticleMarkdown  # slow to import: only for an article

    yield Group(
        Text(clean_line(entry.title), style="bold"),
        _meta_line(entry, mark=mark),
        Text(_tags_and_path(entry), style=STYLE_DIM),
    )
    yield rule or Rule(style=STYLE_DIM)
    prepared = render.prepare(clean(body), entry.title)
    for number, piece in enumerate(render.sections(prepared) if pieces else [prepared]):
        if number:
            yield Text()  # the blank line Rich puts between two blocks
        yield ArticleMarkdown(piece, code_theme="monokai", hyperlinks=True, mark_headings=places)
    if related:
        yield from related_parts(related, measure, rule=rule, places=places)


def related_parts(
    related: Sequence[Entry], measure: int, *, rule: Rule | None = None, places: bool = False
) -> list[Any]:
    """The end of an article: a rule, then its related articles."""
    return [rule or Rule(style=STYLE_DIM), _related(related, measure, places=places)]


def _related(entries: Sequence[Entry], width: int, *, places: bool = False) -> Text:
    """Related articles, one a line: the id whole (it is there to be copied), then the title
    cut to the width; the title goes on a line of its own when the id leaves too little room."""
    from artread.ui.markdown import RELATED

    text = Text("Related articles", style=STYLE_TITLE)
    id_width = max(layout.width(e.id) for e in entries)
    apart = width - id_width - 2 < 20
    for entry in entries:
        text.append("\n")
        start = len(text)
        title = clean_line(entry.title)
        if apart:
            text.append(entry.id, style=STYLE_ID)
            text.append("\n    " + layout.truncate(title, max(10, width - 4)))
        else:
            text.append(entry.id + " " * (id_width - layout.width(entry.id)), style=STYLE_ID)
            text.append("  " + layout.truncate(title, width - id_width - 2))
        if places:
            text.stylize(Style(meta={RELATED: entry.id}), start, len(text))
    return text


def table_of_contents(console: Console, entry: Entry, body: str) -> None:
    """The article's headings, indented by level."""
    from artread.core import plaintext

    console.print(Text(clean_line(entry.title), style="bold"))
    for level, heading in plaintext.heading_levels(clean(body)):
        line = Text("  " * (level - 1))
        line.append(clean_line(heading), style=STYLE_TITLE if level == 1 else "")
        if console.is_terminal:
            console.print(line)
        else:
            plain.write(console.file, line.plain)


def _tags_and_path(entry: Entry) -> str:
    tags = ", ".join(clean_line(t) for t in entry.tags)
    return (f"tags: {tags} · " if tags else "") + clean_line(entry.path)


def counts(console: Console, counted: dict[str, int], usage: str) -> None:
    """Names with their article counts, aligned by display width; piped, tab-separated."""
    if not console.is_terminal:
        plain.counts(console.file, counted)
        return
    width = max((layout.width(clean_line(n) or "-") for n in counted), default=0)
    for name, count in counted.items():
        shown = clean_line(name) or "-"
        line = Text(shown + " " * (width - layout.width(shown) + 2))
        line.append(f"{count:>4}", style=STYLE_META)
        console.print(line)
    console.print(Text(f"{len(counted)} in all · {usage}", style=STYLE_DIM))


_MARKS = {"ok": ("✓", "green"), "warning": ("!", "yellow"), "problem": ("✗", "bold red")}


def health(console: Console, report: Any) -> None:
    """`artread doctor`: one line per finding, marked ok, warning or problem."""
    console.print(Text(f"Archive {clean_line(report.archive)}", style=STYLE_TITLE))
    console.print(Text(f"Index   {clean_line(report.index_dir)}", style=STYLE_DIM))
    width = max((len(f.topic) for f in report.findings), default=0)
    for finding in report.findings:
        mark, style = _MARKS[finding.level]
        line = Text(f"{mark} ", style=style)
        line.append(finding.topic.ljust(width + 2), style=STYLE_META)
        line.append(clean_line(finding.text))
        console.print(line, soft_wrap=not console.is_terminal)
    warned = sum(1 for finding in report.findings if finding.level == "warning")
    summary = counted(len(report.problems), "problem")
    console.print(
        Text(summary + (f", {counted(warned, 'warning')}" if warned else ""), style="bold")
    )


def explanation(console: Console, found: Explanation) -> None:
    """`artread analyze`: a label and a value a line; piped, tab-separated."""
    query = found.query
    rows = [
        ("text", found.text),
        ("normalised", found.normalized),
        ("index terms", " · ".join(found.index_terms) or "(none)"),
        ("query terms", " · ".join(found.query_terms) or "(none)"),
    ]
    if found.filler:
        rows.append(("not searched", " · ".join(found.filler) + " (question words, filler)"))
    rows += [("phrase", f'"{p}" (matched as written)') for p in query.phrases]
    rows += [("excluded", w) for w in [*query.excluded_words, *query.excluded_phrases]]
    rows += [("filter", f"{'-' if f.negated else ''}{f.field}:{f.value}") for f in query.filters]
    if query.since or query.until:
        rows.append(("dates", f"{query.since or '…'} to {query.until or '…'}"))
    for expansion in found.expansions:
        forms = ", ".join(a.form for a in expansion.alternatives)
        rows.append((expansion.source, f"{expansion.form} → {forms}"))
    for correction in found.corrections:
        rows.append(("typo", f"{correction.asked} → {correction.word}"))
    if found.meaning is not None:
        rows.append(
            ("meaning", f"weighs {found.meaning.meaning:g} of the words: {found.meaning.reason}")
        )
    if found.user_dictionary:
        rows.append(("dictionary", "the archive's artread.dict is in use"))
    if found.synonyms:
        rows.append(
            (
                "synonyms file",
                f"{counted(found.synonyms, 'group')} from the archive's artread.synonyms",
            )
        )
    if not console.is_terminal:
        for label, value in rows:
            plain.write(console.file, f"{label}\t{clean_line(value)}")
        return
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        line = Text(label.ljust(width + 2), style=STYLE_META)
        line.append(clean_line(value))
        console.print(line)
