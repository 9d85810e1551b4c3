"""The artread command line: parse options, call the core, hand the result to a view."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand

from artread import __version__
from artread.env import Env
from artread.options import ARCHIVE, COLOR

if TYPE_CHECKING:
    from rich.console import Console

    from artread.core.index import ArchiveIndex, SyncReport

app = typer.Typer(
    name="artread",
    help="Read and search an archive of Chinese Markdown articles from the terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


@dataclass
class Command:
    """One command line's context: where it runs (env), its global options, and how it opens
    an archive's index (a resident server keeps them open). Handed to click as its ctx.obj."""

    env: Env
    open_index: Callable[[Path], ArchiveIndex] | None = None
    archive: str | None = None
    color: Color = Color.auto

    def archive_or(self, option: str | None) -> str | None:
        """The command's --archive, else the global one, else $ARTREAD_ARCHIVE."""
        from artread.config import ARCHIVE_ENV

        return option or self.archive or self.env.environ.get(ARCHIVE_ENV) or None

    def out(self, line: str) -> None:
        self.env.stdout.write(line + "\n")

    def err(self, line: str) -> None:
        self.env.stderr.write(line + "\n")


def _command_of(ctx: typer.Context) -> Command:
    found = ctx.find_object(Command)
    return found if found is not None else Command(Env.from_process())


class ServerAction(StrEnum):
    status = "status"
    stop = "stop"


class SortOrder(StrEnum):
    score = "score"
    date = "date"


ArchiveOption = Annotated[
    str | None,
    typer.Option(
        *ARCHIVE,
        help="Archive folder (env ARTREAD_ARCHIVE; default: the bundled sample archive).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object for programs.")]
PageOption = Annotated[int, typer.Option("--page", "-p", min=1, help="Page number.")]
PerPageOption = Annotated[
    int, typer.Option("--per-page", "-n", min=1, max=500, help="Items per page.")
]


