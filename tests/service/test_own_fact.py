"""Whether the fact chosen for an answer is told of what the question asks (service.own_fact):
a neighbour's, another role's, year's or event's fact, or one in another measure, gives way to
the one asked, or to none."""

import pytest

from service.own_fact import own_fact
from tests.conftest import span_of

OWN_FACT_CASES = [
    # the reader's figure sits in 二期's clause of a sentence naming 一期 too: 一期's instead
    (
        "一期装机容量多大?",
        "该基地一期装机100万千瓦，二期装机容量150万千瓦。",
        "150万千瓦",
        "100万千瓦",
    ),
    (
        "一期装机容量多大?",
        "该基地一期装机100万千瓦，二期装机容量150万千瓦。",
        "100万千瓦",
        "100万千瓦",
    ),
    # 首批 is 第一批: not the 第二批 asked, and the one asked when it is
    ("第二批准备接入多少个停车场?", "首批接入平台的停车场有386个。", "386个", None),
    ("第一批接入多少个停车场?", "首批接入平台的停车场有386个。", "386个", "386个"),
    # a neighbour held up for comparison: the figure after it is the one asked, its own not
    ("二期吊装平均要多久?", "吊装时间由一期的平均52小时缩短到30小时。", "52小时", "30小时"),
    ("二期吊装平均要多久?", "吊装时间由一期的平均52小时缩短到30小时。", "30小时", "30小时"),
    ("新厂能耗降了多少?", "新厂区采用自动化控制，能耗比老厂降低22%。", "22%", "22%"),
    # 从主城区到湾东新区 is a route, not 主城区 held up for comparison (新区 is no neighbour)
    (
        "从主城区去湾东新区要开多久?",
        "从主城区到湾东新区的车程将由50分钟缩短至12分钟。",
        "12分钟",
        "12分钟",
    ),
    # 下一届 is no first edition beside the 第四届 told
    ("下一届在哪个城市办?", "第四届大赛将于2027年在沣川市举办。", "沣川市", "沣川市"),
    # another placing; no name of the one asked: none
    ("半马女子组亚军是谁?", "女子组冠军是本省选手覃雨桐。", "覃雨桐", None),
    # a length asked, a width told, in the words before the figure or its own
    ("那条宋代石板路有多长?", "较早的一条为宋代石板路，宽约2.4米。", "2.4米", None),
    ("树冠有多宽?", "银杏树高31米，树龄约2300年。", "31米", None),
    ("河道有多宽?", "河道宽约40米，深3米。", "约40米", "约40米"),
    ("双轮车岩画有多高?", "另一幅“双轮车”岩画长约0.8米。", "长约0.8米", None),
    ("新电池寿命有多长?", "新电池的使用寿命提高至15年。", "15年", "15年"),  # 提高: no height
    ("电站有多长?", "电站全长约2.4公里。", "2.4公里", "2.4公里"),
    ("大堤有多长?", "堤顶高程达到68.5米。", "68.5米", None),  # 高程 is a height
    # a route's far end is told only in a route's shape (增至每周5班 names none)
    ("淇州至漠河航线每周有几班?", "淇州至漠河航线3月开通，班次将增至每周5班。", "5班", "5班"),
    # a replacement is a figure of the measure asked, never a year for a capacity
    ("一期装机容量多大?", "项目一期已于2024年并网，二期装机容量150万千瓦。", "150万千瓦", None),
    # a neighbour named as a companion (与2号线换乘) is not what the figure is told of
    ("4号线全长多少公里?", "4号线西起高铁站，与2号线换乘后全长28公里。", "28公里", "28公里"),
    # an amount (59.9万人) is no numbered thing, though its comparison is set aside
    (
        "59.9万人的53年后为多少?",
        "人口从1949年的59.9万人增加到2002年的136.03万人。",
        "136.03万人",
        "136.03万人",
    ),
    # a place asked as the other one of two is weighed by the words before it
    (
        "保存地区包括南山手以及哪个地区?",
        "长崎市的东山手和南山手地区是保存地区。",
        "东山手",
        "东山手",
    ),
    # a figure told of what follows it (建于1988年的一桥) is that one's
    ("澹水二桥是哪一年建成的?", "澹水一桥和二桥中，建于1988年的一桥车流最大。", "1988年", None),
    ("澹水二桥是哪一年建成的?", "澹水一桥和二桥中，建于1988年的一桥车流最大。", "1988年的", None),
    # a figure per unit does not answer a total asked, but does one asked per unit
    ("图书馆总共有多少册藏书?", "城市书房每家藏书不少于3000册。", "3000册", None),
    ("每家书房有多少册藏书?", "城市书房每家藏书不少于3000册。", "3000册", "3000册"),
    ("那两年直播总共挣了多少?", "直播间单场销售额最高超过1.2亿元。", "1.2亿元", None),
    # the question's own figure is no answer: another, or none
    ("首批32名运维人员里有几名女性?", "首批32名持证运维人员正式上岗。", "32名", None),
    # the place asked about, told as where things go, is no answer to where it is
    ("绿源公司在哪儿?", "回收的废旧家电将统一送往绿源公司拆解处理。", "送往绿源公司", None),
    ("2023年开工的项目哪年建成?", "项目2023年开工，2025年建成。", "2023年", "2025年"),
    # a name told right after another role than the one asked (or the deputy's)
    ("铁路集团的董事长是谁?", "董事长林铮说，原铁路集团总经理华启东任副董事长。", "华启东", "林铮"),
    ("县长是谁?", "副县长王明说。", "王明", None),
    # another year, another rate in the fact's clause
    ("2023年接待了多少读者?", "2024年该馆共接待读者412万人次。", "412万人次", None),
    # a clause naming no year is of the year named before it in the sentence
    (
        "新馆2023年接待了多少读者?",
        "报告显示，2024年该馆共接待读者412万人次，其中新馆接待读者306万人次。",
        "306万人次",
        None,
    ),
    (
        "新馆2024年接待了多少读者?",
        "报告显示，2024年该馆共接待读者412万人次，其中新馆接待读者306万人次。",
        "306万人次",
        "306万人次",
    ),
    # not a year held up for comparison or a year of the thing's history
    (
        "2023年外地游客有多少万人次?",
        "今年全市接待游客500万人次，恢复到2019年的120%，其中外地游客300万人次。",
        "300万人次",
        "300万人次",
    ),
    (
        "新馆2024年接待了多少读者?",
        "新馆于2018年建成开放，今年已接待读者306万人次。",
        "306万人次",
        "306万人次",
    ),
    (
        "2023年全市新增就业多少人?",
        "2024年初，市人社局总结了2023年工作，全市新增城镇就业8.5万人。",
        "8.5万人",
        "8.5万人",
    ),
    ("中小学生肥胖率是多少?", "中小学生总体近视率为52.3%。", "52.3%", None),
    # when a thing is finished asked, when it is begun told (or the other way round)
    ("东院区二期什么时候建成?", "东院区二期工程计划于2026年开工。", "2026年", None),
    ("应急响应是哪天解除的?", "8月25日，冯关市启动抗旱四级应急响应。", "8月25日", None),
    ("二期什么时候开工?", "二期工程计划于2026年开工。", "2026年", "2026年"),
    # 落下帷幕 closes an event, 拉开帷幕 opens it
    ("锦标赛哪天开幕的?", "8月4日，锦标赛在兰浦市落下帷幕。", "8月4日", None),
    ("锦标赛哪天开幕的?", "7月30日，锦标赛在兰浦市拉开帷幕。", "7月30日", "7月30日"),
    ("锦标赛哪天闭幕?", "7月30日，锦标赛在兰浦市拉开帷幕。", "7月30日", None),
    # this year asked, last year told in the fact's clause; the other one named short
    ("茶业今年出口了多少吨茶叶?", "该公司去年出口茶叶6800吨。", "6800吨", None),
    ("老所区占地多少?", "新园区占地120亩，是老所区的4倍多。", "120亩", None),
    # a township's figure for another's (乡 and 镇 one level); the subject a sentence opened
    # with carries to a clause naming none (新馆 then 展区面积), unless the one asked is said
    ("白沙乡种了多少亩茶?", "茶园最多的是石门镇和白沙乡：石门镇种茶5200亩。", "5200亩", None),
    ("白沙乡种了多少亩茶?", "白沙乡种茶3100亩，比石门镇少2100亩。", "3100亩", "3100亩"),
    ("白沙乡种了多少亩茶?", "城乡茶园共种茶12万亩。", "12万亩", "12万亩"),  # 城乡 names no place
    ("老馆有多少个阅览座位?", "新馆建筑面积3万平方米，设阅览座位2000个。", "2000个", None),
    ("老馆有多少个阅览座位?", "新馆开放后，老馆仍设阅览座位600个。", "600个", "600个"),
    ("新馆有多少个阅览座位?", "新馆建筑面积3万平方米，设阅览座位2000个。", "2000个", "2000个"),
    # look-alikes they keep: a neighbour held up beside or an opening telling a time, a subject
    # named again (原馆, 该校), a place passed through or compared with, 乡村 and 小镇, a thing
    # named by a material (多少煤矿, 多少油钱)
    ("新馆展区面积多少?", "与老馆相比，展区面积达1.9万平方米。", "1.9万平方米", "1.9万平方米"),
    ("老馆面积多少?", "新馆建成后，原馆将改为档案库，面积5000平方米。", "5000平方米", "5000平方米"),
    ("小学有多少名学生?", "大学城内，该校现有学生1200名。", "1200名", "1200名"),
    ("白沙乡离县城多远?", "白沙乡位于石门镇以东，经石门镇到县城约30公里。", "约30公里", "约30公里"),
    (
        "白沙乡有多少人口?",
        "白沙乡推进乡村振兴，推进乡村建设后常住人口1.2万人。",
        "1.2万人",
        "1.2万人",
    ),
    ("今年关闭了多少煤矿?", "关闭煤矿23处，退出产能900万吨。", "23处", "23处"),
    ("跑一趟要花多少油钱?", "油钱要花800元，共耗油200升。", "800元", "800元"),
    ("烧一冬少用多少煤?", "一冬电费约1100元，可少用散煤1.5吨。", "约1100元", "1.5吨"),
    # the rules above keep what only looks like their case: both roles his, a choice the
    # question names, a person not a place, a total after 每年, 率先, a year counted from
    ("董事长是谁?", "公司董事长兼总经理林铮表示。", "林铮", "林铮"),
    ("2023年和2024年哪年产量更高?", "2024年产量更高。", "2024年", "2024年"),
    ("老年人每月能领多少补贴?", "80岁以上高龄人员每月可领取补贴300元。", "300元", "300元"),
    ("合作社累计分红多少钱?", "合作社通过每年分红累计发放资金120万元。", "120万元", "120万元"),
    ("新能源车渗透率是多少?", "新能源汽车占比在全省率先突破35%。", "35%", "35%"),
    (
        "截至2023年底接待多少读者?",
        "该馆自2019年开馆以来接待读者412万人次。",
        "412万人次",
        "412万人次",
    ),
    # an event's other end, another edition
    ("冬奥会什么时候闭幕?", "冬奥会于2月4日开幕。", "2月4日", None),
    ("这届运动会有多少名运动员?", "上一届运动会有2000名运动员参赛。", "2000名", None),
    # NFKC changes …… into ......: offsets of the original text still hold
    ("那条路有多长?", "那条路……宽约3米，长约2.4公里。", "3米", "约2.4公里"),
    # an age, a share and a price are told in their own measures
    ("亚军庞明今年多大?", "庞明以219.08分获得亚军。", "219.08分", None),
    ("亚军庞明今年多大?", "19岁的庞明以219.08分获得亚军。", "219.08分", "19岁"),
    ("公积金缴存比例最高是多少?", "贷款最高额度为70万元，缴存比例最高12%。", "70万元", "12%"),
    ("高峰时段电价是多少?", "尖峰电价在高峰电价基础上上浮20%。", "20%", None),
    # a size asked with 多大 and a noun, a price in pounds, 十几岁 as a group
    ("展会今年多大规模?", "本届展会展览面积达5万平方米。", "5万平方米", "5万平方米"),
    ("单程票多少钱?", "伦敦地铁单程票价为2.8英镑。", "2.8英镑", "2.8英镑"),
    ("十几岁的青少年有多少人?", "全市十几岁的青少年约86万人。", "约86万人", "约86万人"),
    # a figure in another measure than asked gives way (几倍); 名 counts as 人, 个 anything
    ("营业额是去年同期的几倍?", "开业前3天营业额达86万元，是去年同期的3倍多。", "86万元", "3倍"),
    ("一年办了几场活动?", "全年举办活动1200场，吸引读者43万人次。", "43万人次", "1200场"),
    ("有多少人参加?", "1600多名侨胞参加活动，比上届的1100多人增加。", "1600多名", "1600多名"),
    ("抓了多少个嫌疑人?", "警方抓获犯罪嫌疑人42名，捣毁窝点4个。", "42名", "42名"),
    ("水厂总供水量多少?", "去年供水量1.2亿立方米，每立方米成本4.12元。", "4.12元", "1.2亿立方米"),
    # a price or age word that is not what is asked
    ("电价新档位哪天开始执行?", "新档位自2026年1月1日起执行。", "2026年1月1日", "2026年1月1日"),
    ("年纪最小的桨手提前多久开始练的?", "年纪最小的桨手提前两个月开始练。", "两个月", "两个月"),
    # a month asked is not told by a year alone
    ("省运会几月份举行?", "第十一届省运会将于2029年举行。", "2029年", None),
    ("省运会几月份举行?", "第十一届省运会将于2029年5月举行。", "2029年5月", "2029年5月"),
    # of two things listed side by side, the clause naming the other tells the other's
    ("霞州机场曼谷航线每周几班?", "开通至曼谷、清迈航线，其中清迈航线每周4班。", "4班", None),
    ("霞州机场清迈航线每周几班?", "开通至曼谷、清迈航线，其中清迈航线每周4班。", "4班", "4班"),
    # a name asked may itself be the other item (唐继尧以及谁): weighed by the words before it
    ("起义由将领唐继尧以及谁发动?", "10月30日，将领蔡锷、唐继尧在昆明发动起义。", "蔡锷", "蔡锷"),
]


