"""Reading an archive folder: files on disk become Articles.

Front matter as Hexo, Hugo and Jekyll write it; encodings Chinese archives use; fallbacks for
missing metadata. Nothing here prints: problems are returned as reasons for the caller to report.
"""

from __future__ import annotations

import contextlib
import operator
import os
import re
import stat as stat_mod
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from artread.core import plaintext, sites
from artread.core.dates import DATE_PREFIX, article_date
from artread.core.digest import sha1_hex
from artread.core.front_matter import split_front_matter
from artread.core.textfile import ArticleError, read_text, within

SUFFIXES = (".md", ".markdown")
EXCERPT_CHARS = 300
_TAG_KEYS = ("tags", "tag", "keywords")
_DATE_FOLDER = re.compile(r"^\d{1,4}(?:[-_.]\d{1,2}){0,2}$")
# A file that stands for its folder: a Hugo page bundle (index.md, _index.md), a README.
_BUNDLE_STEMS = frozenset({"index", "_index", "readme"})
SECTION_PAGE = "not an article: a section's list page with no text of its own"


_name = operator.attrgetter("name")


@dataclass(frozen=True, slots=True)
class FileStat:
    """What the freshness check compares: a file's size and modification time."""

    size: int
    mtime_ns: int


@dataclass
class Article:
    """One article as read from its file: front matter, body and where it is."""

    id: str
    path: str  # relative to the archive root, with "/"
    title: str
    published: str | None  # ISO date, YYYY-MM-DD
    sort_key: float  # seconds since the epoch, for newest-first ordering
    category: str | None
    tags: list[str]
    body: str  # the Markdown after the front matter
    excerpt: str = ""
    chars: int = 0  # length of the plain text, for reading time
    declared_id: str | None = None  # an id or slug from the front matter
    warnings: list[str] = field(default_factory=list)
    source: str = ""  # the decoded file, front matter included
    draft: bool = False

    def summary(self) -> dict:
        """Everything a list view needs, without the body."""
        return {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "date": self.published,
            "sort_key": self.sort_key,
            "category": self.category,
            "tags": list(self.tags),
            "excerpt": self.excerpt,
            "chars": self.chars,
            "declared_id": self.declared_id,
            "draft": self.draft,
            "warnings": list(self.warnings),
        }


@dataclass
class ScanResult:
    """What a walk of the archive found: its Markdown files, what it skipped, its folders."""

    files: dict[str, FileStat]
    skipped: list[tuple[str, str]]  # (relative path, reason)
    folders: list[str] = field(default_factory=list)  # every folder looked into
    # Files that can change through a path outside these folders: hard and symbolic links.
    linked: list[str] = field(default_factory=list)


def scan(root: Path) -> ScanResult:
    """Every Markdown file of the archive with its stat: below root, or below the folders of
    the site generator root is a site of (artread.core.sites); hidden files and folders and
    the folders the layout skips are not entered."""
    layout = sites.detect(root)
    scanner = _Scanner(root, layout.skipped)
    if not layout.folders:
        scanner.walk(str(root), "")
        return scanner.found
    # The root is looked at too (not into): a site's configuration appearing or going there
    # changes what is read.
    with contextlib.suppress(OSError):
        st = os.stat(root)
        scanner.seen_dirs.add((st.st_dev, st.st_ino))
        scanner.found.folders.append(str(root))
    for folder in layout.folders:
        scanner.walk(os.path.join(str(root), *folder.split("/")), folder + "/")
    return scanner.found


