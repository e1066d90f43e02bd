"""Neighbours of what a question names (service/neighbours.py): a contrasting word told is one
only when the question does not name it too."""

import pytest

from service.evidence import naming_terms
from service.neighbours import names_sibling

pytestmark = pytest.mark.unit


def test_a_contrasting_word_the_question_names_too_is_no_neighbour() -> None:
    told = "旧桥建于1978年，2019年被鉴定为四类危桥后一直限载10吨通行。"
    # 大桥 asked beside 旧桥: the 旧桥 told is the one asked, not a neighbour of the 大桥
    q = "沙溪大桥旧桥哪年被定为危桥的?"
    assert not names_sibling(q, naming_terms(q), told)
    # the old one told for the new one asked still is
    q = "沙溪新桥哪年被定为危桥的?"
    assert names_sibling(q, naming_terms(q), told)
