"""What a corpus may hold and how its text files are read (light: the CLI's --help reads it)."""

from __future__ import annotations

from typing import Literal

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl",)
# how a .txt/.md file is read: "page" splits a newspaper page into its articles, "article"
# reads one article, "auto" splits only a file that looks like a page
TextFormat = Literal["auto", "page", "article"]
TEXT_FORMATS: tuple[TextFormat, ...] = ("auto", "page", "article")


class CorpusError(ValueError):
    """The corpus cannot be read; the message says which file and what to fix."""


class EmptyCorpus(CorpusError):
    """The corpus holds no article."""
