"""The Milvus tests' server and skip: a real Milvus Lite server (bench/milvus_lite.py); tests
skip, saying why, only where milvus-lite is not installed. CI installs it (make setup installs
the [milvus] extra), so there they run."""

from __future__ import annotations

import pytest

from bench.milvus_lite import installed, milvus_lite_server

__all__ = ["milvus_lite_server", "needs_milvus_lite"]

NOT_INSTALLED = (
    "milvus-lite and pymilvus are not installed: pip install -e '.[milvus]' (CI installs them)"
)
needs_milvus_lite = pytest.mark.skipif(not installed(), reason=NOT_INSTALLED)
