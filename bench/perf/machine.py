"""The machine the bench ran on: CPU, cores, memory, load, library versions."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss

from index.embedder import cpu_has_amx
from service.settings import PROJECT_ROOT


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    import onnxruntime
    import torch

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit or "unknown",
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "bf16": cpu_has_amx(),  # the model runs in bfloat16
        "mem_gb": mem / 2**30,
        "python": platform.python_version(),
        "versions": (
            f"torch {torch.__version__}, faiss {faiss.__version__}, "
            f"onnxruntime {onnxruntime.__version__}"
        ),
        "load_start": os.getloadavg(),
    }
