"""The examples run, and the typed one passes mypy --strict against the shipped stubs."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import EXAMPLES


@pytest.mark.parametrize("name", ["async_llm.py", "sqlite_store.py", "typed_example.py"])
def test_example_runs(name: str) -> None:
    out = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()


def test_async_example_calls_the_model_once_per_merchant() -> None:
    out = subprocess.run([sys.executable, str(EXAMPLES / "async_llm.py")], capture_output=True, text=True, timeout=120)
    assert "model calls: 2 |" in out.stdout, out.stdout


def test_typed_example_passes_mypy_strict() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "typed_example.py", "async_llm.py", "sqlite_store.py"],
        cwd=EXAMPLES, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
