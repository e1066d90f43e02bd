"""那X呢: the words of the previous question that X stands for, swapped for X
(service.substitution, through service.followup.resolve_question)."""

import pytest

from service.followup import Turn, resolve_question


def turns(question: str, answer: str = "") -> list[Turn]:
    return [Turn("user", question), Turn("assistant", answer)]


def test_a_new_number_replaces_the_whole_numbered_thing() -> None:
    resolved = resolve_question("那4号线呢?", turns("青溪地铁3号线什么时候开通?"))
    assert "4号线" in resolved and "3号线" not in resolved and "34号线" not in resolved


def test_a_new_name_replaces_the_whole_name_it_shares_characters_with() -> None:
    assert (
        resolve_question("那钱某某呢?", turns("主犯许某某被判了多少年?"))
        == "主犯钱某某被判了多少年?"
    )


def test_a_numbered_stage_replaces_the_stage_not_a_word_sharing_its_last_character() -> None:
    # jieba cuts 案二审 as one word, and 审 of 审的 shares 一审's end as well
    resolved = resolve_question("那一审呢?", turns("张某盗窃案二审是哪个法院审的?"))
    assert "二审" not in resolved and resolved.endswith("一审是哪个法院审的?")


@pytest.mark.parametrize(
    ("previous", "follow_up", "resolved"),
    [
        ("东湖公园北门几点开？", "那南门呢？", "东湖公园南门几点开?"),
        ("青峰2号的亩产是多少？", "那青峰5号呢？", "青峰5号的亩产是多少?"),
        ("电影节最佳女主角是谁？", "那最佳编剧呢？", "电影节最佳编剧是谁?"),
        ("水务集团的总经理是谁？", "那副总经理呢？", "水务集团的副总经理是谁?"),
        # a role for a role, however unlike (董事长 | 总经理)
        ("新集团的董事长是谁？", "那总经理呢？", "新集团的总经理是谁?"),
        # the committee a secretary is of goes with the role (县委书记 | 县长)
        ("青禾县县委书记是谁？", "那县长呢？", "青禾县县长是谁?"),
        ("青禾县县委书记是谁？", "那副书记呢？", "青禾县县委副书记是谁?"),  # the committee's
        ("镇党委书记是谁？", "那镇长呢？", "镇长是谁?"),
        ("市博物馆副馆长是谁？", "那馆长呢？", "市博物馆馆长是谁?"),
        ("滑雪场初级雪道有几条？", "那高级道呢？", "滑雪场高级道有几条?"),
        ("大桥现在限重多少？", "那原来呢？", "大桥原来限重多少?"),
        ("滨江步道改造后有多长？", "那改造前呢？", "滨江步道改造前有多长?"),
        # a place replaces the place, name and its 市/县 whole (not the 化 it shares)
        ("冷水江市海利化工园区占地多少?", "那安化县呢?", "安化县海利化工园区占地多少?"),
        ("鹿原市今年查处了几起采砂案？", "那沙渠县呢？", "沙渠县今年查处了几起采砂案?"),
        # the word before it that the new thing contrasts goes too (男性 | 墓主 for 女墓主)
        ("男性墓主去世时年龄多大？", "那女墓主呢？", "女墓主去世时年龄多大?"),
        ("大熊猫馆门票多少钱？", "那小熊猫馆呢？", "小熊猫馆门票多少钱?"),
        # a person's name goes with the role it follows (主犯蒋志强, 韦某强, 局长王小明)
        ("主犯蒋志强被判了多少年？", "那从犯呢？", "从犯被判了多少年?"),
        ("主犯韦某强判了几年？", "那从犯呢？", "从犯判了几年?"),
        ("主犯张某判了几年？", "那从犯呢？", "从犯判了几年?"),  # 判 is no part of the name
        ("局长王小明说了什么？", "那副局长呢？", "副局长说了什么?"),
        # not a name nor a word jieba tags one (亚军, 祝贺, 周), nor a place before the run
        ("半马男子组亚军是谁？", "那女子组呢？", "半马女子组亚军是谁?"),
        ("局长祝贺谁？", "那副局长呢？", "副局长祝贺谁?"),
        ("男子组周冠军是谁？", "那女子组呢？", "女子组周冠军是谁?"),
        ("东湖北门几点开？", "那南门呢？", "东湖南门几点开?"),
        ("北京南站几点发车？", "那西站呢？", "北京西站几点发车?"),
        ("老城新区面积多大？", "那旧区呢？", "老城旧区面积多大?"),  # 老 and 旧: one side
        # at most three words go: the place before them stays
        (
            "截至10月底,青溪县城镇新增就业多少人?",
            "那农村劳动力转移就业呢?",
            "截至10月底,青溪县农村劳动力转移就业多少人?",
        ),
    ],
)
def test_a_new_thing_replaces_the_words_it_shares_an_end_with(
    previous: str, follow_up: str, resolved: str
) -> None:
    # the whole counterpart goes (南门 for 北门, not 北南门; 青峰5号, not 青峰5号2号)
    assert resolve_question(follow_up, turns(previous)) == resolved


