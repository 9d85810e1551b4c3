"""Front matter as Hexo and Jekyll (YAML, ---), Hugo (TOML, +++) and others (JSON) write it.

Its parsers are imported when an article is read, not with this module: a search that only
needs an article's body finds it with body_of, without them.
"""

from __future__ import annotations

import re
from functools import lru_cache

TOML_BOUNDARY = re.compile(r"^\+{3}[ \t]*$", re.M)


def split_front_matter(text: str) -> tuple[dict, str, str | None]:
    """(metadata, body, problem). YAML (---) as Hexo and Jekyll write it, TOML (+++) as Hugo
    does, JSON ({...}). Malformed front matter still yields the body."""
    from frontmatter.default_handlers import JSONHandler, YAMLHandler

    if text.startswith("\ufeff"):
        text = text[1:]
    for kind, handler in (("YAML", YAMLHandler()), ("TOML", _TOML), ("JSON", JSONHandler())):
        if not handler.detect(text):
            continue
        try:
            raw, body = handler.split(text)
        except ValueError:
            return {}, text, None
        body = body.lstrip("\n")
        try:
            meta = handler.load(raw) if kind == "JSON" else _load_front_matter(kind, raw)
        except Exception as exc:  # yaml, toml and json errors
            lines = str(exc).strip().splitlines()
            why = lines[0] if lines else type(exc).__name__
            return {}, body, f"front matter is not valid {kind} ({why}); metadata from fallbacks"
        if meta is None:
            return {}, body, None
        if not isinstance(meta, dict):
            return {}, body, "front matter is not a mapping; metadata from fallbacks"
        return {_scrub(str(k)): _scrub(v) for k, v in meta.items()}, body, None
    return {}, text, None


class _TomlFrontMatter:
    """Hugo's +++ front matter (python-frontmatter's own handler needs the `toml` package)."""

    boundary = TOML_BOUNDARY

    def detect(self, text: str) -> bool:
        return text.startswith("+++")

    def split(self, text: str) -> tuple[str, str]:
        _, raw, body = self.boundary.split(text, 2)
        return raw, body


_TOML = _TomlFrontMatter()


def _load_front_matter(kind: str, raw: str) -> object:
    if kind == "TOML":
        import tomllib

        return tomllib.loads(raw)
    import yaml

    return yaml.load(raw, Loader=_yaml_loader())


@lru_cache(maxsize=1)
def _yaml_loader() -> type:
    """A safe loader where a date that does not exist stays a string instead of failing all."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_yaml_timestamp(self, node):  # type: ignore[no-untyped-def]
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError:
                return self.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_yaml_timestamp)
    return Loader


def _scrub(value: object) -> object:
    """Front matter escapes can make lone surrogates ("\\ud800"), which no output can encode."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(item) for item in value]
    return value


# python-frontmatter's boundaries, for body_of(), which must not import it (it imports yaml).
_YAML_BOUNDARY = re.compile(r"^-{3,}\s*$", re.M)
_JSON_BOUNDARY = re.compile(r"^(?:{|})$", re.M)


def body_of(text: str) -> str:
    """The text after the front matter, found as split_front_matter() finds it, unparsed."""
    if text.startswith("\ufeff"):
        text = text[1:]
    for boundary in (_YAML_BOUNDARY, TOML_BOUNDARY, _JSON_BOUNDARY):
        if boundary.match(text):
            parts = boundary.split(text, 2)
            return parts[2].lstrip("\n") if len(parts) == 3 else text
    return text
