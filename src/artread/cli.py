"""The artread command line: parse options, call the core, hand the result to a view.

No `from __future__ import annotations` here: typer reads each command's annotations, and
as strings every run would compile each of them again.
"""

import gc
import sys
from contextlib import redirect_stderr, redirect_stdout
from typing import Annotated

import typer

from artread import __version__
from artread.commands import completion
from artread.commands.context import (
    Command,
    Exit,
    OpenIndex,
    command_of,
    console_of,
    errors,
    writes_plain,
)
from artread.commands.invoking import invoke
from artread.commands.opening import (
    archive_root,
    open_archive,
    open_index,
    print_summary,
    require_folder,
    sync,
    warn_about_synonyms,
)
from artread.commands.options import (
    DEFAULT_PER_PAGE,
    ArchiveOption,
    ArtreadGroup,
    CategoryFilter,
    Color,
    DraftsOption,
    JobsOption,
    JsonOption,
    ModeOption,
    NewOption,
    PageOption,
    PerPageOption,
    QueryCommand,
    QueryWords,
    SearchMode,
    SemanticOption,
    ServerAction,
    SinceOption,
    SortOption,
    SortOrder,
    TagFilter,
    UntilOption,
)
from artread.commands.results import as_text, search_page
from artread.commands.show import show_article
from artread.env import Env
from artread.options import COLOR, command_position

app = typer.Typer(
    name="artread",
    help="Read and search an archive of Chinese Markdown articles from the terminal.",
    cls=ArtreadGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(ctx: typer.Context, value: bool) -> None:
    if value:
        command_of(ctx).out(f"artread {__version__}")
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
    command = command_of(ctx)
    command.archive, command.color = archive, color
    ctx.obj = command


@app.command()
def latest(
    ctx: typer.Context,
    page: PageOption = 1,
    per_page: PerPageOption = DEFAULT_PER_PAGE,
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            "-c",
            help="Only articles in this category.",
            autocompletion=completion.categories,
        ),
    ] = None,
    tag: Annotated[
        str | None,
        typer.Option(
            "--tag", "-t", help="Only articles with this tag.", autocompletion=completion.tags
        ),
    ] = None,
    new: NewOption = False,
    drafts: DraftsOption = False,
    json_output: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """The newest articles first, with the opening of each; new and read ones are marked.

    Examples:

      artread latest

      artread latest --page 2 --category NLP

      artread latest --new
    """
    command = command_of(ctx)
    with errors(command):
        from artread.commands.latest import latest_page

        latest_page(
            command,
            page=page,
            per_page=per_page,
            category=category,
            tag=tag,
            new=new,
            drafts=drafts,
            json_output=json_output,
            archive=archive,
        )


@app.command()
def categories(
    ctx: typer.Context, json_output: JsonOption = False, archive: ArchiveOption = None
) -> None:
    """Every category with its number of articles.

    Example: artread categories
    """
    _names(command_of(ctx), "category", json_output, archive)


@app.command()
def tags(
    ctx: typer.Context, json_output: JsonOption = False, archive: ArchiveOption = None
) -> None:
    """Every tag with its number of articles.

    Example: artread tags
    """
    _names(command_of(ctx), "tag", json_output, archive)


def _names(command: Command, kind: str, json_output: bool, archive: str | None) -> None:
    with errors(command):
        from artread.core import listing
        from artread.ui import plain

        catalog = open_archive(command, archive).catalog
        counts = listing.categories(catalog) if kind == "category" else listing.tags(catalog)
        if json_output:
            payload = {kind: [{"name": n, "articles": c} for n, c in counts.items()]}
            plain.write_json(command.env.stdout, payload)
        elif writes_plain(command):
            plain.counts(command.env.stdout, counts)
        else:
            from artread.ui import views

            views.counts(console_of(command), counts, f"artread latest --{kind} NAME")
        if not counts:
            raise Exit(1)


@app.command(cls=QueryCommand)
def search(
    ctx: typer.Context,
    query: QueryWords,
    page: PageOption = 1,
    per_page: PerPageOption = DEFAULT_PER_PAGE,
    category: CategoryFilter = None,
    tag: TagFilter = None,
    since: SinceOption = None,
    until: UntilOption = None,
    sort: SortOption = SortOrder.score,
    drafts: DraftsOption = False,
    mode: ModeOption = SearchMode.auto,
    json_output: JsonOption = False,
    archive: ArchiveOption = None,
) -> None:
    """Find articles by words in them (and by meaning, with artread[semantic]), best first.

    Examples:

      artread search 梯度检查点

      artread search 为什么 Transformer 可以并行训练

      artread search '"torch.utils.checkpoint"' -mxnet --since 2021
    """
    with errors(command_of(ctx)) as command:
        search_page(
            command,
            query,
            page=page,
            per_page=per_page,
            category=category,
            tag=tag,
            since=since,
            until=until,
            sort=sort,
            drafts=drafts,
            mode=mode,
            json_output=json_output,
            archive=archive,
        )


