"""A graph's products by its matrices in 8-bit integers (index.e5_numpy.int8_products), on a
small graph of random weights: the same outputs within quantization's error, int8 weights, and
smoothing (EncoderGraph.absmax) that keeps the products and spares int8 an outsize channel."""

from pathlib import Path

import numpy as np
import onnx
import pytest

from index import e5_numpy
from index.e5_numpy import EncoderGraph, NumpyE5, cpu_has_int8_dot, int8_products

WIDTH = 64


def two_products(
    absmax: dict[str, np.ndarray] | None = None,
) -> tuple[bytes, dict[str, np.ndarray], EncoderGraph]:
    """x [batch, tokens, 64] -> dense 64->256 -> dense 256->64, the way a BERT layer's
    feed-forward block multiplies (weights large enough to be kept aside as matrices), each
    product smoothed by absmax's entry for it (keys "l.up", "l.down"), if any."""
    rng = np.random.default_rng(7)
    w = {
        "embeddings.position_embeddings.weight": np.zeros((8, WIDTH), np.float32),
        "l.up.weight": rng.normal(0, 0.1, (256, WIDTH)).astype(np.float32),
        "l.up.bias": rng.normal(0, 0.1, 256).astype(np.float32),
        "l.down.weight": rng.normal(0, 0.1, (WIDTH, 256)).astype(np.float32),
        "l.down.bias": rng.normal(0, 0.1, WIDTH).astype(np.float32),
    }
    g = EncoderGraph(w, 1e-12)
    g.absmax = absmax or {}
    g.output(g.dense(g.dense("x", "l", "up"), "l", "down"), "y")
    return (*g.model("two-products", {"y": ["batch", "tokens", WIDTH]}), g)


def run(graph: bytes, matrices: dict[str, np.ndarray], x: np.ndarray, int8: bool) -> np.ndarray:
    feed = {"x": x, "mask": np.ones(x.shape[:2], np.float32)}
    out: np.ndarray = NumpyE5.session_of(graph, matrices, int8=int8).run(["y"], feed)[0]
    return out


def test_int8_products_multiply_as_float32_does_within_quantization_error() -> None:
    graph, matrices, g = two_products()
    assert len(matrices) == 2  # both weights handed over as arrays, not in the graph
    assert set(g.product_inputs) == {"l.up", "l.down"} and g.product_inputs["l.up"] == "x"
    x = np.random.default_rng(8).normal(0, 1, (1, 20, WIDTH)).astype(np.float32)
    want, got = run(graph, matrices, x, False), run(graph, matrices, x, True)
    assert got.shape == want.shape
    error = np.abs(got - want).max() / np.abs(want).max()
    assert 0 < error < 0.03  # not the float32 products, and close to them


def test_int8_products_hold_their_matrices_as_int8() -> None:
    graph, matrices, _ = two_products()
    model = onnx.load_from_string(int8_products(graph, matrices))
    int8 = {
        i.name: int(np.prod(i.dims))
        for i in model.graph.initializer
        if i.data_type == onnx.TensorProto.INT8
    }
    # each matrix, and its zero points (one per output column)
    assert sorted(int8.values()) == [WIDTH, 256, WIDTH * 256, WIDTH * 256]
    # no float32 copy of either matrix is left, nor any reference to memory outside the graph
    floats = [i for i in model.graph.initializer if i.data_type == onnx.TensorProto.FLOAT]
    assert all(np.prod(i.dims) < WIDTH * 256 for i in floats)
    assert not any(i.external_data for i in model.graph.initializer)
    assert "MatMul" not in {node.op_type for node in model.graph.node}


def test_smoothing_keeps_the_products_and_spares_int8_an_outsize_channel() -> None:
    rng = np.random.default_rng(9)
    x = rng.normal(0, 1, (1, 30, WIDTH)).astype(np.float32)
    x[..., 5] *= 60.0  # one channel of outsize states, as a BERT layer's norm gives
    plain, plain_matrices, _ = two_products()
    # the first product smoothed by its input's maxima, the second left as it is
    smooth, smooth_matrices, _ = two_products({"l.up": np.abs(x).max(axis=(0, 1))})
    exact = run(plain, plain_matrices, x, False)
    # in float32 the smoothed graph computes the same products
    np.testing.assert_allclose(run(smooth, smooth_matrices, x, False), exact, rtol=1e-4, atol=1e-4)

    def error(graph: bytes, matrices: dict[str, np.ndarray]) -> float:
        return float(np.abs(run(graph, matrices, x, True) - exact).mean())

    assert error(smooth, smooth_matrices) < 0.7 * error(plain, plain_matrices)  # 0.52 here


@pytest.mark.parametrize(
    ("flags", "has"),
    [
        ("fpu avx2 avx512f avx512_vnni avx512_bf16", True),  # an AVX-512 EPYC or Xeon
        ("fpu avx2 avx_vnni", True),  # a desktop core with AVX-VNNI
        ("fpu avx2 avx512f amx_bf16 amx_tile amx_int8", True),
        ("fpu avx2 avx512f avx512bw", False),  # int8 pairs summed in 16 bits: float32
        ("fpu avx2 avx512_vnnix", False),  # a flag is a whole word
        (None, False),  # no /proc/cpuinfo
    ],
)
def test_auto_runs_the_readers_in_int8_only_where_the_cpu_adds_int8_products_exactly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flags: str | None, has: bool
) -> None:
    from service.reader import int8_readers

    cpuinfo = tmp_path / "cpuinfo"
    if flags is not None:
        cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    monkeypatch.setattr(e5_numpy, "CPUINFO", cpuinfo)
    assert cpu_has_int8_dot() is has
    assert int8_readers("auto") is has
    assert int8_readers(True) is True and int8_readers(False) is False
