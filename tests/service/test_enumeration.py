"""A fact that is one item of a list is answered with the whole list (service/enumeration.py)."""

import pytest

from service.enumeration import enumerated
from service.short_answer import Span

pytestmark = pytest.mark.unit


def widened(question: str, sentence: str, fact: str) -> str:
    at = sentence.index(fact)
    span = enumerated(question, sentence, Span(at, at + len(fact)))
    return sentence[span.start : span.end]


@pytest.mark.parametrize(
    ("question", "sentence", "fact", "answer"),
    [
        # the first item, the items after it and the last after its link
        (
            "它有什么用途?",
            "它主要用于制造甘油、塑料和人造橡胶。",
            "制造甘油",
            "制造甘油、塑料和人造橡胶",
        ),
        # a later item: back to the first, which opens after 是
        (
            "它先后属于哪两个大陆?",
            "它曾先后是罗迪尼亚大陆、潘诺西亚大陆的一部分。",
            "潘诺西亚大陆",
            "罗迪尼亚大陆、潘诺西亚大陆",
        ),
        # an item that is a verb next to its 、, and a middle item of any words
        ("她的爱好是什么?", "她的爱好是烹饪、书法、插图。", "书法", "烹饪、书法、插图"),
        (
            "公司主营什么?",
            "主营房屋建筑、国际工程外包、物业等业务。",
            "房屋建筑",
            "房屋建筑、国际工程外包、物业",
        ),
        # titles are items whole; 等 ends the list
        (
            "他有哪些著作?",
            "他著有《朱学论集》、《中国和西方对仁的解说》等。",
            "《朱学论集》",
            "《朱学论集》、《中国和西方对仁的解说》",
        ),
        # a count after the last item is none of it; a number opening an item is
        (
            "新增了哪两个专业?",
            "新增人工智能、低空技术与工程两个本科专业。",
            "人工智能",
            "人工智能、低空技术与工程",
        ),
        ("哪几路车在此始发?", "北侧，472路、763路、765路始发。", "763路", "472路、763路、765路"),
        # a link alone joins items only when many are asked
        ("节目在哪两国播出?", "该节目在美国及加拿大播出。", "加拿大", "美国及加拿大"),
        (
            "新馆由谁设计?",
            "新馆由省建筑设计院和本地设计院联合设计。",
            "省建筑设计院",
            "省建筑设计院",
        ),
        # figures and dates are told one by one
        ("一等奖奖金多少?", "一等奖奖金1万元、二等奖5000元。", "1万元", "1万元"),
        # a fact in no list stays as it is
        ("新馆在哪?", "新馆位于南浦区滨江大道。", "南浦区滨江大道", "南浦区滨江大道"),
    ],
)
def test_an_item_of_a_list_is_answered_with_the_whole_list(
    question: str, sentence: str, fact: str, answer: str
) -> None:
    assert widened(question, sentence, fact) == answer


def test_a_list_too_long_to_answer_or_a_fact_inside_a_word_stays_as_it_is() -> None:
    items = "、".join(f"第{n}号展品甲乙丙" for n in range(1, 12))
    sentence = f"展出的有{items}。"
    assert widened("展出了什么?", sentence, "第1号展品甲乙丙") == "第1号展品甲乙丙"
    # a span that does not start and end at words is not widened
    assert widened("它有什么用途?", "它主要用于制造甘油、塑料和人造橡胶。", "造甘") == "造甘"


def test_the_item_the_question_names_is_asked_alone() -> None:
    sentence = "医院新配了1.5T磁共振、64排CT和全自动生化分析仪。"
    assert widened("医院新配了什么规格的CT?", sentence, "64排CT") == "64排CT"
    assert widened("医院新配了哪些设备?", sentence, "64排CT") == (
        "1.5T磁共振、64排CT和全自动生化分析仪"
    )
    # a first item of one character cut off its words is no item (较 | 新)
    assert widened("为啥主要靠江口电厂?", "江口电厂机组较新、煤耗较低。", "煤耗较低") == "煤耗较低"


def test_a_list_is_widened_whole_or_not_at_all() -> None:
    # an ordinal opens an item, a count after the last one does not belong to it
    assert widened("开通了哪些线路?", "今年开通了1号线、2号线和第11号线。", "1号线") == (
        "1号线、2号线和第11号线"
    )
    # a first item of one character: no list, not half of one
    assert widened("这里盛产什么?", "这里盛产稻、麦、棉花和茶叶。", "棉花") == "棉花"
    # the question's own verb opens no item
    assert widened("主要出口什么?", "主要出口钢材、水泥、化肥、小麦。", "化肥") == (
        "钢材、水泥、化肥、小麦"
    )
    # a 《 left open in its clause is no title swallowing the sentence
    sentence = "他著有《朱学论集》、《论仁，该书获得多项大奖并被译成英文出版。"
    assert "该书" not in widened("他有哪些著作?", sentence, "《朱学论集》")
