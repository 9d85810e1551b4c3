"""Short digests for names (index folders, article ids, cache keys), without OpenSSL.

hashlib loads OpenSSL on import, a cost paid by every command for one digest of a path;
CPython's own SHA-1 and SHA-256 modules give the same digests. hashlib stays the fallback for builds
without it.
"""

from __future__ import annotations

try:
    from _sha1 import sha1
except ImportError:  # pragma: no cover - CPython builds without its own SHA-1
    from hashlib import sha1
try:
    from _sha256 import sha256  # CPython 3.11
except ImportError:  # pragma: no cover
    try:
        from _sha2 import sha256  # CPython 3.12 and later
    except ImportError:
        from hashlib import sha256


def sha1_hex(data: bytes) -> str:
    """The SHA-1 digest of data in hexadecimal, as hashlib.sha1(data).hexdigest() gives it."""
    return sha1(data).hexdigest()


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of data in hexadecimal, as hashlib.sha256(data).hexdigest()."""
    return sha256(data).hexdigest()
