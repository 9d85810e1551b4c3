"""The background process that `artread index` starts: it makes an index's missing vectors at
the lowest priority, so the machine stays the user's. Killed at any point, it keeps every
article it finished; the next one goes on from there (one at a time: a lock beside the index).

Run as: python -m artread.resident.embedding ARCHIVE INDEX_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Passes over the catalog at most: articles that change while vectors are made are caught by
# the next pass, and an archive that never stops changing does not keep this process alive.
PASSES = 3


def main(argv: list[str] | None = None) -> int:
    from artread.core.index import ArchiveIndex
    from artread.core.semantic.build import build

    root, index_dir = (argv if argv is not None else sys.argv[1:])[:2]
    os.nice(19)
    index = ArchiveIndex(Path(root), Path(index_dir))
    for _pass in range(PASSES):
        report = build(index)
        if report.busy or not (report.embedded or report.kept or report.removed):
            break
        index.forget_catalog()  # read it again: the archive may have changed meanwhile
    return 0


if __name__ == "__main__":
    sys.exit(main())
