"""Dates of articles: the front matter's, a file name's YYYY-MM-DD- prefix, else the mtime."""

from __future__ import annotations

import datetime as dt
import re

DATE_KEYS = ("date", "published", "pubDate", "created", "publishDate")
DATE_PREFIX = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[-_ ]|$)")


def article_date(
    meta: dict, name: str, mtime: float, warnings: list[str]
) -> tuple[str | None, float]:
    """(ISO date, sort key) of an article: its front matter's date, else its file name's
    prefix, else its modification time; a date that cannot be read adds a warning."""
    for key in DATE_KEYS:
        if key in meta and meta[key] not in (None, "") and not isinstance(meta[key], bool):
            parsed = parse_date(meta[key])
            if parsed:
                return parsed
            warnings.append(f"{key}: {str(meta[key])[:40]!r} is not a date; using a fallback")
            break
    match = DATE_PREFIX.match(name)
    if match:
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
            return day.isoformat(), _timestamp(day)
        except ValueError:
            pass
    day = dt.datetime.fromtimestamp(mtime, tz=dt.UTC)
    return day.date().isoformat(), mtime


def parse_date(value: object) -> tuple[str, float] | None:
    """(ISO date, sort key) from a YAML date, datetime, or a date string in common forms."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), _timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat(), _timestamp(value)
    if isinstance(value, (int, float)) and 19000101 <= value <= 29991231:
        value = str(int(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    text = re.sub(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", text)
    text = re.sub(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?", r"\1-\2-\3", text)
    match = re.match(r"^(\d{4})-?(\d{1,2})-?(\d{1,2})(.*)$", text)
    if not match:
        return None
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    rest = match[4].strip().lstrip("T").strip()
    if rest:
        iso = f"{day.isoformat()}T{rest.replace(' ', '')}"
        try:
            moment = dt.datetime.fromisoformat(iso)
            return day.isoformat(), _timestamp(moment)
        except ValueError:
            pass
    return day.isoformat(), _timestamp(day)


def _timestamp(value: dt.date | dt.datetime) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
