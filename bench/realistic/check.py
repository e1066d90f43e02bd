"""Validate the realistic evaluation set, each part of parts.py (articles.jsonl +
questions.jsonl, articles2.jsonl + questions2.jsonl, …) on its own.

Run from the project root:  python bench/realistic/check.py
Exit status 0 when every check passes, 1 otherwise (every problem is listed).
Standard library only.
"""

import json
import re
import sys
from collections import Counter, defaultdict

try:
    from bench.realistic.parts import PARTS
except ImportError:  # run as a script (python bench/realistic/check.py): this folder is on the path
    from parts import PARTS

MIN_ARTICLES = 16
MIN_QUESTIONS = 160
TEXT_CHARS = (600, 1200)
PARAGRAPHS = (4, 8)
MAX_ANSWER_CHARS = 30
MIN_PER_KIND = {
    "paraphrase": 60,
    "short": 15,
    "yesno": 8,
    "middle_end": 15,
    "followup_pronoun": 10,
    "followup_ellipsis": 10,
    "followup_nameng": 10,
    "followup_attribute": 10,
    "unanswerable": 25,
}
FOLLOWUP_KINDS = {k for k in MIN_PER_KIND if k.startswith("followup_")}
ARTICLE_FIELDS = {"id", "title", "text", "date", "source"}
QUESTION_FIELDS = {"id", "question", "answers", "answerable", "kind"}
OPTIONAL_QUESTION_FIELDS = {"doc_id", "history"}

problems = []


def problem(where, message):
    problems.append(f"{where}: {message}")


def read_jsonl(path):
    rows = []
    if not path.exists():
        problem(path.name, "file is missing")
        return rows
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                problem(f"{path.name}:{number}", "blank line")
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                problem(f"{path.name}:{number}", f"invalid JSON ({error})")
                continue
            if not isinstance(row, dict):
                problem(f"{path.name}:{number}", "line is not a JSON object")
                continue
            rows.append((number, row))
    return rows


def check_articles(rows):
    articles = {}
    for number, row in rows:
        where = f"articles.jsonl:{number}"
        missing = ARTICLE_FIELDS - row.keys()
        if missing:
            problem(where, f"missing fields {sorted(missing)}")
        extra = row.keys() - ARTICLE_FIELDS
        if extra:
            problem(where, f"unexpected fields {sorted(extra)}")
        for field in ARTICLE_FIELDS & row.keys():
            if not isinstance(row[field], str) or not row[field].strip():
                problem(where, f"field {field!r} must be a non-empty string")
        article_id = row.get("id")
        if not isinstance(article_id, str):
            continue
        where = f"articles.jsonl:{number} ({article_id})"
        if article_id in articles:
            problem(where, "duplicate article id")
        text = row.get("text")
        if isinstance(text, str):
            if not TEXT_CHARS[0] <= len(text) <= TEXT_CHARS[1]:
                problem(
                    where,
                    f"text has {len(text)} characters, expected {TEXT_CHARS[0]}-{TEXT_CHARS[1]}",
                )
            paragraphs = [p for p in text.split("\n") if p.strip()]
            if not PARAGRAPHS[0] <= len(paragraphs) <= PARAGRAPHS[1]:
                problem(
                    where,
                    f"text has {len(paragraphs)} paragraphs, expected {PARAGRAPHS[0]}-{PARAGRAPHS[1]}",
                )
            if "\n\n" in text:
                problem(where, "paragraphs must be separated by a single newline")
        date = row.get("date")
        if isinstance(date, str) and not re.fullmatch(
            r"2025-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])", date
        ):
            problem(where, f"date {date!r} is not 2025-MM-DD")
        articles[article_id] = row
    if len(articles) < MIN_ARTICLES:
        problem("articles.jsonl", f"{len(articles)} articles, expected at least {MIN_ARTICLES}")
    return articles


def check_history(where, history):
    if not isinstance(history, list) or not history:
        problem(where, "history must be a non-empty list of turns")
        return
    for index, turn in enumerate(history):
        turn_where = f"{where} history[{index}]"
        if not isinstance(turn, dict):
            problem(turn_where, "turn is not an object")
            continue
        if set(turn.keys()) != {"role", "content"}:
            problem(
                turn_where, f"turn must have exactly role and content, has {sorted(turn.keys())}"
            )
        role = turn.get("role")
        if role not in ("user", "assistant"):
            problem(turn_where, f"role {role!r} is not user/assistant")
        content = turn.get("content")
        if not isinstance(content, str) or not content.strip():
            problem(turn_where, "content must be a non-empty string")
            continue
        if role == "assistant" and "[1]" not in content:
            problem(turn_where, "assistant turn should carry a [1] citation marker")
    roles = [t.get("role") for t in history if isinstance(t, dict)]
    if roles and roles[0] != "user":
        problem(where, "history should start with a user turn")
    if any(a == b for a, b in zip(roles, roles[1:], strict=False)):
        problem(where, "history roles should alternate user/assistant")


