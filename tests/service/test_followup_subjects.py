"""Follow-ups that borrow the previous question's subject, counted thing, stage or time
(service.followup; the forms of a follow-up are tested in test_followup.py)."""

import pytest

from service.followup import resolve_question, subject_of
from tests.service.test_followup import turns


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        # 这种/这个 and a kind: the thing of that kind the previous question named, whole
        ("去年南湖发现了几只中华秋沙鸭？", "这种鸭子全世界还有多少？", "中华秋沙鸭全世界还有多少?"),
        (
            "市肿瘤医院日间化疗中心谁介绍的情况？",
            "这个中心一年能服务多少人次？",
            "市肿瘤医院日间化疗中心一年能服务多少人次?",
        ),
        # a word jieba tags as some other proper noun (金奖, 星星) names no subject of its own
        ("青山酒庄的庄主是谁？", "拿金奖的是哪款酒？", "青山酒庄拿金奖的是哪款酒?"),
        (
            "青山科技馆新馆的望远镜口径多大？",
            "每周几晚上能去看星星？",
            "青山科技馆新馆的望远镜每周几晚上能去看星星?",
        ),
    ],
)
def test_a_kind_named_again_and_a_turn_naming_no_subject_lean_on_the_last(
    previous: str, question: str, resolved: str
) -> None:
    assert resolve_question(question, turns(previous)) == resolved


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        # a stage is part of the subject (一期, tagged as an adverb), unless the whole is asked
        (
            "青湾海洋牧场一期是哪年建成的？",
            "当时投了多少鱼礁？",
            "青湾海洋牧场一期当时投了多少鱼礁?",
        ),
        ("南港冷链园一期占地多少？", "规划总共占多少地？", "南港冷链园规划总共占多少地?"),
        # 主要 names nothing of the subject
        ("改建后的宿舍楼主要住什么人？", "一个月收多少钱？", "宿舍楼一个月收多少钱?"),
    ],
)
def test_the_subject_borrowed_holds_its_stage_and_no_word_naming_nothing(
    previous: str, question: str, resolved: str
) -> None:
    assert resolve_question(question, turns(previous)) == resolved


def test_a_stage_stays_through_the_predicate_and_a_manager_asks_no_whole() -> None:
    assert resolve_question("投资多少?", turns("岚钢一期产能多少?")) == "岚钢一期投资多少?"
    assert subject_of("青湾海洋牧场一期是哪年建成的？", "当时的总经理是谁？") == "青湾海洋牧场一期"
    # a proper noun where a subject stands names the follow-up's own subject
    assert (
        resolve_question("丰田的销量是多少?", turns("比亚迪今年销量多少?")) == "丰田的销量是多少?"
    )


def test_this_official_after_who_is_the_person_answered() -> None:
    history = turns("鹰岭保护区管理局局长是谁？", "管理局局长汤慕云介绍，保护区已装电围栏。[1]")
    assert resolve_question("这位局长说装了多少户？", history) == "汤慕云说装了多少户?"


@pytest.mark.parametrize(
    ("previous", "follow_up", "resolved"),
    [
        # what the previous question counted is what the follow-up counts more of
        ("江城今年新增了多少辆共享单车?", "现在总共有多少辆?", "江城共享单车现在总共有多少辆?"),
        ("江城有多少座城市公园?", "还有几座在建?", "江城城市公园还有几座在建?"),
        # not when it counts in another measure (充电桩 are 个, 几座 counts something else),
        # names a thing of its own, or the previous count named none (多少人 | 参加)
        ("青河县今年新建了多少个充电桩?", "明年还要建几座?", "青河县新建明年还要建几座?"),
        ("江城今年新增了多少辆共享单车?", "现在有多少个停车点?", "江城现在有多少个停车点?"),
        ("江城马拉松有多少人参加?", "最小的才几岁?", "江城马拉松最小的才几岁?"),
        # a noun after the question word was the attribute asked: X的Y before it stays whole
        (
            "青河的污水处理厂用的是什么工艺?",
            "前后建了多长时间?",
            "青河的污水处理厂前后建了多长时间?",
        ),
        ("江城动物园的门票多少钱?", "晚上开到几点?", "江城动物园晚上开到几点?"),
        # jieba tags 预算, 支出, 加固, 修复 verbs: after a noun, before the predicate, they name
        (
            "江城2025年一般公共预算支出安排多少?",
            "用在教育上的有多少?",
            "江城2025年一般公共预算支出用在教育上的有多少?",
        ),
        ("青河水库除险加固分几期?", "要花多少钱?", "青河水库除险加固要花多少钱?"),
        ("红星化工老厂区土壤修复要多长时间?", "要花多少钱?", "红星化工老厂区土壤修复要花多少钱?"),
        # a 那X呢 naming another thing and another time swaps each for its own
        ("城东污水厂改造前一天能处理多少?", "那城西厂现在呢?", "城西厂现在一天能处理多少?"),
        (
            "南门菜场以前的摊位费多少钱一个月?",
            "那北门菜场现在呢?",
            "北门菜场现在的摊位费多少钱一个月?",
        ),
        (
            "东湖小学老校区原来的宿舍几个人住一间?",
            "那新校区现在呢?",
            "东湖小学新校区现在的宿舍几个人住一间?",
        ),
        # a time with no thing beside it (到 names none) is no such pair
        (
            "江城大桥通车初期每天预计多少车?",
            "那到2035年呢?",
            "江城大桥通车初期每天预计多少车? 到2035年",
        ),
    ],
)
def test_a_follow_up_keeps_what_the_previous_question_counted_named_or_timed(
    previous: str, follow_up: str, resolved: str
) -> None:
    assert resolve_question(follow_up, turns(previous)) == resolved


def test_a_measure_question_word_is_no_subject() -> None:
    # jieba tags 多长 a noun: the subject is never the previous question's own question word
    assert subject_of("演练中无人机巡查了多长的堤段?") == "堤段"
    resolved = resolve_question("发现了几处险情?", turns("演练中无人机巡查了多长的堤段?"))
    assert "多长" not in resolved and resolved.endswith("发现了几处险情?")


def test_another_stage_and_a_phase_after_it_swap_the_stage_and_the_time() -> None:
    # 那二期投产后呢: 二期 for 一期, then 投产后 for 现在
    assert (
        resolve_question("那二期投产后呢？", turns("锐能雁溪一期现在有多少员工?"))
        == "锐能雁溪二期投产后有多少员工?"
    )
    # the stage alone, as before
    assert (
        resolve_question("那二期呢？", turns("锐能雁溪一期现在有多少员工?"))
        == "锐能雁溪二期现在有多少员工?"
    )
