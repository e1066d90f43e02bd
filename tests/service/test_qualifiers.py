"""The words that change what a figure says are part of the short answer (service.qualifiers)."""

from __future__ import annotations

import pytest

from service.qualifiers import counted, qualified
from tests.conftest import span_of

QUALIFIED_CASES = [
    # a bound before or after the figure
    ("新规要求平台向乘客赔付不低于5元的补偿。", "5元", "不低于5元"),
    ("加固后旧桥限行3吨以下车辆。", "3吨", "3吨以下"),
    ("仓库距生产车间150米以上。", "150米", "150米以上"),
    ("首套房90平方米及以下的契税税率为1%。", "90平方米", "90平方米及以下"),
    ("全球种群数量估计不足1000只。", "1000只", "不足1000只"),
    # a rate, a return period, both directions
    ("该路段限速每小时60公里。", "60公里", "每小时60公里"),
    ("市财政按每家每年8万元给予补助。", "8万元", "每家每年8万元"),
    ("退出产能105万吨/年。", "105万吨", "105万吨/年"),
    ("设计洪水标准提高到100年一遇。", "100年", "100年一遇"),
    ("大桥为双向六车道。", "六车道", "双向六车道"),
    # a range's first end and a duration's larger units
    ("鲜叶收购价每斤在60元到80元之间。", "80元", "60元到80元"),
    ("他以10小时42分18秒的总成绩夺冠。", "42分18秒", "10小时42分18秒"),
    ("孩子每次看屏幕时间不宜超过20分钟。", "20分钟", "不宜超过20分钟"),
    ("几岁的孩子：7至12岁的学生均可报名。", "12岁", "7至12岁"),
    # a word that only holds a numeral (一度) is no range's first end
    ("活珊瑚覆盖率一度跌至12%。", "12%", "12%"),
    ("车型售价为13.98万元至16.98万元。", "16.98万元", "13.98万元至16.98万元"),  # whole
    ("展会于7月10日至12日举办。", "12日", "7月10日至12日"),  # with its month
    # a figure after a word of change is no range's first end (上调10元至90元)
    ("门票价格上调10元至90元。", "90元", "90元"),
    ("营收比上年增加5亿元至120亿元。", "120亿元", "120亿元"),
    # a comparison bounds nothing (高于1.8%的预期); a word goes on (上下车); a score is no time
    ("CPI同比上涨2.1%，高于1.8%的市场预期。", "1.8%", "1.8%"),
    ("该站日均2万人次上下车。", "2万人次", "2万人次"),
    ("他出场36分钟27分。", "27分", "27分"),
    # a change is no range (由3.5米拓宽至4.5米); a date or a word alone is left as it is
    ("路面由3.5米拓宽至4.5米。", "4.5米", "4.5米"),
    ("渔港避风等级由8级提高到12级。", "12级", "12级"),
    ("该厂始建于2006年。", "2006年", "2006年"),
    ("纪念馆每周一闭馆。", "每周", "每周"),
    ("每天有2.3万人次到馆。", "2.3万人次", "2.3万人次"),
    # a rank keeps its 第 (twelve editions is another fact)
    ("徐凤月当选第12届霹雳州议员。", "12届", "第12届"),
    ("他在2001年福布斯富豪榜上排名第51。", "51", "第51"),
    ("他考中进士及第3名。", "3名", "3名"),  # 第 ending 及第 is no rank
]


@pytest.mark.parametrize(("sentence", "fact", "said"), QUALIFIED_CASES)
def test_a_figure_is_given_with_the_words_that_change_what_it_says(
    sentence: str, fact: str, said: str
) -> None:
    assert qualified(sentence, span_of(sentence, fact)) == span_of(sentence, said)


COUNTED_CASES = [
    # the noun a count question counts, told right after the figure
    ("会去几个市县？", "全省有12个市县参加试点。", "12个", "12个市县"),
    ("通到多少座城市了？", "班列已通达96座城市。", "96座", "96座城市"),
    ("拿了多少枚金牌？", "代表团共获得8枚金牌。", "8枚", "8枚金牌"),
    # not a verb after the counter (几次获得冠军), nor another noun than the one asked
    ("他几次获得冠军？", "他3次获得冠军。", "3次", "3次"),
    ("一共演了多少场公益演出？", "进社区共演出34场公益演出。", "34场", "34场"),
    ("有几个市县？", "全省有12个县参加试点。", "12个", "12个"),
    # not inside a word the sentence goes on with (乡 of 12个乡镇)
    ("有几个乡？", "共12个乡镇参加。", "12个", "12个"),
]


@pytest.mark.parametrize(("question", "sentence", "fact", "said"), COUNTED_CASES)
def test_a_count_is_given_with_what_the_question_counts(
    question: str, sentence: str, fact: str, said: str
) -> None:
    assert counted(question, sentence, span_of(sentence, fact)) == span_of(sentence, said)