DEFAULT_PER_PAGE = 10


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        _command_of(ctx).out(f"artread {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    archive: ArchiveOption = None,
    color: Annotated[
        Color, typer.Option(*COLOR, help="Colour: auto (only on a terminal), always, never.")
    ] = Color.auto,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Read and search an archive of Chinese Markdown articles from the terminal.

    Example: artread search 梯度检查点
    """
    command = _command_of(ctx)
    command.archive, command.color = archive, color
    ctx.obj = command


def _fail(command: Command, message: str, code: int = 2) -> NoReturn:
    from artread.ui.sanitize import clean_line

    command.err(f"artread: {clean_line(message)}")
    raise typer.Exit(code)


@contextmanager
def _errors(command: Command) -> Iterator[None]:
    """Known failures become one line on stderr and exit 2; never a traceback."""
    from artread.config import UnsafeStorage
    from artread.core.query import QueryError

    try:
        yield
    except typer.Exit:
        raise
    except BrokenPipeError:
        from artread.ui.pipes import discard_stdout

        discard_stdout(command.env.stdout)
        raise typer.Exit(0) from None
    except KeyboardInterrupt:
        command.err("artread: interrupted")
        raise typer.Exit(130) from None
    except (FileNotFoundError, NotADirectoryError, QueryError, UnsafeStorage) as exc:
        _fail(command, str(exc))
    except Exception as exc:
        if command.env.environ.get("ARTREAD_DEBUG"):
            raise
        message = f"internal error: {type(exc).__name__}: {exc}"
        _fail(command, message + " (set ARTREAD_DEBUG=1 for details)")


def _console(command: Command, stderr: bool = False) -> Console:
    force = {Color.always: True, Color.never: False}.get(command.color)
    return command.env.console(stderr=stderr, force=force)


def _open(command: Command, archive: str | None) -> ArchiveIndex:
    """The archive's index, brought up to date (built the first time) with progress on stderr."""
    from artread.core.index import ArchiveIndex

    root = _root(command, archive)
    if not root.is_dir():
        _fail(command, f"archive folder not found: {root} (set --archive or ARTREAD_ARCHIVE)")
    index = (command.open_index or ArchiveIndex)(root)
    report = _sync(command, index, rebuild=False, wait=False)
    if report.busy:
        command.err(
            "artread: another artread process is updating the index; "
            "showing the last complete index"
        )
    return index


def _root(command: Command, archive: str | None) -> Path:
    """The archive folder; a relative one is in the command's working folder."""
    from artread.config import resolve_archive

    raw = command.archive_or(archive)
    if raw and command.env.cwd and not os.path.isabs(os.path.expanduser(raw)):
        raw = os.path.join(command.env.cwd, raw)
    return resolve_archive(raw)


def _sync(
    command: Command,
    index: ArchiveIndex,
    *,
    rebuild: bool,
    wait: bool = True,
    jobs: int | None = None,
) -> SyncReport:
    err = _console(command, stderr=True)
    bar = None

    def progress(done: int, total: int, path: str) -> None:
        nonlocal bar
        if not err.is_terminal:
            if done == 1 and total >= 100:  # say why this command is slow, once
                command.err(f"artread: indexing {total} articles...")
            return
        if bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            bar = Progress(
                TextColumn("Indexing"),
                BarColumn(),
                MofNCompleteColumn(),
                console=err,
                transient=True,
            )
            bar.start()
            bar.add_task("index", total=total)
        bar.update(bar.task_ids[0], completed=done)

    def waiting() -> None:
        err.print("Waiting for another artread process to finish indexing...")

    try:
        report = index.sync(
            rebuild=rebuild,
            progress=progress,
            waiting=waiting,
            wait=wait,
            jobs=jobs,
            updating=_collecting_garbage,
        )
    finally:
        if bar is not None:
            bar.stop()
    from artread.ui.sanitize import clean_line

    for path, reason in report.skipped:
        command.err(f"artread: skipped {clean_line(path)}: {clean_line(reason)}")
    for warning in report.warnings:
        command.err(f"artread: warning: {clean_line(warning)}")
    return report


@contextmanager
def _collecting_garbage() -> Iterator[None]:
    """Cyclic garbage collection on while the index is updated: main() turns it off for a
    command's short read-only work, and an update of a large archive allocates far more."""
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()


def _next_command(
    command: Command, args: list[str], page: int, pages: int, per_page: int, archive: str | None
) -> str | None:
    """The command that shows the next page, with every option that shaped this one."""
    if page >= pages:
        return None
    extra = ["--per-page", str(per_page)] if per_page != DEFAULT_PER_PAGE else []
    return _command_line(command, [*args, *extra], archive, ["--page", str(page + 1)])


def _command_line(
    command: Command, args: list[str], archive: str | None, last: Sequence[str] = ()
) -> str:
    """An artread command line to copy, with --archive when one was given, then `last`."""
    import re
    import shlex

    where = archive or command.archive
    words = ["artread", *args, *(["--archive", where] if where else []), *last]
    # Quote only what the shell would split or expand; Chinese words need no quotes.
    return " ".join(w if re.fullmatch(r"[\w./:@%+=,-]+", w) else shlex.quote(w) for w in words)


@app.command()
def latest(
    ctx: typer.Context,
    page: PageOption = 1,
    per_page: PerPageOption = DEFAULT_PER_PAGE,
    category: Annotated[
        str | None, typer.Option("--category", "-c", help="Only articles in this category.")
    ] = None,
    tag: Annotated[
        str | None, typer.Option("--tag", "-t", help="Only articles with this tag.")
    ] = None,
    json_output: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """The newest articles first, with the opening of each.

    Examples:

      artread latest

      artread latest --page 2 --category NLP
    """
    command = _command_of(ctx)
    with _errors(command):
        from artread.core import listing
        from artread.ui import views

        index = _open(command, archive)
        result = listing.latest_page(
            index.catalog, page=page, per_page=per_page, category=category, tag=tag
        )
        console = _console(command)
        if json_output:
            views.print_json(console, views.latest_json(result))
        elif result["articles"]:
            args = ["latest"] + (["--category", category] if category else [])
            args += ["--tag", tag] if tag else []
            views.latest(
                console,
                result,
                next_command=_next_command(command, args, page, result["pages"], per_page, archive),
            )
        if not result["articles"]:
            if result["total"] and not json_output:
                _fail(command, f"page {page} is past the last page ({result['pages']})", 1)
            if not json_output:
                narrowed = [f"in category {category!r}"] * bool(category)
                narrowed += [f"tagged {tag!r}"] * bool(tag)
                message = " ".join(["no articles", *narrowed]) + _names_hint(category, tag)
                _fail(command, message, 1)
            raise typer.Exit(1)


def _names_hint(category: str | None, tag: str | None) -> str:
    if category:
        return " (artread categories lists them)"
    return " (artread tags lists them)" if tag else ""


@app.command()
def categories(
    ctx: typer.Context, json_output: JsonOption = False, archive: ArchiveOption = None
) -> None:
    """Every category with its number of articles.

    Example: artread categories
    """
    _names(_command_of(ctx), "category", json_output, archive)


@app.command()
def tags(
    ctx: typer.Context, json_output: JsonOption = False, archive: ArchiveOption = None
) -> None:
    """Every tag with its number of articles.

    Example: artread tags
    """
    _names(_command_of(ctx), "tag", json_output, archive)


def _names(command: Command, kind: str, json_output: bool, archive: str | None) -> None:
    with _errors(command):
        from artread.core import listing
        from artread.ui import views

        catalog = _open(command, archive).catalog
        counts = listing.categories(catalog) if kind == "category" else listing.tags(catalog)
        console = _console(command)
        if json_output:
            views.print_json(
                console, {kind: [{"name": n, "articles": c} for n, c in counts.items()]}
            )
        else:
            views.counts(console, counts, f"artread latest --{kind} NAME")
        if not counts:
            raise typer.Exit(1)


class _QueryCommand(TyperCommand):
    """Reads `-word` in a query as an exclusion, not as short options run together
    (`-pytorch` is not `-p ytorch`): only exact option names are options."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _words_after_options(self, ctx, args))


def _words_after_options(command: Any, ctx: Any, args: list[str]) -> list[str]:
    takes_value: dict[str, bool] = {name: False for name in ctx.help_option_names}
    for param in command.params:
        if param.param_type_name == "option":
            for name in [*param.opts, *param.secondary_opts]:
                takes_value[name] = not (param.is_flag or param.count)
    options: list[str] = []
    words: list[str] = []
    arguments = iter(args)
    for arg in arguments:
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if arg == "--":
            words.extend(arguments)
        elif name in takes_value:
            options.append(arg)
            value = next(arguments, None) if takes_value[name] and "=" not in arg else None
            if value is not None:
                options.append(value)
        elif arg[:2] in takes_value and takes_value[arg[:2]] and arg[2:].isdigit():
            options.append(arg)  # -p2
        elif arg.startswith("--") and len(arg) > 2:
            options.append(arg)  # an unknown option: let the parser say so
        else:
            words.append(arg)
    return options + (["--", *words] if words else [])


CategoryFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--category", help="Only articles in this category (repeatable).", show_default=False
    ),
]


@app.command(cls=_QueryCommand)
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(
            help='Words to find; "quotes" for literal text; -word to exclude; '
            "title:, category:, tag:, date:2025-01..2025-06 to narrow.",
            show_default=False,
        ),
    ],
    page: PageOption = 1,
    per_page: PerPageOption = DEFAULT_PER_PAGE,
    category: CategoryFilter = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help="Only articles with this tag (repeatable).", show_default=False),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only articles from this date on: 2025, 2025-01.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only articles up to this date: 2025-06-30.")
    ] = None,
    sort: Annotated[
        SortOrder, typer.Option("--sort", help="Best match first, or newest first.")
    ] = SortOrder.score,
    json_output: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """Find articles by words in them, best match first.

    Examples:

      artread search 梯度检查点

      artread search 为什么 Transformer 可以并行训练

      artread search '"torch.utils.checkpoint"' -mxnet --since 2021
    """
    command = _command_of(ctx)
    with _errors(command):
        from artread.core.search import search as run_search
        from artread.ui import views

        text = _typed(" ".join(query))
        index = _open(command, archive)
        _warn_about_synonyms(command, index)
        found = run_search(
            index,
            text,
            page=page,
            per_page=per_page,
            categories=[_typed(c) for c in category or ()],
            tags=[_typed(t) for t in tag or ()],
            since=since,
            until=until,
            sort=sort.value,
        )
        console = _console(command)
        options = _search_options(category, tag, since, until, sort)
        suggestion = _suggestion(command, found.suggestion, options, archive)
        if json_output:
            views.print_json(console, views.results_json(found))
        elif found.hits:
            views.results(
                console,
                found,
                next_command=_next_command(
                    command, ["search", *query, *options], page, found.pages, per_page, archive
                ),
                suggestion=suggestion,
                err=command.env.stderr,
            )
        elif found.total:
            _fail(command, f"page {page} is past the last page ({found.pages})", 1)
        else:
            command.err(f"artread: no articles match {text!r}")
            if suggestion:
                command.err(f"Did you mean: {suggestion}")
        if not found.hits:
            raise typer.Exit(1)


def _suggestion(
    command: Command, said: str | None, options: list[str], archive: str | None
) -> str | None:
    """The command line that searches for the suggested words, with the same options."""
    from artread.ui.sanitize import clean_line

    if not said:
        return None
    words = [said] if '"' in said else said.split()
    # Made of the index's words and the synonyms file: made safe before it is shown.
    return clean_line(_command_line(command, ["search", *words, *options], archive))


def _typed(argument: str) -> str:
    """A command-line argument as text: bytes that are not UTF-8 (which Python keeps as lone
    surrogates) become U+FFFD, as in a file that is not UTF-8."""
    return argument.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _warn_about_synonyms(command: Command, index: ArchiveIndex) -> None:
    from artread.core import glossary
    from artread.ui.sanitize import clean_line

    problem = glossary.for_archive(index.root).problem
    if problem:
        command.err(f"artread: {clean_line(problem)}; using the shipped glossary only")


def _search_options(
    categories: list[str] | None,
    tags: list[str] | None,
    since: str | None,
    until: str | None,
    sort: SortOrder,
) -> list[str]:
    options = [w for c in categories or () for w in ("--category", c)]
    options += [w for t in tags or () for w in ("--tag", t)]
    options += ["--since", since] if since else []
    options += ["--until", until] if until else []
    return options + (["--sort", sort.value] if sort != SortOrder.score else [])


def _complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    from artread.config import index_dir_for
    from artread.core import catalog

    try:
        loaded = catalog.load(index_dir_for(_root(_command_of(ctx), None)))
    except Exception:  # no completions rather than a traceback in the user's shell
        loaded = None
    ids = sorted(loaded.by_id()) if loaded else []
    return [i for i in ids if i.startswith(incomplete)]


@app.command()
def show(
    ctx: typer.Context,
    article_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Article id, a unique prefix of it, or the file's path.",
            autocompletion=_complete_id,
        ),
    ],
    json_output: JsonOption = False,
    toc: Annotated[bool, typer.Option("--toc", help="List the article's headings.")] = False,
    raw: Annotated[
        bool, typer.Option("--raw", help="Print the Markdown source as it is in the file.")
    ] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page (also: ARTREAD_PAGER='').")
    ] = False,
    archive: ArchiveOption = None,
) -> None:
    """Read one article, rendered from its Markdown; long ones open in a pager.

    Examples:

      artread show gradient-checkpointing

      artread show gradient --toc

      artread show nlp/ngram-language-model.md --raw | less
    """
    command = _command_of(ctx)
    with _errors(command):
        from artread.core.archive import split_front_matter
        from artread.core.lookup import LookupFailed, resolve
        from artread.ui import views

        index = _open(command, archive)
        try:
            entry = resolve(index.catalog, index.root, _typed(article_id))
        except LookupFailed as exc:
            hint = ", ".join(c.id for c in exc.candidates)
            _fail(command, f"{exc}" + (f"; did you mean: {hint}" if hint else ""))
        source = index.read_text(entry)
        console = _console(command)
        if raw:
            from artread.ui.sanitize import clean

            # As written; a terminal still never receives the file's escape sequences.
            command.env.stdout.write(clean(source) if console.is_terminal else source)
            return
        _meta, body, _problem = split_front_matter(source)
        if toc and not json_output:
            views.table_of_contents(console, entry, body)
            return
        from artread.core.related import related

        alike = related(index, entry, body)
        if json_output:
            views.print_json(console, views.article_json(entry, body, alike))
        else:

            def draw() -> None:
                views.article(console, entry, body, alike)

            _paged(command.env, console, draw, no_pager)


def _paged(env: Env, console: Console, draw: Callable[[], None], no_pager: bool) -> None:
    """Draw on the terminal, through the pager when taller than the screen."""
    from artread.ui import pager

    chosen = None if no_pager or not console.is_terminal else env.pager()
    if chosen is None:
        draw()
        return
    with console.capture() as captured:
        draw()
    text = captured.get()
    page = env.page or (lambda text, chosen: pager.page(text, chosen, env.environ))
    if text.count("\n") < console.height or not page(text, chosen):
        env.stdout.write(text)


@app.command("index")
def index_command(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Start over from an empty index.")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes that read and segment the articles of a big update "
            "[default: $ARTREAD_JOBS, else one per core; 1: no worker processes].",
            show_default=False,
        ),
    ] = None,
    archive: ArchiveOption = None,
) -> None:
    """Bring the index up to date now and print a summary (every command does this quietly).

    Example: artread index --rebuild --jobs 2
    """
    command = _command_of(ctx)
    with _errors(command):
        from artread.core.index import ArchiveIndex, index_size

        root = _root(command, archive)
        if not root.is_dir():
            _fail(command, f"archive folder not found: {root}")
        index = ArchiveIndex(root)
        report = _sync(command, index, rebuild=rebuild, jobs=jobs)
        skipped = {path for path, _ in index.catalog.skipped()} | {p for p, _ in report.skipped}
        size = index_size(index.index_dir) / 1024 / 1024
        command.out(
            f"{len(index.catalog.articles())} articles indexed in {report.seconds:.1f} s: "
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{len(skipped)} skipped."
        )
        command.out(f"Index: {index.index_dir} ({size:.1f} MB)")


@app.command()
def doctor(
    ctx: typer.Context, json_output: JsonOption = False, archive: ArchiveOption = None
) -> None:
    """Check the archive and its index without changing them; exit 1 if there are problems.

    Example: artread doctor --archive ~/blog/source/_posts
    """
    command = _command_of(ctx)
    with _errors(command):
        from artread.core import health
        from artread.core.index import ArchiveIndex
        from artread.ui import views

        report = health.examine(ArchiveIndex(_root(command, archive)))
        console = _console(command)
        if json_output:
            views.print_json(console, views.health_json(report))
        else:
            views.health(console, report)
        if report.problems:
            raise typer.Exit(1)


@app.command(cls=_QueryCommand)
def analyze(
    ctx: typer.Context,
    text: Annotated[list[str], typer.Argument(help="Text or a query, as you would search for it.")],
    json_output: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """Show how text is normalised and segmented, for the index and for a search, and which
    glossary groups and typo corrections apply.

    Examples:

      artread analyze 梯度檢查點 Transformers

      artread analyze 如何实现 hash map

      artread analyze pytroch --json
    """
    command = _command_of(ctx)
    with _errors(command):
        from artread.core.explain import explain
        from artread.ui import views

        index = _open(command, archive)
        _warn_about_synonyms(command, index)
        explanation = explain(index, _typed(" ".join(text)))
        console = _console(command)
        if json_output:
            views.print_json(console, views.explanation_json(explanation))
        else:
            views.explanation(console, explanation)


@app.command("server")
def server_command(
    ctx: typer.Context,
    action: Annotated[
        ServerAction, typer.Argument(help="status: is one running; stop: stop it now.")
    ] = ServerAction.status,
    every: Annotated[
        bool,
        typer.Option(
            "--all", help="With stop: stop every artread server of yours, of every version."
        ),
    ] = False,
) -> None:
    """The resident server that answers commands without starting Python afresh.

    The first command starts it in the background; it exits after ten minutes without a
    command, or once artread or a package it uses is upgraded. ARTREAD_SERVER=off, or
    `server = false` in ~/.config/artread/config.toml, runs every command in its own process.

    Examples:

      artread server status

      artread server stop

      artread server stop --all
    """
    from artread.resident import client
    from artread.resident.protocol import STATUS

    command = _command_of(ctx)
    path = client.socket_path()
    if action is ServerAction.stop:
        _stop_servers(command, client.servers() if every else [path] if path else [], every)
        return
    status = client.control(path, STATUS)
    if not status:
        _no_server(command, path)
    elif "busy" in status:
        pid = status["busy"] or "unknown"
        command.out(f"artread server: pid {pid}, busy with commands (it did not answer)")
    else:
        _print_status(command, status)
    _print_runtime_folder(command)
    if not status:
        raise typer.Exit(1)


def _stop_servers(command: Command, paths: list[str], every: bool) -> None:
    from artread.resident import client

    outcomes = [client.stop(path) for path in paths]
    if every:
        for path, outcome in zip(paths, outcomes, strict=True):
            if outcome is None:
                client.remove_stale(path)  # left by a server that was killed
    stopped, failed = outcomes.count(True), outcomes.count(False)
    if stopped and every:
        command.out(f"Stopped {stopped} artread server{'s' * (stopped != 1)}.")
    elif stopped:  # it answered, or it was in the middle of a long command and was ended
        command.out("Stopped the artread server.")
    if failed:
        _fail(command, f"{failed} busy artread server{'s' * (failed != 1)} could not be stopped", 1)
    if not stopped:
        command.out("No artread server is running.")


def _no_server(command: Command, path: str | None) -> None:
    from artread.resident import client
    from artread.ui.sanitize import clean_line

    problem = client.configured()[1]
    if command.env.environ.get("ARTREAD_SERVER", "").strip().lower() in client.OFF:
        why = " (ARTREAD_SERVER turns it off)"
    elif not client.enabled():
        why = f" (turned off by server = false in {client.config_path()})"
    else:
        why = ""
    command.out(clean_line(f"No artread server is running{why}."))
    for line in [*(client.obstacles(path) if path else []), *([problem] if problem else [])]:
        command.out("  " + clean_line(line))


def _print_status(command: Command, status: dict) -> None:
    import datetime as dt

    from artread.ui.sanitize import clean_line

    since = dt.datetime.fromtimestamp(status["since"]).strftime("%Y-%m-%d %H:%M:%S")
    command.out(
        f"artread server: pid {status['pid']}, since {since}, "
        f"{status['commands']} command{'s' * (status['commands'] != 1)}, "
        f"socket {status['socket']}"
    )
    for held in status["indexes"]:
        watched = "watched" if held["watched"] else "checked file by file"
        command.out("  " + clean_line(f"{held['archive']} ({watched}; index {held['index']})"))


def _print_runtime_folder(command: Command) -> None:
    """Which folder holds the socket, when it is not the first choice, and why."""
    from artread.resident import client
    from artread.ui.sanitize import clean_line

    directory, skipped = client.runtime_dir()
    if not skipped:
        return
    if directory is None:
        command.out("  No folder will do for the server's socket (commands run on their own):")
    else:
        command.out("  " + clean_line(f"runtime folder {directory}, as:"))
    for reason in skipped:
        command.out("    " + clean_line(reason))


def main() -> None:
    """The console script in this process (resident.client.main runs it when no server does)."""
    # A command is a short process that allocates many small objects and frees them at exit:
    # the cyclic collector's passes are pure cost. Index updates turn it back on (_sync).
    gc.disable()
    raise SystemExit(run(sys.argv[1:], Env.from_process()))


def run(
    args: list[str],
    env: Env,
    *,
    open_index: Callable[[Path], ArchiveIndex] | None = None,
) -> int:
    """Run one command line in env; its exit status. Usage errors are one line on stderr (2).

    A resident server (artread.resident.server) passes how it opens an archive's index (kept
    open and watched), and an env whose pager runs in its client's terminal.
    """
    # Typer and click print help themselves, to sys.stdout and sys.stderr: make those env's.
    with redirect_stdout(env.stdout), redirect_stderr(env.stderr):  # type: ignore[type-var]
        return _invoke(args, Command(env, open_index))


def _invoke(args: list[str], command: Command) -> int:
    try:  # typer vendors click from 0.22 on; older releases use click itself
        from typer._click import exceptions
    except ImportError:  # pragma: no cover
        from click import exceptions  # type: ignore[no-redef]

    try:
        code = app(args=args, prog_name="artread", standalone_mode=False, obj=command)
    except exceptions.NoArgsIsHelpError as exc:
        exc.show(command.env.stderr)
        return 2
    except exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "artread"
        command.err(f"artread: {exc.format_message()} (see '{where} --help')")
        return 2
    except (typer.Abort, KeyboardInterrupt):
        command.err("artread: interrupted")
        return 130
    return code if isinstance(code, int) else 0
