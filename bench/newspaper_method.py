"""The prose of docs/newspaper.md: how the repair works, how the pages are made and scored,
and what still goes wrong (`bench/newspaper_eval.py` adds the figures)."""

from __future__ import annotations

METHOD = (
    "## How the repair works (`corpus/newspaper.py`, `corpus/repair.py`)",
    "",
    "- Headers: a byline line (two to four names, surname first) opens an article with the "
    "headline, `——` sub-headline and series tag above it; a bare headline (short, no clause "
    "punctuation) opens one when a marked series tag is above it, when it is the page's first "
    "line, when a closing byline is above it, or when the line above stops mid-sentence and "
    "the headline's words are those of the text below; the text under it may be a line broken "
    "short. It never does when the next line plainly goes on from it (a bound particle or mark, "
    "a word or a Latin word across, a number cut from its unit or date), when it stops "
    "mid-phrase (a one-character particle, preposition or conjunction; a last clause of one or "
    "two characters; three clauses), when it opens like a clause (a conjunction, preposition, "
    "adverb or pronoun first) or goes on, with a dictionary word, from a sentence left "
    "unfinished higher up, or when it stands over the headline of an article with a byline (it "
    "is then that article's series tag). A closing byline inside an article signed on top has "
    "travelled with a continuation: the line under it opens an article only when the text "
    "below is unlike the host's opening. A line above a byline is the headline unless it is "
    "the end of the article above: never right under a closing byline; a bare line under an "
    "unfinished line only when that line runs into it better than into any line further down; "
    "a bare line after a finished sentence only when its rest is printed further down and its "
    "words are twice as much the text above's; a line of running text when its rest (a word "
    "or a pair the page uses far above chance across the cut) is printed further down or its "
    "words are the text above's. A line leaving a bracket open is no headline. Each closing "
    "byline `(names)` must sign an article without a byline of its own; when one is left over, "
    "the bare line above it with the strongest change of topic opens its article, preferring "
    "a line in the byline's own stretch of text, whose words are not the article above's and "
    "which does not open like a clause.",
    "- Noise: lower-case Latin words wedged between Chinese text and layout marks are dropped; "
    "after the moves, a span of 30 or more characters repeating earlier text of the same "
    "article is dropped.",
    "- Moves: an article whose text stops mid-sentence is continued by the run of paragraphs, "
    "inside a later article, that scores best in nats: a jieba dictionary word formed across "
    "the cut (or a pair of characters the page uses far above chance: a name cut in two), how "
    "much likelier the run is under the cut article's character-pair language model than "
    "under the host article's (both smoothed towards the page's; digits are left out, numbers "
    "being no topic), whether the run opens on a bound particle or mark, whether the host's "
    "interrupted sentence reads on once the run is taken out (never into a heading), and "
    "whether the run ends with a closing byline that an article signed on top cannot own. Text "
    "after a closing byline has lost its article: a run starting there takes all of it up to "
    "the next byline. The best run is moved unless it scores below -2 nats; on a tie the "
    "longer run wins.",
    "- Joins: a line that ends without sentence punctuation is joined with the next unless "
    "either is a section heading (short, a whole phrase, followed by running text, which may "
    "itself be broken after a few characters; no dictionary word, bound particle, number cut "
    "from its unit or pair the page uses far above chance across the break; not stopping "
    "mid-phrase as above).",
    "- Every repair is an `Edit(kind, source_start, source_end, detail)` on its article, with "
    "offsets into the raw page; `describe_articles` prints them for review.",
    "",
    "## How the pages are made (`bench/newspaper_pages.py`)",
    "",
    "Articles are paragraphs of the CMRC 2018 and DRCD documents grouped by title (a lone long "
    "paragraph is cut into paragraphs of two or three sentences). Each gets a headline (its "
    "title), random bylines of two to four names, at the top or in parentheses at the end; "
    "some get a series tag, a `——` sub-headline, section headings made of clauses of the "
    "paragraph they open, or no headline at all. Three to five articles make a page, one "
    "paragraph a line, blank lines between, as on the seed page. Damage, in known places: "
    "up to two articles are cut mid-sentence and the rest printed inside a later article "
    "(between its paragraphs, inside one of them, or after its end); 15% of paragraphs are "
    "broken mid-sentence; up to three lower-case English words and sometimes a stray mark are "
    "put between Chinese characters; half the pages get 30–80 characters of an article repeated "
    "inside a later paragraph of the same article. The repair sees only the page text.",
    "",
    "Generator fixes (they removed cases no reader could resolve, not hard ones): paragraphs "
    "that open on a comma or a closing mark (extraction scraps of the corpora, such as "
    "`，字子迁…` whose subject was stripped) are no longer used; section headings no longer open "
    "on a particle (`的灵感来源`), as they already did not end on one; and a comma between "
    "digits is read as a thousands separator, so headings and sub-headlines are no longer cut "
    "inside numbers (`面积约1` from `面积约1,500平方米`). The pages for a seed changed with "
    "these fixes. On these seed-2023 pages the first repair measured 88.0% split exact, 84.7% "
    "fragments restored and 92.8% join F1, the second 91.0%, 88.4% and 94.5%.",
    "",
    "## How it is scored (`bench/newspaper_eval.py`)",
    "",
    "- An article is recognised by the first ten characters of its body. A page is exactly "
    "right when the articles found are the articles printed, in order, with the printed "
    "headline (series tag included) or, when there is none, a title taken from the first "
    "sentence, and the right byline.",
    "- A moved fragment is restored when its article reads through the cut (eight characters "
    "either side) and ends with the fragment's last words. Text moved wrongly is the share of "
    "page characters inside `move` edits that were not a moved fragment.",
    "- A join is right when its `join` edit spans exactly a line break the generator made "
    "inside a sentence. A drop is right when it overlaps an inserted span by at least half of "
    "the longer of the two.",
    "- Similarity is difflib's ratio between each article found and the original article text "
    "(paragraphs and headings, one a line).",
)

STILL_WRONG = (
    "## What still goes wrong",
    "",
    "- A continuation whose first paragraph is one short sentence with no word formed across "
    "the cut carries almost no evidence: its start is found one paragraph late. Where it ends "
    "is as weak when the text after it shares no character pairs with either article.",
    "- A headline printed with no byline under it, after an article that ends a sentence, "
    "looks like a section heading; it is found only through its closing byline, and about "
    "one such choice in eight still falls on a section heading that reads as a name.",
    "- A line broken after a few characters with no word, particle, unit or page pair across "
    "the break, ending on a noun or verb, reads as a section heading, and a heading made of "
    "two clauses reads as a broken line; most missed and wrong joins are these, and each one "
    "at the top of a continuation also costs the move.",
    "- Lower-case Latin words that belong to the text (glosses, brand names) between Chinese "
    "characters are dropped as noise; they are most of the noise precision lost.",
    "- The figures move by a point or two from one seed's pages to another's (the table "
    "above): 300 pages hold about 300 moved fragments and 15 failed pages make the split "
    "target.",
)
