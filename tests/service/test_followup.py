from service.followup import Turn, is_elliptical, resolve_question

HISTORY = [
    Turn("user", "武陵区开展职业培训多少人?"),
    Turn("assistant", "武陵区开展职业培训1481人。[1]"),
]


def test_elliptical_follow_up_takes_the_frame_of_the_previous_question() -> None:
    assert resolve_question("那创业培训呢?", HISTORY) == "武陵区开展创业培训多少人?"
    assert resolve_question("创业培训呢？", HISTORY) == "武陵区开展创业培训多少人?"


def test_a_new_place_replaces_the_place_of_the_previous_question() -> None:
    history = [Turn("user", "永兴县园区现有规工企业多少家?")]
    assert resolve_question("那安化县呢?", history).startswith("安化县")


def test_full_questions_and_first_turns_stay_as_they_are() -> None:
    full = "安化县方圆天下房地产公司的负责人叫什么名字?"
    assert resolve_question(full, HISTORY) == full
    assert resolve_question("那创业培训呢?", []) == "那创业培训呢?"
    assert not is_elliptical(full)


def test_unrelated_follow_up_keeps_both_turns() -> None:
    resolved = resolve_question("还有发放金额呢", HISTORY)
    assert "职业培训" in resolved and "发放金额" in resolved
