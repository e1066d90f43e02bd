"""Every knob of the service in one place, read from WENDA_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.modes import Mode
from service.request_limits import DEFAULT_TOP_K, TOP_K_MAX, TOP_K_MIN

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = PROJECT_ROOT / "corpus" / "articles"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WENDA_", extra="ignore")

    data_dir: Path = PROJECT_ROOT / "data"
    # the bundled articles: a folder of articles only (the corpus package's code lives beside it)
    corpus: list[Path] = Field(default_factory=lambda: [BUNDLED_CORPUS])
    top_k: int = Field(default=DEFAULT_TOP_K, ge=TOP_K_MIN, le=TOP_K_MAX)
    mode: Mode = "hybrid"
    # the converted embedding model, shared by every data dir
    model_dir: Path = PROJECT_ROOT / "data" / "model" / "multilingual-e5-small"
    # embeddings cached by passage text; unset: the data dir's cache/ folder, so that nothing is
    # written outside the data dir
    cache_dir: Path | None = None
    # "auto" uses bfloat16 where the CPU has AMX (index/embedder.py: cpu_has_amx), else float32
    embed_dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    torch_threads: int = 0  # 0: torch's default
    # abstain when the answer model's probability that its best sentence answers is below
    # this; unset: the threshold trained with the model (service/answer_model.json)
    min_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    # the span reader (service/reader.py) reads the best sentence: its margin joins the
    # abstention decision (service/reading.py) and it marks the fact of every kind but yes/no
    # (the typed rules where it finds none); false: neither
    reader: bool = True
    # the readers' products in 8-bit integers (index.e5_numpy.int8_products, smoothed by the
    # maxima stored with their weights): about 2.2x as fast as float32, less memory; "auto"
    # where the CPU adds int8 products exactly (VNNI or AMX: index.e5_numpy.cpu_has_int8_dot)
    reader_int8: Literal["auto"] | bool = "auto"
    host: str = "127.0.0.1"
    port: int = 8000
    # POST/DELETE /articles are refused until this is set; callers send it as a Bearer token
    admin_token: str | None = None
    # how often a running service looks for a newly published index generation
    reload_seconds: float = Field(default=1.0, gt=0.0)
    # a request body over this answers 413; POST /articles (uploads) has its own, larger bound
    max_request_bytes: int = Field(default=256 * 1024, gt=0)
    max_upload_request_bytes: int = Field(default=64 * 1024 * 1024, gt=0)
    # a body not received within this many seconds of its first byte being read answers 408
    request_body_seconds: float = Field(default=30.0, gt=0.0)
    # questions answered at once (/ask, /ask/stream, /v1/chat/completions); past it a question
    # waits up to question_wait_seconds for a slot, then answers 503 with Retry-After
    max_concurrent_questions: int = Field(default=4, ge=1)
    # of them, those with a body over large_request_bytes (long questions or histories)
    max_concurrent_large_questions: int = Field(default=1, ge=1)
    large_request_bytes: int = Field(default=8 * 1024, gt=0)
    question_wait_seconds: float = Field(default=2.0, ge=0.0)
    # Host headers answered (e.g. ["127.0.0.1", "localhost", "wenda.example.org"]), so that a
    # web page that rebinds its own name to this address (DNS rebinding) gets 400; unset: any
    allowed_hosts: list[str] | None = None
    # /v1/* (OpenAI-compatible) require `Authorization: Bearer <api_key>` when set
    api_key: str | None = None
    # generated answers (opt-in): an OpenAI-compatible chat server, e.g. http://127.0.0.1:8080/v1;
    # unset, or down, or slower than llm_timeout seconds: the extractive answer
    llm_base_url: str | None = None
    llm_model: str = "default"
    llm_api_key: str | None = None
    llm_timeout: float = Field(default=60.0, gt=0.0)
    # where passages are searched: "faiss", the data dir's own index; "milvus", a Milvus
    # collection kept in step with it by `wenda index/add/remove` (README: Milvus)
    backend: Literal["faiss", "milvus"] = "faiss"
    # a Milvus Standalone/Distributed address (http://host:19530) or a `milvus-lite server`
    milvus_uri: str = "http://127.0.0.1:19530"
    milvus_token: str = ""  # "user:password" or an API key, when the cluster asks for one
    # one collection per data dir: two data dirs must not share one (each deletes the rows its
    # own index does not hold); evaluation indexes use <name>_eval_<key>
    milvus_collection: str = Field(default="wenda_passages", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    # the dense field's index, made when the collection is created (FLAT is exact; HNSW or
    # IVF_SQ8 for millions of passages on a cluster)
    milvus_dense_index: str = "FLAT"
    # the collection's shards (set when it is created) and the replicas a cluster loads
    milvus_shards: int = Field(default=1, ge=1)
    milvus_replicas: int = Field(default=1, ge=1)

    @property
    def embedding_cache_dir(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"
