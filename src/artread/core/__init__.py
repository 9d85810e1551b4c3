"""The library underneath the commands: no typer, no rich, no terminal."""
