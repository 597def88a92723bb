"""The README's Python examples run as written."""

from __future__ import annotations

import pathlib
import re

import pytest

HERE = pathlib.Path(__file__).resolve().parents[1]
READMES = [HERE / "README.md", HERE.parent / "README.md"]


@pytest.mark.parametrize("readme", READMES, ids=["bindings-py", "root"])
def test_readme_python_blocks_run(readme: pathlib.Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has a Python example"
    for code in blocks:
        exec(compile(code, str(readme), "exec"), {})
