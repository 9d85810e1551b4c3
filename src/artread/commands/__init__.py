"""What the command line (artread.cli) does around each command's one call into the core: its
context and exit statuses, opening an archive's index, command lines to copy, and the parsing
and printing particular to some commands."""