class _Scanner:
    """One look at an archive's folders: what scan() finds, as it finds it."""

    def __init__(self, root: Path, skipped_names: frozenset[str]) -> None:
        self.root = root
        self.skipped_names = skipped_names
        self.found = ScanResult({}, [])
        self.seen_dirs: set[tuple[int, int]] = set()

    def walk(self, directory: str, prefix: str) -> None:
        skipped = self.found.skipped
        try:
            st = os.stat(directory)
        except OSError as exc:
            skipped.append((prefix or ".", f"cannot open folder: {exc.strerror or exc}"))
            return
        key = (st.st_dev, st.st_ino)
        if key in self.seen_dirs:
            skipped.append((prefix or ".", "folder link loop"))
            return
        self.seen_dirs.add(key)
        self.found.folders.append(directory)
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            skipped.append((prefix or ".", f"cannot list folder: {exc.strerror or exc}"))
            return
        entries.sort(key=_name)
        # Every command runs this over the whole archive: the cheap tests (name, type from the
        # directory listing) come before the one system call per Markdown file.
        for entry in entries:
            name = entry.name
            if name[0] == ".":
                continue
            rel = prefix + name
            if name.lower().endswith(SUFFIXES):
                self._markdown(entry, rel)
            elif name not in self.skipped_names and rel not in self.skipped_names:
                with contextlib.suppress(OSError):
                    if entry.is_dir():
                        self.walk(entry.path, rel + "/")

    def _markdown(self, entry: os.DirEntry, rel: str) -> None:
        found = self.found
        try:
            st = entry.stat()
        except OSError as exc:
            reason = "broken link" if entry.is_symlink() else (exc.strerror or str(exc))
            found.skipped.append((rel, reason))
            return
        if not stat_mod.S_ISREG(st.st_mode):
            if stat_mod.S_ISDIR(st.st_mode):  # a folder named like a Markdown file
                self.walk(entry.path, rel + "/")
            else:
                found.skipped.append((rel, "not a regular file"))
            return
        if entry.is_symlink() and within(self.root, rel) is None:
            found.skipped.append((rel, "link points outside the archive"))
            return
        found.files[rel] = FileStat(st.st_size, st.st_mtime_ns)
        if st.st_nlink > 1 or entry.is_symlink():
            found.linked.append(rel)


def read_article(root: Path, relpath: str) -> Article:
    """Read one file into an Article (its id still to be assigned by assign_ids)."""
    try:
        text, mtime, warnings = read_text(root / relpath)
    except OSError as exc:
        raise ArticleError(exc.strerror or str(exc)) from None
    meta, body, problem = split_front_matter(text)
    if problem:
        warnings.append(problem)
    article = build_article(relpath, meta, body, mtime, warnings)
    article.source = text
    return article


def build_article(
    relpath: str, meta: dict, body: str, mtime: float, warnings: list[str] | None = None
) -> Article:
    warnings = list(warnings or [])
    posix = PurePosixPath(relpath)
    plain = plaintext.to_plain(body)
    if posix.stem.lower() == "_index" and not plain.strip():
        raise ArticleError(SECTION_PAGE)
    title = _text(meta.get("title")) or plaintext.first_heading(body) or _bundle_name(posix)
    published, sort_key = article_date(meta, posix.name, mtime, warnings)
    category = _category(meta, posix)
    tags = _string_list(next((meta[k] for k in _TAG_KEYS if meta.get(k)), None))
    declared = _text(meta.get("id")) or _text(meta.get("slug"))
    excerpt = _excerpt(plain, title)
    return Article(
        id="",
        path=relpath,
        title=" ".join(title.split()),
        published=published,
        sort_key=sort_key,
        category=category,
        tags=tags,
        body=body,
        excerpt=excerpt,
        chars=len(plain),
        declared_id=slugify(declared) if declared else None,
        warnings=warnings,
        draft=_is_draft(meta, relpath),
    )


def _is_draft(meta: dict, relpath: str) -> bool:
    """Marked as a draft the way Hugo and Hexo (draft: true) or Jekyll (published: false) do,
    or kept in a generator's drafts folder."""
    draft, published = meta.get("draft"), meta.get("published")
    if draft is True or (isinstance(draft, str) and draft.strip().lower() in ("true", "yes")):
        return True
    if published is False or (isinstance(published, str) and published.strip() == "false"):
        return True
    return sites.is_draft_path(relpath)


