"""What `artread server status` and `artread server stop` print."""

from __future__ import annotations

from artread.commands.context import Command, fail


def report(command: Command, path: str | None) -> bool:
    """Print whether this installation's server runs (at path), and what it holds; whether
    one runs."""
    from artread.resident import client
    from artread.resident.protocol import STATUS

    status = client.control(path, STATUS)
    if not status:
        no_server(command, path)
    elif "busy" in status:
        pid = status["busy"] or "unknown"
        command.out(f"artread server: pid {pid}, busy with commands (it did not answer)")
    else:
        print_status(command, status)
    print_runtime_folder(command)
    return bool(status)


def stop_servers(command: Command, paths: list[str], every: bool) -> None:
    """Stop the servers at paths, and say what came of it."""
    from artread.resident import lifecycle

    outcomes = [lifecycle.stop(path) for path in paths]
    if every:
        for path, outcome in zip(paths, outcomes, strict=True):
            if outcome is None:
                lifecycle.remove_stale(path)  # left by a server that was killed
    stopped, failed = outcomes.count(True), outcomes.count(False)
    if stopped and every:
        command.out(f"Stopped {stopped} artread server{'s' * (stopped != 1)}.")
    elif stopped:  # it answered, or it was in the middle of a long command and was ended
        command.out("Stopped the artread server.")
    if failed:
        fail(command, f"{failed} busy artread server{'s' * (failed != 1)} could not be stopped", 1)
    if not stopped:
        command.out("No artread server is running.")


def no_server(command: Command, path: str | None) -> None:
    """Why no server runs, and what is in the way of one at path."""
    from artread.resident import lifecycle, runtime
    from artread.ui.sanitize import clean_line

    problem = runtime.configured()[1]
    if command.env.environ.get("ARTREAD_SERVER", "").strip().lower() in runtime.OFF:
        why = " (ARTREAD_SERVER turns it off)"
    elif not runtime.enabled():
        why = f" (turned off by server = false in {runtime.config_path()})"
    else:
        why = ""
    command.out(clean_line(f"No artread server is running{why}."))
    for line in [*(lifecycle.obstacles(path) if path else []), *([problem] if problem else [])]:
        command.out("  " + clean_line(line))


def print_status(command: Command, status: dict) -> None:
    """The server's pid, since when it runs, its commands and the indexes it holds."""
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


def print_runtime_folder(command: Command) -> None:
    """Which folder holds the socket, when it is not the first choice, and why."""
    from artread.resident import runtime
    from artread.ui.sanitize import clean_line

    directory, skipped = runtime.runtime_dir()
    if not skipped:
        return
    if directory is None:
        command.out("  No folder will do for the server's socket (commands run on their own):")
    else:
        command.out("  " + clean_line(f"runtime folder {directory}, as:"))
    for reason in skipped:
        command.out("    " + clean_line(reason))
