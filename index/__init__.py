"""The index: embeddings in FAISS plus a jieba BM25 keyword index, in a self-describing folder."""