def _bundle_name(posix: PurePosixPath) -> str:
    """A page bundle's name (content/posts/ebpf-intro/index.md is ebpf-intro); else the
    file's own."""
    if posix.stem.lower() in _BUNDLE_STEMS and posix.parent.name:
        return posix.parent.name
    return posix.stem


def _excerpt(plain: str, title: str) -> str:
    lines = plain.split("\n")
    # A body that opens with the title as its heading should not repeat it in the excerpt.
    if lines and " ".join(lines[0].split()) == " ".join(title.split()):
        lines = lines[1:]
    return " ".join(lines)[:EXCERPT_CHARS]


def _text(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _string_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = (
            re.split(r"[,，、]\s*|\s+(?=\S)", value)
            if ("," in value or "，" in value or "、" in value)
            else value.split()
        )
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            if isinstance(item, (list, tuple)):
                out.extend(_string_list(item))
            elif _text(item):
                out.append(_text(item))  # type: ignore[arg-type]
        return list(dict.fromkeys(out))
    text = _text(value)
    return [text] if text else []


def _category(meta: dict, posix: PurePosixPath) -> str | None:
    """The front matter's category; else the nearest folder whose name says what the article
    is about: not a page bundle's own folder, a date (2025/06/) or a generator's (_posts)."""
    for key in ("category", "categories"):
        values = _string_list(meta.get(key))
        if values:
            return values[0]
    folders = list(posix.parent.parts)
    if posix.stem.lower() in _BUNDLE_STEMS and folders:
        folders.pop()
    for name in reversed(folders):
        if _telling(name):
            return name
    return None


def _telling(folder: str) -> bool:
    if folder.lower() in sites.GENERATOR_FOLDERS or folder[:1] in ("_", "-", "."):
        return False
    return not _DATE_FOLDER.match(folder) and any(c.isalpha() for c in folder)


def slugify(text: str) -> str:
    """A short, typable id: lowercase ASCII letters, digits and dashes; never a path."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].strip("-")


def file_slug(relpath: str) -> str:
    stem = _bundle_name(PurePosixPath(relpath))
    stem = DATE_PREFIX.sub("", stem) or stem
    return slugify(stem) or _short_hash(relpath)


def _short_hash(text: str) -> str:
    return sha1_hex(text.encode("utf-8", "surrogatepass"))[:8]


def assign_ids(
    declared: dict[str, str | None], previous: dict[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Give every path a unique id; return {path: id} and a warning for each collision.

    `declared` maps each path to the id or slug its front matter declares (or None). An id
    already given to a path (in `previous`) is kept, so ids never move when other articles are
    added. Otherwise the declared id or the file name's slug; on a collision the later path
    gets the slug plus a short hash of its path.
    """
    previous = previous or {}
    ids: dict[str, str] = {}
    taken: dict[str, str] = {}
    warnings: list[str] = []
    pending: list[str] = []
    for path in sorted(declared):
        kept = previous.get(path)
        wanted = declared[path] or file_slug(path)
        suffixed = f"{wanted}-{_short_hash(path)[:6]}"
        if kept and kept not in taken and kept in (wanted, suffixed):
            ids[path] = kept
            taken[kept] = path
        else:
            pending.append(path)
    for path in pending:
        wanted = declared[path] or file_slug(path)
        candidate = wanted
        if candidate in taken:
            candidate = f"{wanted}-{_short_hash(path)[:6]}"
            warnings.append(f"{path}: {id_taken(wanted, taken[wanted], candidate)}")
        ids[path] = candidate
        taken[candidate] = path
    return ids, warnings


def id_taken(wanted: str, holder: str, given: str) -> str:
    """What to say of an article that could not have the id it asks for."""
    return f"id {wanted!r} is already used by {holder}; using {given!r}"
