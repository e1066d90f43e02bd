"""The parts of the realistic set, named once: `check.py`, `make eval` (bench/evaluation.py) and
the picker's trainer (bench/train_answer.py) all read them. Standard library only: check.py runs
as a plain script."""

from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent


class Part(NamedTuple):
    name: str  # how the trainer names its questions
    title: str  # how `make eval` heads its section
    articles: Path
    questions: Path
    trained: bool = True  # False: a held-out test, never read by the trainers


PARTS = (
    Part(
        "realistic",
        "realistic (our own, bench/realistic)",
        HERE / "articles.jsonl",
        HERE / "questions.jsonl",
    ),
    Part(
        "realistic2",
        "realistic part 2 (our own, bench/realistic, another province)",
        HERE / "articles2.jsonl",
        HERE / "questions2.jsonl",
    ),
    Part(
        "realistic3",
        "realistic part 3 (our own, bench/realistic, another province)",
        HERE / "articles3.jsonl",
        HERE / "questions3.jsonl",
    ),
    Part(
        "realistic4",
        "realistic part 4 (our own, bench/realistic, another province)",
        HERE / "articles4.jsonl",
        HERE / "questions4.jsonl",
    ),
    Part(
        "realistic6",
        "realistic part 6 (our own, bench/realistic, another province)",
        HERE / "articles6.jsonl",
        HERE / "questions6.jsonl",
    ),
    Part(
        "realistic7",
        "realistic part 7 (our own, bench/realistic, another province)",
        HERE / "articles7.jsonl",
        HERE / "questions7.jsonl",
    ),
    Part(
        "realistic9",
        "realistic part 9 (our own, bench/realistic, another province)",
        HERE / "articles9.jsonl",
        HERE / "questions9.jsonl",
    ),
    Part(
        "realistic10",
        "realistic part 10 (our own, bench/realistic, another province)",
        HERE / "articles10.jsonl",
        HERE / "questions10.jsonl",
    ),
    Part(
        "realistic11",
        "realistic part 11 (our own, bench/realistic, another province)",
        HERE / "articles11.jsonl",
        HERE / "questions11.jsonl",
    ),
    Part(
        "realistic12",
        "realistic part 12 (our own, bench/realistic, another province)",
        HERE / "articles12.jsonl",
        HERE / "questions12.jsonl",
    ),
    Part(
        "realistic13",
        "realistic part 13 (our own, bench/realistic, another province)",
        HERE / "articles13.jsonl",
        HERE / "questions13.jsonl",
    ),
    Part(
        "realistic14",
        "realistic part 14 (our own, bench/realistic, another province)",
        HERE / "articles14.jsonl",
        HERE / "questions14.jsonl",
    ),
    Part(
        "realistic16",
        "realistic part 16 (our own, bench/realistic, another province)",
        HERE / "articles16.jsonl",
        HERE / "questions16.jsonl",
    ),
    Part(
        "realistic17",
        "realistic part 17 (our own, bench/realistic, another province)",
        HERE / "articles17.jsonl",
        HERE / "questions17.jsonl",
    ),
    Part(
        "realistic5",
        "realistic part 5 (our own, bench/realistic, held out from training)",
        HERE / "articles5.jsonl",
        HERE / "questions5.jsonl",
        trained=False,
    ),
    Part(
        "realistic8",
        "realistic part 8 (our own, bench/realistic, held out from training)",
        HERE / "articles8.jsonl",
        HERE / "questions8.jsonl",
        trained=False,
    ),
    Part(
        "realistic15",
        "realistic part 15 (our own, bench/realistic, held out from training)",
        HERE / "articles15.jsonl",
        HERE / "questions15.jsonl",
        trained=False,
    ),
    Part(
        "realistic18",
        "realistic part 18 (our own, bench/realistic, another province)",
        HERE / "articles18.jsonl",
        HERE / "questions18.jsonl",
    ),
    Part(
        "realistic19",
        "realistic part 19 (our own, bench/realistic, another province)",
        HERE / "articles19.jsonl",
        HERE / "questions19.jsonl",
    ),
    Part(
        "realistic20",
        "realistic part 20 (our own, bench/realistic, held out from training, written in session 30)",
        HERE / "articles20.jsonl",
        HERE / "questions20.jsonl",
        trained=False,
    ),
    Part(
        "realistic21",
        "realistic part 21 (our own, bench/realistic, held out from training, written in session 31)",
        HERE / "articles21.jsonl",
        HERE / "questions21.jsonl",
        trained=False,
    ),
    Part(
        "realistic22",
        "realistic part 22 (our own, bench/realistic, held out from training, written in session 31)",
        HERE / "articles22.jsonl",
        HERE / "questions22.jsonl",
        trained=False,
    ),
    Part(
        "realistic23",
        "realistic part 23 (our own, bench/realistic, held out from training, written in session 32)",
        HERE / "articles23.jsonl",
        HERE / "questions23.jsonl",
        trained=False,
    ),
    Part(
        "realistic24",
        "realistic part 24 (our own, bench/realistic, held out from training, written in session 32)",
        HERE / "articles24.jsonl",
        HERE / "questions24.jsonl",
        trained=False,
    ),
    Part(
        "realistic25",
        "realistic part 25 (our own, bench/realistic, held out from training, written in session 34)",
        HERE / "articles25.jsonl",
        HERE / "questions25.jsonl",
        trained=False,
    ),
    Part(
        "realistic26",
        "realistic part 26 (our own, bench/realistic, held out from training, written in session 34)",
        HERE / "articles26.jsonl",
        HERE / "questions26.jsonl",
        trained=False,
    ),
    Part(
        "realistic27",
        "realistic part 27 (our own, bench/realistic, held out from training, written in session 38)",
        HERE / "articles27.jsonl",
        HERE / "questions27.jsonl",
        trained=False,
    ),
    Part(
        "realistic28",
        "realistic part 28 (our own, bench/realistic, held out from training, written in session 38)",
        HERE / "articles28.jsonl",
        HERE / "questions28.jsonl",
        trained=False,
    ),
    Part(
        "realistic29",
        "realistic part 29 (our own, bench/realistic, another province)",
        HERE / "articles29.jsonl",
        HERE / "questions29.jsonl",
    ),
    Part(
        "realistic30",
        "realistic part 30 (our own, bench/realistic, another province)",
        HERE / "articles30.jsonl",
        HERE / "questions30.jsonl",
    ),
    Part(
        "realistic31",
        "realistic part 31 (our own, bench/realistic, another province)",
        HERE / "articles31.jsonl",
        HERE / "questions31.jsonl",
    ),
    Part(
        "realistic32",
        "realistic part 32 (our own, bench/realistic, another province)",
        HERE / "articles32.jsonl",
        HERE / "questions32.jsonl",
    ),
    Part(
        "realistic33",
        "realistic part 33 (our own, bench/realistic, another province)",
        HERE / "articles33.jsonl",
        HERE / "questions33.jsonl",
    ),
    Part(
        "realistic34",
        "realistic part 34 (our own, bench/realistic, held out from training, written in session 42)",
        HERE / "articles34.jsonl",
        HERE / "questions34.jsonl",
        trained=False,
    ),
    Part(
        "realistic35",
        "realistic part 35 (our own, bench/realistic, held out from training, written in session 42)",
        HERE / "articles35.jsonl",
        HERE / "questions35.jsonl",
        trained=False,
    ),
)
