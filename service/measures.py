"""What a quantity question measures, and the units a figure that answers it is told in."""

from __future__ import annotations

import re

# people are counted in any of these (多少名村医: 乡村医生8000人; 几位: 3名)
PEOPLE = ("人", "名", "位")

# what a quantity question measures, and the units that can state it: a question about a price
# is not answered by a count of visitors, one about an age not by a time (门票多少钱, 今年多大)
MEASURES = (
    (
        re.compile(
            r"多少钱|几块钱|价格|价钱|票价|售价|定价|费用|花了多少|花多少|多贵|奖金|罚款|罚了|"
            r"罚金|投资|资金|收入|营收|利润|工资|薪|成本|门票|金额|造价|补贴|赔偿|赚"
        ),
        ("元", "英镑", "块钱"),
    ),
    (re.compile(r"年纪|几岁|多少岁|年龄|多大了|今年多大|岁数"), ("岁",)),
    (re.compile(r"面积|占地|多少亩|多少平方"), ("平方", "亩", "公顷")),
    (re.compile(r"多重|重量|体重|多少斤|多少公斤|多少吨"), ("克", "吨", "斤")),
    # an amount of a material, weighed or measured by volume (少烧多少煤: 1.5吨, not 1100元)
    (
        # the material itself, not a thing named by it (多少煤矿, 多少油钱, 多少垃圾站)
        re.compile(r"多少(?:煤|燃油|油|粮食?|垃圾|泥沙|化肥|饲料)(?=[了呢吗啊?？，,。！!\s]|$)"),
        ("克", "吨", "斤", "立方米", "方", "升", "桶"),
    ),
    # a volume of water (not 降水量, told in 毫米)
    (
        re.compile(r"[供用蓄需来调补排]水量|库容|多少方水|多少立方"),
        ("立方米", "方", "吨", "升"),
    ),
    (
        re.compile(
            r"率|比例|占比|百分之|比重|几成|同比[^，。？?]{0,4}(?:增长|涨|增加|下降|降|减少)"
        ),
        ("%", "％", "成", "个百分点", "‰"),
    ),
    (
        re.compile(
            r"多少人|几个人|几人|人数|多少名|多少位|多少观众|多少游客|多少读者|多少学生"
            # a number of 人口 asked, not a change or a share of it (人口四年涨了多少, 占多少)
            r"|人口(?![^，。？?]{0,4}(?:增|涨|减|降|变化|占))(?=[^，。？?]{0,4}(?:多少|几))"
        ),
        PEOPLE,
    ),
    (
        re.compile(
            r"多长时间|多少时间|多久|多少天|几天|几个小时|几小时|多少分钟|几分钟|历时|耗时|工期|续航|用时"
        ),
        ("分钟", "小时", "天", "个月", "年", "秒", "周"),
    ),
    (
        re.compile(r"多长|多远|全长|长度|距离|里程|多高|高度|深度|多深|多宽|宽度|海拔"),
        ("米", "公里"),
    ),
)
MONEY = MEASURES[0][1]  # the units of a sum of money
DURATION = next(units for _, units in MEASURES if "小时" in units)  # the units of a span of time
# the characters of the units of one measure: 公斤, 吨 and 斤 weigh alike, 公里 and 米 measure
# alike (service.counted: a follow-up in 吨 counts what the question counted in 公斤)
UNIT_FAMILIES = (frozenset("克吨斤"), frozenset("里米"), frozenset("方升"), frozenset("亩顷"))
