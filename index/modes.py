"""The retrieval modes: fused, keywords alone, vectors alone (light: the CLI's --help reads it)."""

from __future__ import annotations

from typing import Literal

Mode = Literal["hybrid", "bm25", "dense"]
MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")