def check_questions(rows, articles):
    seen_ids = set()
    seen_text = Counter()
    kinds = Counter()
    answerable_kinds = Counter()
    per_doc = defaultdict(int)
    for number, row in rows:
        where = check_identity(number, row, seen_ids, articles)
        question = row.get("question")
        if not isinstance(question, str) or not question.strip():
            problem(where, "question must be a non-empty string")
        kind = row.get("kind")
        if kind not in MIN_PER_KIND:
            problem(where, f"unknown kind {kind!r}")
        kinds[kind] += 1
        answers = row.get("answers")
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            problem(where, "answers must be a list of strings")
            answers = []
        answerable = row.get("answerable")
        if not isinstance(answerable, bool):
            problem(where, "answerable must be true or false")
        history = row.get("history")
        if kind in FOLLOWUP_KINDS:
            check_history(where, history)
        elif "history" in row:
            problem(where, f"kind {kind!r} should not carry a history")
        else:
            # standalone questions must not repeat each other
            if isinstance(question, str):
                seen_text[question.strip()] += 1

        if answerable is True:
            answerable_kinds[kind] += 1
            if kind == "unanswerable":
                problem(where, "kind 'unanswerable' but answerable is true")
            doc_id = row.get("doc_id")
            if doc_id not in articles:
                problem(where, f"doc_id {doc_id!r} does not name an article")
                continue
            per_doc[doc_id] += 1
            check_gold(where, kind, answers, doc_id, articles[doc_id].get("text", ""))
        elif answerable is False:
            if answers:
                problem(where, "unanswerable question must have empty answers")
            if row.get("doc_id") not in (None, ""):
                problem(where, "unanswerable question must not list a doc_id")
            if kind not in FOLLOWUP_KINDS and kind != "unanswerable":
                problem(where, f"answerable is false but kind is {kind!r}")

    check_totals(seen_text, kinds, answerable_kinds, per_doc, articles)
    return kinds, answerable_kinds, per_doc, sum(kinds.values())


def check_identity(number, row, seen_ids, articles):
    """The row's fields and id; returns where to report its problems."""
    where = f"questions.jsonl:{number}"
    missing = QUESTION_FIELDS - row.keys()
    if missing:
        problem(where, f"missing fields {sorted(missing)}")
    extra = row.keys() - QUESTION_FIELDS - OPTIONAL_QUESTION_FIELDS
    if extra:
        problem(where, f"unexpected fields {sorted(extra)}")
    qid = row.get("id")
    if not isinstance(qid, str):
        problem(where, "id must be a string")
        return where
    where = f"questions.jsonl:{number} ({qid})"
    if qid in seen_ids:
        problem(where, "duplicate question id")
    seen_ids.add(qid)
    if qid in articles:
        problem(where, "question id collides with an article id")
    return where


def check_gold(where, kind, answers, doc_id, text):
    """An answerable question's gold answers: 1-3 short exact substrings of its article."""
    if not 1 <= len(answers) <= 3:
        problem(where, f"answerable question needs 1-3 gold answers, has {len(answers)}")
    for answer in answers:
        if not answer.strip():
            problem(where, "empty gold answer")
        elif answer != answer.strip():
            problem(where, f"gold answer {answer!r} has surrounding whitespace")
        elif len(answer) > MAX_ANSWER_CHARS:
            problem(where, f"gold answer {answer!r} is longer than {MAX_ANSWER_CHARS} characters")
        if answer not in text:
            problem(where, f"gold answer {answer!r} is not a substring of {doc_id}")
    if kind == "middle_end":
        paragraphs = text.split("\n")
        if not any(a in p for a in answers for p in paragraphs[1:]):
            problem(
                where, "middle_end question whose gold answer occurs only in the first paragraph"
            )


def check_totals(seen_text, kinds, answerable_kinds, per_doc, articles):
    """Across the file: no repeated standalone question, enough of each kind and article."""
    for text, count in seen_text.items():
        if count > 1:
            problem("questions.jsonl", f"standalone question repeated {count} times: {text}")
    for kind, minimum in MIN_PER_KIND.items():
        have = answerable_kinds[kind] if kind in FOLLOWUP_KINDS else kinds[kind]
        label = f"{kind} (answerable)" if kind in FOLLOWUP_KINDS else kind
        if have < minimum:
            problem("questions.jsonl", f"{label}: {have} questions, expected at least {minimum}")
    total = sum(kinds.values())
    if total < MIN_QUESTIONS:
        problem("questions.jsonl", f"{total} questions, expected at least {MIN_QUESTIONS}")
    for article_id in articles:
        if per_doc[article_id] == 0:
            problem("questions.jsonl", f"no answerable question about {article_id}")


def main():
    status = 0
    for part in PARTS:
        print(f"== {part.articles.name} + {part.questions.name}")
        status |= check_part(part.articles, part.questions)
        problems.clear()
    return status


def check_part(articles_path, questions_path):
    articles = check_articles(read_jsonl(articles_path))
    kinds, answerable_kinds, per_doc, total = check_questions(read_jsonl(questions_path), articles)

    print(f"articles: {len(articles)}")
    print(f"questions: {total}")
    for kind in MIN_PER_KIND:
        extra = ""
        if kind in FOLLOWUP_KINDS and kinds[kind] != answerable_kinds[kind]:
            extra = f"  ({answerable_kinds[kind]} answerable, {kinds[kind] - answerable_kinds[kind]} unanswerable)"
        print(f"  {kind:<20} {kinds[kind]:>4}  (min {MIN_PER_KIND[kind]}){extra}")
    print(
        "answerable questions per article: "
        + ", ".join(f"{d}={per_doc[d]}" for d in sorted(articles))
    )

    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for line in problems:
            print("  " + line, file=sys.stderr)
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
