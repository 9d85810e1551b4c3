"""How commands read their command lines: the options several commands take, declared once
(the global ones' names are in artread.options, which the client reads too), and a query's
words told apart from options."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from artread.commands import completion
from artread.commands.choices import (  # noqa: F401 - the command line imports them from here
    DEFAULT_PER_PAGE,
    Color,
    SearchMode,
    ServerAction,
    SortOrder,
)
from artread.commands.context import Exit
from artread.options import ARCHIVE, COLOR, command_position

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


CategoryFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-c",
        help="Only articles in this category (repeatable).",
        show_default=False,
        autocompletion=completion.categories,
    ),
]
QueryWords = Annotated[
    list[str],
    typer.Argument(
        help='Words to find; "quotes" for literal text; -word to exclude (a word that is also '
        """an option, such as -c, in quotes: '-"c"'); """
        "title:, category:, tag:, date:2025-01..2025-06 to narrow.",
        show_default=False,
    ),
]
TagFilter = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        help="Only articles with this tag (repeatable).",
        show_default=False,
        autocompletion=completion.tags,
    ),
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Only articles from this date on: 2025, 2025-01.")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Only articles up to this date: 2025-06-30.")
]
NewOption = Annotated[
    bool,
    typer.Option(
        "--new", help="Only the articles new or changed since you read them (artread browse)."
    ),
]
DraftsOption = Annotated[
    bool, typer.Option("--drafts", help="Drafts too (draft: true, published: false, _drafts/).")
]
SortOption = Annotated[SortOrder, typer.Option("--sort", help="Best match first, or newest first.")]


JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Processes that read and segment the articles of a big update "
        "[default: $ARTREAD_JOBS, else one per core; 1: no worker processes].",
        show_default=False,
    ),
]
SemanticOption = Annotated[
    bool,
    typer.Option(
        "--semantic",
        help="Make the vectors for search by meaning now, with progress (artread[semantic]); "
        "without it they are made in the background.",
    ),
]
ModeOption = Annotated[
    SearchMode,
    typer.Option(
        "--mode",
        help="Rank by the words (lexical), by meaning (semantic, needs artread[semantic] and "
        "`artread index --semantic`), or both, weighed by the query (auto).",
    ),
]


class ArtreadGroup(TyperGroup):
    """The top-level command: global options may come after a command's name as well."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, global_options_first(args))

    def invoke(self, ctx: Any) -> Any:
        # The commands end with artread's own Exit, which needs no Typer (commands.shortcut
        # runs them without it); to click it is its Exit.
        try:
            return super().invoke(ctx)
        except Exit as exc:
            raise typer.Exit(exc.code) from None


class QueryCommand(TyperCommand):
    """Reads `-word` in a query as an exclusion, not as short options run together
    (`-pytorch` is not `-p ytorch`): only exact option names are options."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, words_after_options(self, ctx, args))


def words_after_options(command: Any, ctx: Any, args: list[str]) -> list[str]:
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
        elif arg.startswith("--") and arg.strip("-"):
            options.append(arg)  # an unknown option: let the parser say so
        else:
            words.append(arg)
    return options + (["--", *words] if words else [])


def global_options_first(args: list[str]) -> list[str]:
    """The command line with the global options that come after the command's name moved
    before it, so that `artread show ID --color never` means what `artread --color never show
    ID` does. Nothing after `--` moves: that is a query's words."""
    position = command_position(args)
    if position is None or "--" in args[:position]:  # after `--` there is no command
        return args
    moved: list[str] = []
    rest: list[str] = []
    arguments = iter(args[position + 1 :])
    for arg in arguments:
        if arg == "--":
            rest.extend([arg, *arguments])
        elif arg.split("=", 1)[0] in COLOR:
            moved.append(arg)
            if "=" not in arg:
                value = next(arguments, None)
                moved.extend([value] if value is not None else [])
        else:
            rest.append(arg)
    return [*args[:position], *moved, args[position], *rest]


def close_options(typed: str, possibilities: list[str]) -> list[str]:
    """The options close enough to what was typed to be what was meant (click suggests
    `--tag` for `--all`: one letter in common is not a likeness)."""
    import difflib

    word = typed.lstrip("-")
    return [
        name
        for name in possibilities
        if difflib.SequenceMatcher(None, word, name.lstrip("-")).ratio() >= 0.75
    ]