def test_a_phase_word_is_swapped_only_where_it_is_a_word() -> None:
    assert (
        resolve_question("那改造前呢？", turns("滨江步道改造后有多长？")) == "滨江步道改造前有多长?"
    )
    # 表现在 holds no 现在, 过去一年 is a span, not a phase
    assert "表现在" in resolve_question("那以前呢？", turns("他的表现在全队排第几？"))
    assert resolve_question("那原来呢？", turns("渔港改造后一天能卸多少鱼？")) == (
        "渔港原来一天能卸多少鱼?"
    )
    # a phase named by an event (满产以后) swaps the phase told (现在) like 原来 does
    assert resolve_question("那满产以后呢？", turns("松潭基地一期现在有多少员工？")) == (
        "松潭基地一期满产以后有多少员工?"
    )
    # what X says before the words it replaces is said once
    assert resolve_question("那到高铁站呢？", turns("从机场到火车站打车要多久？")) == (
        "从机场到高铁站打车要多久?"
    )


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        # a name for the one the question opens with in quotes after its kind
        ("台风“摩羯”风力多大？", "那贝碧嘉呢？", "台风“贝碧嘉”风力多大?"),
        # a quoted name for a quoted name, with the words both say before it once
        ("台风“摩羯”在哪里登陆？", "那台风“贝碧嘉”呢？", "台风“贝碧嘉”在哪里登陆?"),
        ("台风“摩羯”在哪里登陆？", "那超强台风“贝碧嘉”呢？", "超强台风“贝碧嘉”在哪里登陆?"),
        ("大熊猫“岷岷”放归时多重？", "那“雪团”呢？", "大熊猫“雪团”放归时多重?"),
        # a plain word is no name for the quoted one: it stands for the thing named before
        (
            "学校食堂“明厨亮灶”覆盖率目标是多少？",
            "那养老院呢？",
            "养老院“明厨亮灶”覆盖率目标是多少?",
        ),
    ],
)
def test_a_name_in_quotes_is_swapped_whole(previous: str, question: str, resolved: str) -> None:
    assert resolve_question(question, turns(previous)) == resolved


