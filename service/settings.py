"""Every knob of the service in one place, read from WENDA_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]

Mode = Literal["hybrid", "bm25", "dense"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WENDA_", extra="ignore")

    data_dir: Path = PROJECT_ROOT / "data"
    corpus: list[Path] = Field(default_factory=lambda: [PROJECT_ROOT / "corpus"])
    top_k: int = Field(default=5, ge=1, le=20)
    mode: Mode = "hybrid"
    # "auto" uses bfloat16 where the CPU computes it natively (AVX512_BF16/AMX), else float32
    embed_dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    torch_threads: int = 0  # 0: torch's default
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "model" / "multilingual-e5-small"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"
