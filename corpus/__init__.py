"""Articles in: reading text and JSONL corpora, splitting newspaper pages, chunking."""
