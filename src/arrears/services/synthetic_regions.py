"""What a synthetic book looks like in each region: products, borrowers, payment channels.

Tables are weighted by repetition (an entry listed 35 times is drawn 35 times as
often as one listed once), so a draw is one ``random()`` call: the benchmark
draws tens of millions of them.

Contact details are made to look real but never to reach anyone: e-mail goes to
the RFC 2606 reserved ``example.*`` domains, and numbers are unique per borrower
(a bijection of the borrower number), not looked up from real subscribers. Even
so, a demo must never send through a live SMS or voice provider.

>>> borrower = REGIONS["cn"].new_borrower(random.Random(1), 1)
>>> borrower.phone.startswith("+861"), len(borrower.phone)
(True, 14)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from arrears.domain.schedule import RepaymentMethod

T = TypeVar("T")

EI = RepaymentMethod.EQUAL_INSTALLMENT
EP = RepaymentMethod.EQUAL_PRINCIPAL
IO = RepaymentMethod.INTEREST_ONLY
BULLET = RepaymentMethod.BULLET


def weighted(pairs: Iterable[tuple[T, int]]) -> tuple[T, ...]:
    """Each item ``weight`` times: ``weighted([("a", 2), ("b", 1)]) == ("a", "a", "b")``."""
    return tuple(item for item, weight in pairs for _ in range(weight))


def pick(rng: random.Random, table: Sequence[T]) -> T:
    """One entry of a weighted table; cheaper than ``rng.choice`` (no bit counting)."""
    return table[int(rng.random() * len(table))]


def scramble(number: int, modulus: int, multiplier: int) -> int:
    """A number in ``range(modulus)``, unique per ``number < modulus``, looking random.

    Two affine steps around a swap of the low three digits with the rest: each
    step is a bijection (the multiplier is coprime to the modulus, a multiple of
    1000), so numbers never collide, and neighbours no longer differ by a constant.
    """
    mixed = (number * multiplier + 19_260_817) % modulus
    mixed = (mixed % 1000) * (modulus // 1000) + mixed // 1000
    return (mixed * multiplier + 7_654_321) % modulus


class Borrower(NamedTuple):
    borrower_id: str
    name: str
    phone: str  # E.164
    email: str | None
    timezone: str  # IANA
    language: str  # BCP 47
    address: str | None = None  # postal, lines joined by "\n" (synthetic_addresses)


@dataclass(frozen=True, slots=True)
class Product:
    """A loan product as the lender prices it; every field is a weighted table."""

    name: str
    principals_minor: tuple[int, ...]
    terms: tuple[int, ...]
    rates: tuple[str, ...]  # annual percent, two decimals
    methods: tuple[RepaymentMethod, ...]
    short_methods: tuple[RepaymentMethod, ...]  # terms of 3 months or less (bullet lives here)
    statement_due_days: tuple[int, ...] = ()  # card installments fall due on the statement day


@dataclass(frozen=True, slots=True)
class Region:
    currency: str
    products: tuple[Product, ...]
    channels: tuple[str, ...]
    new_borrower: Callable[[random.Random, int], Borrower]


def _words(text: str) -> list[str]:
    return text.split()


def _whole_amounts(
    low: int, high: int, step: int, favourites: Iterable[tuple[int, int]] = ()
) -> tuple[int, ...]:
    """Minor units (two decimals) of every ``step`` from low to high, plus favourite round sums."""
    return tuple(major * 100 for major in range(low, high + 1, step)) + weighted(
        (major * 100, weight) for major, weight in favourites
    )


# -- China --------------------------------------------------------------------------------

# fmt: off
# Frequencies per mille, roughly as in the 2020 census; pinyin for the e-mail address.
_CN_SURNAMES = weighted(
    ((surname, pinyin), weight)
    for surname, pinyin, weight in (
        ("王", "wang", 72), ("李", "li", 72), ("张", "zhang", 68), ("刘", "liu", 53),
        ("陈", "chen", 45), ("杨", "yang", 31), ("黄", "huang", 22), ("赵", "zhao", 20),
        ("周", "zhou", 18), ("吴", "wu", 16), ("徐", "xu", 13), ("孙", "sun", 12),
        ("胡", "hu", 11), ("朱", "zhu", 11), ("高", "gao", 10), ("林", "lin", 10),
        ("何", "he", 9), ("郭", "guo", 9), ("马", "ma", 9), ("罗", "luo", 7),
        ("梁", "liang", 7), ("宋", "song", 6), ("郑", "zheng", 6), ("谢", "xie", 6),
        ("韩", "han", 5), ("唐", "tang", 5), ("冯", "feng", 5), ("于", "yu", 5),
        ("董", "dong", 5), ("肖", "xiao", 4), ("程", "cheng", 4), ("曹", "cao", 4),
        ("袁", "yuan", 4), ("邓", "deng", 4), ("许", "xu", 4), ("傅", "fu", 3),
        ("沈", "shen", 3), ("曾", "zeng", 3), ("彭", "peng", 3), ("吕", "lv", 3),
        ("欧阳", "ouyang", 1), ("司马", "sima", 1),
    )
)
# fmt: on
_CN_GIVEN_NAMES = tuple(
    tuple(entry.split(":"))
    for entry in _words(
        "伟:wei 芳:fang 娜:na 秀英:xiuying 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang "
        "勇:yong 艳:yan 杰:jie 娟:juan 涛:tao 明:ming 超:chao 秀兰:xiulan 霞:xia 平:ping "
        "刚:gang 桂英:guiying 建华:jianhua 建国:jianguo 志强:zhiqiang 婷:ting 雪:xue 慧:hui "
        "玉兰:yulan 鑫:xin 浩:hao 宇:yu 俊杰:junjie 子涵:zihan 梓萱:zixuan 欣怡:xinyi "
        "浩然:haoran 宇轩:yuxuan 一诺:yinuo 雨桐:yutong 思远:siyuan 佳怡:jiayi 海燕:haiyan "
        "红梅:hongmei 晓东:xiaodong 文博:wenbo 丹:dan 斌:bin 辉:hui 鹏:peng 琳:lin 颖:ying "
        "倩:qian 晨:chen 凯:kai 玲:ling 春梅:chunmei 志刚:zhigang 建军:jianjun 丽娟:lijuan "
        "国华:guohua 嘉豪:jiahao 晓燕:xiaoyan 小红:xiaohong"
    )
)
# Mobile segments of China Mobile, Unicom and Telecom: 1[3-9]X.
_CN_MOBILE_PREFIXES = weighted(
    (prefix, 3 if prefix.startswith(("13", "18")) else 1)
    for prefix in _words(
        "130 131 132 133 134 135 136 137 138 139 150 151 152 155 156 157 158 159 166 "
        "171 173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
    )
)


def _cn_borrower(rng: random.Random, number: int) -> Borrower:
    surname, surname_pinyin = pick(rng, _CN_SURNAMES)
    given, given_pinyin = pick(rng, _CN_GIVEN_NAMES)
    phone = f"+86{pick(rng, _CN_MOBILE_PREFIXES)}{scramble(number, 10**8, 73_939_133):08d}"
    style = rng.random()
    if style < 0.35:
        email = None  # many borrowers give only a phone number
    elif style < 0.7:
        email = f"{10_000 + scramble(number, 10**9, 27_182_819)}@example.net"  # a QQ-style number
    else:
        email = f"{surname_pinyin}{given_pinyin}{scramble(number, 10**7, 69_069)}@example.com"
    language = "en" if rng.random() < 0.10 else "zh-CN"
    return Borrower(f"B{number:08d}", surname + given, phone, email, "Asia/Shanghai", language)


# fmt: off
_CN_PRODUCTS = weighted((
    (Product(
        "cash_loan",  # 现金贷: round sums, the short ones often repaid in one go
        _whole_amounts(500, 20_000, 100, ((500, 20), (1000, 60), (2000, 60), (3000, 50),
                                          (5000, 60), (8000, 15), (10_000, 30), (20_000, 10))),
        weighted(((3, 25), (6, 30), (9, 15), (12, 30))),
        ("10.80", "12.00", "14.40", "15.40", "17.28", "18.00", "19.80", "21.60", "23.76", "24.00"),
        weighted(((EI, 60), (EP, 15), (IO, 20), (BULLET, 5))),
        weighted(((BULLET, 45), (EI, 35), (IO, 10), (EP, 10))),
    ), 35),
    (Product(
        "phone_installment",  # 手机分期, at the phone's list price
        tuple(price * 100 for price in (1299, 1499, 1599, 1799, 1999, 2299, 2499, 2699, 2999,
                                        3299, 3499, 3999, 4499, 4999, 5499, 5999, 6499, 6999,
                                        7499, 7999)),
        weighted(((6, 25), (12, 50), (24, 25))),
        ("7.20", "8.64", "9.00", "10.80", "12.00", "13.50", "14.40", "15.98"),
        weighted(((EI, 85), (EP, 15))),
        weighted(((EI, 85), (EP, 15))),
    ), 25),
    (Product(
        "bnpl",  # 先享后付: a shopping basket priced to end in 9, mostly under 1,000
        weighted((major * 100, 3 if major < 1000 else 1) for major in range(209, 3000, 10)),
        weighted(((3, 50), (6, 50))),
        ("9.00", "12.00", "14.40", "15.98", "18.00"),
        weighted(((EI, 90), (EP, 10))),
        weighted(((EI, 90), (EP, 10))),
    ), 25),
    (Product(
        "credit_card_installment",  # 信用卡分期, due on the card's statement day
        _whole_amounts(2000, 30_000, 100, ((3000, 20), (5000, 40), (10_000, 30), (20_000, 10))),
        weighted(((3, 20), (6, 30), (12, 35), (24, 15))),
        ("7.20", "8.64", "9.36", "10.80", "12.96", "13.68", "14.40", "16.20", "17.28"),
        weighted(((EI, 60), (EP, 40))),
        weighted(((EI, 60), (EP, 40))),
        statement_due_days=(5, 10, 15, 20, 25),
    ), 15),
))
# fmt: on

# -- United States ------------------------------------------------------------------------

_US_FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Daniel Lisa Matthew Nancy "
    "Anthony Betty Mark Sandra Maria Jose Emily Ashley Kevin Brian Amanda Melissa Luis Priya"
)
_US_LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Nguyen Kim Patel"
)
_US_AREA_CODES = weighted(
    ((area, zone), weight)
    for zone, areas, weight in (
        ("America/New_York", (212, 718, 917, 617, 305, 404, 215, 202, 704, 313), 5),
        ("America/Chicago", (312, 773, 214, 713, 512, 210, 612, 314), 4),
        ("America/Denver", (303, 720, 801, 505), 2),
        ("America/Phoenix", (602, 480), 2),
        ("America/Los_Angeles", (213, 310, 415, 408, 206, 503, 702), 4),
    )
    for area in areas
)


def _us_borrower(rng: random.Random, number: int) -> Borrower:
    first, last = pick(rng, _US_FIRST_NAMES), pick(rng, _US_LAST_NAMES)
    area, zone = pick(rng, _US_AREA_CODES)
    subscriber = scramble(number, 8 * 10**6, 73_939_133)  # exchange 200-999, then four digits
    phone = f"+1{area}{200 + subscriber // 10_000}{subscriber % 10_000:04d}"
    email = None
    if rng.random() < 0.9:
        email = f"{first[0]}{last}{scramble(number, 10**7, 31_415_927)}@example.com".lower()
    return Borrower(f"B{number:08d}", f"{first} {last}", phone, email, zone, "en")


# fmt: off
_US_PRODUCTS = weighted((
    (Product(
        "personal_loan",
        _whole_amounts(1000, 25_000, 500, ((5000, 10), (10_000, 10), (15_000, 5))),
        weighted(((12, 35), (24, 35), (36, 30))),
        ("7.20", "8.99", "9.95", "11.49", "12.99", "14.99", "17.99", "19.99", "22.49", "24.00"),
        weighted(((EI, 95), (EP, 5))),
        weighted(((EI, 95), (EP, 5))),
    ), 35),
    (Product(
        "bnpl",
        tuple(dollars * 100 + 99 for dollars in range(49, 1500, 10)),
        weighted(((3, 60), (6, 40))),
        ("9.99", "14.99", "19.99"),
        (EI,),
        (EI,),
    ), 30),
    (Product(
        "credit_card_installment",
        _whole_amounts(500, 8000, 50, ((1000, 10), (2000, 10))),
        weighted(((3, 30), (6, 40), (12, 30))),
        ("7.20", "9.99", "12.99", "15.99"),
        (EI,),
        (EI,),
        statement_due_days=(1, 15, 28),
    ), 15),
    (Product(
        "phone_installment",
        tuple(price * 100 + 99 for price in (399, 499, 599, 699, 799, 999, 1199, 1299, 1599)),
        weighted(((12, 30), (24, 70))),
        ("7.20", "9.99", "12.99"),
        (EI,),
        (EI,),
    ), 10),
    (Product(
        "cash_loan",
        _whole_amounts(300, 2500, 50, ((500, 20), (1000, 20))),
        weighted(((3, 60), (6, 40))),
        ("17.99", "19.99", "21.99", "24.00"),
        weighted(((EI, 70), (IO, 20), (BULLET, 10))),
        weighted(((BULLET, 50), (EI, 40), (IO, 10))),
    ), 10),
))
# fmt: on

REGIONS: dict[str, Region] = {
    "cn": Region(
        "CNY",
        _CN_PRODUCTS,
        weighted((("alipay", 35), ("wechat_pay", 30), ("bank_transfer", 20), ("unionpay", 15))),
        _cn_borrower,
    ),
    "us": Region("USD", _US_PRODUCTS, weighted((("ach", 60), ("card", 40))), _us_borrower),
}