@app.command()
def show(
    ctx: typer.Context,
    article_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Article id, a unique prefix of it, or the file's path.",
            autocompletion=completion.ids,
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
    with errors(command_of(ctx)) as command:
        show_article(
            command,
            article_id,
            json_output=json_output,
            toc=toc,
            raw=raw,
            no_pager=no_pager,
            archive=archive,
        )


@app.command("index")
def index_command(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Start over from an empty index.")
    ] = False,
    jobs: JobsOption = None,
    semantic: SemanticOption = False,
    archive: ArchiveOption = None,
) -> None:
    """Bring the index up to date now and print a summary (every command does this quietly).

    Examples:

      artread index --rebuild --jobs 2

      artread index --semantic
    """
    command = command_of(ctx)
    with errors(command):
        from artread.commands.semantic import after_index

        root = archive_root(command, archive)
        require_folder(command, root)
        index = open_index(command, root, held=False)
        report = sync(command, index, rebuild=rebuild, jobs=jobs)
        print_summary(command, index, report)
        after_index(command, index, now=semantic)


@app.command()
def doctor(
    ctx: typer.Context, json_output: JsonOption = False, archive: ArchiveOption = None
) -> None:
    """Check the archive and its index without changing them; exit 1 if there are problems.

    Example: artread doctor --archive ~/blog/source/_posts
    """
    command = command_of(ctx)
    with errors(command):
        from artread.core import health
        from artread.ui import plain, views

        root = archive_root(command, archive)
        report = health.examine(open_index(command, root, held=False))
        console = console_of(command)
        if json_output:
            plain.write_json(command.env.stdout, plain.health_json(report))
        else:
            views.health(console, report)
        if report.problems:
            raise Exit(1)


@app.command(cls=QueryCommand)
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
    command = command_of(ctx)
    with errors(command):
        from artread.core.explain import explain
        from artread.ui import plain, views

        index = open_archive(command, archive)
        warn_about_synonyms(command, index)
        explanation = explain(index, as_text(" ".join(text)))
        console = console_of(command)
        if json_output:
            plain.write_json(command.env.stdout, plain.explanation_json(explanation))
        else:
            views.explanation(console, explanation)


@app.command()
def browse(ctx: typer.Context, archive: ArchiveOption = None) -> None:
    """A full-screen reader: the newest articles, search as you type, outlines.

    New and changed articles are marked. `artread` alone on a terminal opens it.

    Keys: / search, Enter open, o outline, n/N next match, Esc back, q quit, ? every key.

    Example: artread browse --archive ~/blog
    """
    command = command_of(ctx)
    with errors(command):
        from artread.commands.browse import browse as run_browser

        code = run_browser(command, archive)
    raise Exit(code)


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
    from artread.commands import server_status
    from artread.resident import lifecycle, runtime

    command = command_of(ctx)
    path = runtime.socket_path()
    if action is ServerAction.stop:
        paths = lifecycle.servers() if every else [path] if path else []
        server_status.stop_servers(command, paths, every)
    elif not server_status.report(command, path):
        raise Exit(1)


def main() -> None:
    """The console script in this process (resident.client.main runs it when no server does)."""
    # A command is a short process that allocates many small objects and frees them at exit:
    # the cyclic collector's passes are pure cost. Index updates turn it back on (sync).
    gc.disable()
    raise SystemExit(run(sys.argv[1:], Env.from_process()))


def run(
    args: list[str],
    env: Env,
    *,
    open_index: OpenIndex | None = None,
) -> int:
    """Run one command line in env; its exit status. Usage errors are one line on stderr (2).

    A resident server (artread.resident.server) passes how it opens an archive's index (kept
    open and watched), and an env whose pager runs in its client's terminal.
    """
    # Typer and click print help themselves, to sys.stdout and sys.stderr: make those env's.
    with redirect_stdout(env.stdout), redirect_stderr(env.stderr):  # type: ignore[type-var]
        if command_position(args) is None:  # `artread` alone on a terminal: the reader
            from artread.commands.browse import reader_when_bare

            args = reader_when_bare(args, env)
        return invoke(app, args, Command(env, open_index))
