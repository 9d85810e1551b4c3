"""The code stays in pieces a reader can hold: no function in src/artread is longer than 70
lines and no module longer than 500, and the `artread` client, which every command loads
first, imports nothing but the standard library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import artread

SOURCE = Path(artread.__file__).parent
FUNCTION_MAX = 70  # lines, from `def` to the function's last line
MODULE_MAX = 500  # lines in the file


def shape_problems(source: str, name: str) -> list[str]:
    """Each function over FUNCTION_MAX lines in source, and the module if over MODULE_MAX."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            if length > FUNCTION_MAX:
                problems.append(f"{name}:{node.lineno} {node.name}() is {length} lines")
    lines = len(source.splitlines())
    if lines > MODULE_MAX:
        problems.append(f"{name} is {lines} lines")
    return problems


def _modules() -> dict[str, str]:
    return {
        path.relative_to(SOURCE).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(SOURCE.rglob("*.py"))
    }


def test_no_function_is_longer_than_70_lines_and_no_module_longer_than_500() -> None:
    problems = [
        problem for name, source in _modules().items() for problem in shape_problems(source, name)
    ]
    assert not problems, "split these:\n" + "\n".join(problems)


def test_the_shape_check_names_a_long_function_and_a_long_module() -> None:
    body = "".join(f"    x = {n}\n" for n in range(FUNCTION_MAX))  # def line + 70 = 71
    long_function = f"def too_long():\n{body}\n\ndef short():\n    return 1\n"
    assert shape_problems(long_function, "m.py") == ["m.py:1 too_long() is 71 lines"]
    indented = "".join(f"    {line}" for line in body.splitlines(True))
    method = "class C:\n    def m(self):\n" + indented
    assert shape_problems(method, "c.py") == ["c.py:2 m() is 71 lines"]
    long_module = "x = 1\n" * (MODULE_MAX + 1)
    assert shape_problems(long_module, "big.py") == [f"big.py is {MODULE_MAX + 1} lines"]
    assert shape_problems("x = 1\n" * MODULE_MAX, "full.py") == []


# What the `artread` client may load of artread itself: the rest of artread loads only when a
# command runs in this process (no server answered).
CLIENT_MODULES = {
    "artread",
    "artread.options",
    "artread.resident",
    "artread.resident.client",
    "artread.resident.lifecycle",
    "artread.resident.protocol",
    "artread.resident.runtime",
}


def test_the_artread_client_imports_only_the_standard_library() -> None:
    probe = (
        "import sys; before = set(sys.modules); "
        "import artread.resident.client, artread.resident.lifecycle; "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    outside = [
        name
        for name in loaded
        if name not in CLIENT_MODULES and name.split(".")[0] not in sys.stdlib_module_names
    ]
    assert "artread.resident.client" in loaded
    assert not outside, f"the client loads more than the standard library: {outside}"
