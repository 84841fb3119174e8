"""The check every kernel owes its pure-Python path: the same script run with numba's JIT on
and off (``NUMBA_DISABLE_JIT``) must print the same thing (the tests compare bit for bit)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def jit_and_python(code: str, *args: str, timeout: float = 600.0) -> tuple[bytes, bytes]:
    """Run ``python -c code *args`` from the repository root compiled, then as pure Python;
    return both standard outputs. A run that fails fails the test with its stderr."""
    outs = []
    for flag in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-c", code, *args], env={**os.environ, "NUMBA_DISABLE_JIT": flag},
            cwd=REPO, capture_output=True, timeout=timeout, check=False,
        )
        assert done.returncode == 0, f"NUMBA_DISABLE_JIT={flag}:\n{done.stderr.decode()}"
        outs.append(done.stdout)
    return outs[0], outs[1]