@pytest.mark.parametrize(("asked", "text", "given", "own"), OWN_FACT_CASES)
def test_a_fact_told_of_a_neighbour_gives_way_to_the_one_asked_or_to_none(
    asked: str, text: str, given: str, own: str | None
) -> None:
    expected = None if own is None else span_of(text, own)
    assert own_fact(asked, text, span_of(text, given)) == expected


ORDINAL_CASES = [
    # a place in order asked, a time or score chosen: the place the sentence tells
    ("关振宇最后排第几？", "关振宇跑出2小时13分07秒，名列第五。", "2小时13分07秒", "第五"),
    (
        "这是他第几次夺冠？",
        "他以38分12秒的成绩夺冠，这是他第三次夺得该项目冠军。",
        "38分12秒",
        "第三次",
    ),
    # the question's own 第五届 is not the answer
    ("第五届大赛他排第几？", "在第五届大赛上他跑出12秒3，获得第三名。", "12秒3", "第三名"),
    # 排第几 is answered with a placing, not a count of times (第三次参赛), nor with one the
    # question says inside its own (第三 of 第三十届)
    ("第三十届大赛他排第几？", "在第三十届大赛上他跑出12秒3，名列第三。", "12秒3", "12秒3"),
    ("他排第几？", "他夺得冠军，这是他第三次参赛，用时12秒3。", "12秒3", "12秒3"),
    # 第三方, 第二天 and 第一时间 tell no place
    ("他排第几？", "据第三方机构统计，他用时12秒3。", "12秒3", "12秒3"),
    ("他排第几？", "第二天他以12秒3冲线。", "12秒3", "12秒3"),
    # two places told: which is asked is not read; no place asked: the fact stays
    ("他排第几？", "第五届他获得第三名，第二届获得第一名，用时12秒3。", "12秒3", "12秒3"),
    ("他跑了多久？", "关振宇跑出2小时13分07秒，名列第五。", "2小时13分07秒", "2小时13分07秒"),
]


@pytest.mark.parametrize(("asked", "text", "given", "told"), ORDINAL_CASES)
def test_a_place_in_order_asked_is_answered_with_the_place_told(
    asked: str, text: str, given: str, told: str
) -> None:
    found = own_fact(asked, text, span_of(text, given))
    assert found == span_of(text, told)