def test_a_named_place_and_its_noun_stand_for_the_previous_place_and_its_noun() -> None:
    # 梧阳 | 工厂 for 柏城 | 基地 (was 星驰梧阳工厂基地一期…)
    resolved = resolve_question("那梧阳工厂呢？", turns("星驰柏城基地一期年产能多少？"))
    assert resolved == "星驰梧阳工厂一期年产能多少?"


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        # a time with the part of the year it names is one time, swapped whole
        ("岚港今年1到6月货物吞吐量是多少?", "那去年全年呢?", "岚港去年全年货物吞吐量是多少?"),
        ("去年全省医保一共报销了多少钱?", "那今年3月份呢?", "今年3月份全省医保一共报销了多少钱?"),
        # a figure told with a bound or as a range stands for the earlier figure's bounds too
        (
            "用电缺口在30万千瓦以内启动几级响应?",
            "那超过30万千瓦呢?",
            "用电缺口在超过30万千瓦启动几级响应?",
        ),
        ("年满65岁不满70岁的老人每月补贴多少?", "那60到65岁的呢?", "60到65岁的老人每月补贴多少?"),
        # a name or a figure opening the new thing stands for the one opening the old thing
        ("青港机场迪拜全货机航线每周飞几班?", "那曼谷航线呢?", "青港机场曼谷全货机航线每周飞几班?"),
        ("南港首座加氢站每天加多少氢?", "那3号站呢?", "南港3号加氢站每天加多少氢?"),
        # but not the place the whole question is framed in
        ("梧阳热电厂在哪个区?", "那江口电厂呢?", "梧阳江口电厂在哪个区?"),
        # a common noun keeps the place the question opened with and replaces its noun
        ("岭南省9月底猪存栏有多少?", "那牛呢?", "岭南省9月底牛存栏有多少?"),
        ("南澳的妃子笑什么时候上市?", "那桂味呢?", "南澳的桂味什么时候上市?"),
        # a contrast alone for a named one replaces its name too (the old site is not 城北's);
        # a name cut with the contrasted side at its end keeps the rest; a time word goes whole
        ("市中医院城北院区有多少张床位?", "那老院区呢?", "市中医院老院区有多少张床位?"),
        ("南湖院区建设总投资多少?", "那老院区呢?", "老院区建设总投资多少?"),
        ("青螺湖东片区有多少只天鹅?", "那西片区呢?", "青螺湖西片区有多少只天鹅?"),
        ("今年中晚籼稻最低收购价是多少?", "那早籼稻呢?", "今年早籼稻最低收购价是多少?"),
        # another level of government takes the place's name; a rank (省级, 市级) does not
        ("临川县人民医院院长是谁?", "那省人民医院的院长呢?", "省人民医院的院长是谁?"),
        ("江华省级示范园保教费降了多少?", "那市级示范园呢?", "江华市级示范园保教费降了多少?"),
        # nor a word ending in 的 (项 | 目的 | 首席), nor a place's own level (江华 | 市村民)
        ("该项目的首席科学家是谁?", "那副首席呢?", "该项目的副首席科学家是谁?"),
        ("江华市村民人均收入多少?", "那镇居民呢?", "江华镇居民人均收入多少?"),
        # a bound told with 及 is the figure's too
        ("首套房120平方米及以下的契税是多少?", "那120平以上的呢?", "首套房120平以上的契税是多少?"),
    ],
)
def test_na_x_ne_replaces_the_whole_time_figure_or_thing_it_stands_for(
    previous: str, question: str, resolved: str
) -> None:
    assert resolve_question(question, turns(previous)) == resolved


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        # a year asked swaps the year only: the part of it told stays, and a date is no part
        ("今年1到8月全市GDP多少?", "那去年呢", "去年1到8月全市GDP多少?"),
        ("2023年12月31日前要完成多少?", "那2022年呢", "2022年12月31日前要完成多少?"),
        # an edition for an edition, however this one is said
        ("这届戏曲节预计有多少线下观众?", "那上届呢", "上届戏曲节预计有多少线下观众?"),
        # a part asked swaps the part and keeps the year told
        ("今年1到8月全市GDP多少?", "那全年呢", "今年全年全市GDP多少?"),
        # a name alone for a name: nothing of the old thing's rest to keep
        ("铨山镇大冲村红橘基地有多少亩红橘?", "那小冲村呢", "铨山镇小冲村红橘基地有多少亩红橘?"),
        # a range for a range, both its ends
        ("65岁至69岁的老人每月补贴多少?", "那70到79岁的呢", "70到79岁的老人每月补贴多少?"),
        # a whole area is no thing of the kind asked; punctuation names nothing
        ("广东省有几所高校?", "那全国呢", "全国有几所高校?"),
        ("岭南省9月底猪存栏多少头?", "那，呢", "岭南省9月底猪存栏多少头?"),
    ],
)
def test_what_na_x_ne_leaves_of_the_previous_question(
    previous: str, question: str, resolved: str
) -> None:
    assert resolve_question(question, turns(previous)) == resolved
