"""Postal addresses for synthetic borrowers, so that a demo's letters can be printed.

Drawn from small tables of real provinces, cities, districts and US cities with
their ZIP ranges, and generic street names: they look real, but the streets,
numbers and flats are made up, and nothing here is looked up. An address's
lines are joined by ``"\\n"``, as ``LoanRecord.address`` holds them.

The draws come from a stream of their own (``synthetic_loans.draw_loans`` seeds
it apart from the loan stream), so adding addresses changed no loan of a seed.

>>> print(us_address(random.Random(4), "America/New_York"))
1111 Hill St Apt 17
Boston, MA 02134
>>> cn_address(random.Random(1), "Asia/Shanghai")
'上海市浦东新区朝阳街510号幸福里20栋2601室'
"""

from __future__ import annotations

import random

from arrears.services.synthetic_regions import pick, weighted


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# -- China: 省 市 区 路 号, then the flat (栋 building, floor and room, 室) -------------------

# fmt: off
# (province — empty for the four municipalities —, city, districts), weighted roughly by
# population.
_CN_PLACES = weighted((
    (("", "北京市", ("朝阳区", "海淀区", "东城区", "西城区", "丰台区", "通州区")), 8),
    (("", "上海市", ("浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区", "宝山区")), 8),
    (("", "天津市", ("和平区", "河西区", "南开区", "滨海新区")), 4),
    (("", "重庆市", ("渝中区", "江北区", "南岸区", "沙坪坝区", "渝北区")), 6),
    (("广东省", "广州市", ("天河区", "越秀区", "海珠区", "番禺区", "白云区")), 6),
    (("广东省", "深圳市", ("南山区", "福田区", "罗湖区", "宝安区", "龙岗区")), 6),
    (("浙江省", "杭州市", ("西湖区", "上城区", "拱墅区", "滨江区", "余杭区")), 4),
    (("江苏省", "南京市", ("玄武区", "秦淮区", "鼓楼区", "建邺区", "江宁区")), 3),
    (("江苏省", "苏州市", ("姑苏区", "吴中区", "相城区", "虎丘区")), 4),
    (("四川省", "成都市", ("锦江区", "青羊区", "武侯区", "成华区", "金牛区")), 6),
    (("湖北省", "武汉市", ("江汉区", "武昌区", "洪山区", "江岸区", "汉阳区")), 4),
    (("陕西省", "西安市", ("雁塔区", "碑林区", "新城区", "未央区")), 4),
    (("河南省", "郑州市", ("金水区", "二七区", "中原区", "管城回族区")), 4),
    (("湖南省", "长沙市", ("岳麓区", "芙蓉区", "天心区", "开福区", "雨花区")), 3),
    (("山东省", "济南市", ("历下区", "市中区", "槐荫区", "天桥区")), 3),
    (("福建省", "厦门市", ("思明区", "湖里区", "集美区", "海沧区")), 2),
))
# fmt: on
# Street names found in many Chinese cities.
_CN_STREETS = _words(
    "人民 中山 解放 建设 和平 新华 长江 黄河 文化 胜利 青年 学府 花园 光明 幸福 东风 民生 "
    "振兴 科技 滨河 朝阳 迎宾 育才 金融"
)
_CN_STREET_KINDS = weighted((("路", 6), ("街", 2), ("大道", 1)))
_CN_ESTATES = _words("阳光花园 翠苑小区 锦绣家园 幸福里 碧水湾 金色家园 和谐家园 书香苑")


def cn_address(rng: random.Random, zone: str) -> str:
    """One line, from the province down to the flat: 上海市浦东新区朝阳街510号幸福里20栋2601室."""
    province, city, districts = pick(rng, _CN_PLACES)
    street = pick(rng, _CN_STREETS) + pick(rng, _CN_STREET_KINDS)
    number = 1 + int(rng.random() * 1999)
    estate = pick(rng, _CN_ESTATES) if rng.random() < 0.5 else ""
    building = 1 + int(rng.random() * 30)
    floor, room = 1 + int(rng.random() * 32), 1 + int(rng.random() * 4)
    district = pick(rng, districts)
    return f"{province}{city}{district}{street}{number}号{estate}{building}栋{floor}{room:02d}室"


# -- United States: number, street, unit | city, state ZIP --------------------------------

# fmt: off
# (city, state, lowest and highest ZIP code of the city's range), by the time zone the
# borrower's area code gave.
_US_CITIES: dict[str, tuple[tuple[str, str, int, int], ...]] = {
    "America/New_York": (
        ("New York", "NY", 10001, 10040), ("Boston", "MA", 2108, 2136),
        ("Miami", "FL", 33125, 33186), ("Atlanta", "GA", 30303, 30350),
        ("Philadelphia", "PA", 19102, 19154), ("Washington", "DC", 20001, 20020),
        ("Charlotte", "NC", 28202, 28280), ("Detroit", "MI", 48201, 48240),
    ),
    "America/Chicago": (
        ("Chicago", "IL", 60601, 60661), ("Springfield", "IL", 62701, 62712),
        ("Dallas", "TX", 75201, 75254), ("Houston", "TX", 77002, 77099),
        ("Austin", "TX", 78701, 78759), ("San Antonio", "TX", 78201, 78260),
        ("Minneapolis", "MN", 55401, 55455), ("St. Louis", "MO", 63101, 63147),
    ),
    "America/Denver": (
        ("Denver", "CO", 80202, 80249), ("Salt Lake City", "UT", 84101, 84124),
        ("Albuquerque", "NM", 87102, 87123),
    ),
    "America/Phoenix": (
        ("Phoenix", "AZ", 85003, 85054), ("Tempe", "AZ", 85281, 85288),
        ("Mesa", "AZ", 85201, 85215),
    ),
    "America/Los_Angeles": (
        ("Los Angeles", "CA", 90001, 90068), ("San Francisco", "CA", 94102, 94134),
        ("San Jose", "CA", 95110, 95139), ("Seattle", "WA", 98101, 98199),
        ("Portland", "OR", 97201, 97239), ("Las Vegas", "NV", 89101, 89149),
    ),
}
# fmt: on
_US_STREETS = _words(
    "Maple Oak Pine Cedar Elm Washington Lake Hill Park Main Sunset Lincoln Jackson Walnut "
    "Highland Church River Spring Willow Franklin"
)
_US_STREET_KINDS = weighted((("St", 5), ("Ave", 4), ("Rd", 2), ("Dr", 2), ("Ln", 1), ("Blvd", 1)))


def us_address(rng: random.Random, zone: str) -> str:
    """Two lines, as USPS addresses them: ``1234 Maple Ave Apt 5`` / ``Springfield, IL 62704``;
    the city is one in ``zone`` (the borrower's, from their area code)."""
    city, state, low, high = pick(rng, _US_CITIES.get(zone, _US_CITIES["America/New_York"]))
    number = 100 + int(rng.random() * 9800)
    street = f"{pick(rng, _US_STREETS)} {pick(rng, _US_STREET_KINDS)}"
    style = rng.random()
    unit = ""
    if style < 0.3:
        unit = f" Apt {1 + int(rng.random() * 40)}"
    elif style < 0.4:
        unit = f" Unit {1 + int(rng.random() * 9)}{'ABCD'[int(rng.random() * 4)]}"
    zip_code = low + int(rng.random() * (high - low + 1))
    return f"{number} {street}{unit}\n{city}, {state} {zip_code:05d}"


ADDRESS_MAKERS = {"cn": cn_address, "us": us_address}  # by region code, as REGIONS
