"""Personal data that looks real: Chinese names, resident IDs, phones, e-mails, addresses.

Everything is drawn from built-in lists with numpy and assembled with pyarrow.compute.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# (city, tier, 6-digit region code of a district, district, population weight)
CITIES: tuple[tuple[str, int, int, str, float], ...] = (
    ("北京", 1, 110105, "朝阳区", 0.09),
    ("上海", 1, 310115, "浦东新区", 0.09),
    ("广州", 1, 440106, "天河区", 0.07),
    ("深圳", 1, 440305, "南山区", 0.07),
    ("杭州", 2, 330106, "西湖区", 0.08),
    ("成都", 2, 510107, "武侯区", 0.09),
    ("武汉", 2, 420106, "武昌区", 0.08),
    ("南京", 2, 320106, "鼓楼区", 0.07),
    ("洛阳", 3, 410305, "涧西区", 0.09),
    ("赣州", 3, 360702, "章贡区", 0.08),
    ("绵阳", 3, 510703, "涪城区", 0.07),
    ("曲靖", 4, 530302, "麒麟区", 0.12),
)
CITY_NAMES = tuple(city[0] for city in CITIES)
CITY_TIER = np.array([city[1] for city in CITIES], dtype=np.int64)
CITY_REGION = np.array([city[2] for city in CITIES], dtype=np.int64)
CITY_WEIGHT = np.array([city[4] for city in CITIES]) / sum(city[4] for city in CITIES)

# Common surnames with their pinyin (used for e-mail names), roughly by frequency.
SURNAMES = (
    ("王", "wang", 7.1),
    ("李", "li", 7.0),
    ("张", "zhang", 6.7),
    ("刘", "liu", 5.4),
    ("陈", "chen", 4.5),
    ("杨", "yang", 3.1),
    ("黄", "huang", 2.2),
    ("赵", "zhao", 2.1),
    ("吴", "wu", 2.0),
    ("周", "zhou", 1.9),
    ("徐", "xu", 1.3),
    ("孙", "sun", 1.3),
    ("马", "ma", 1.2),
    ("朱", "zhu", 1.2),
    ("胡", "hu", 1.1),
    ("郭", "guo", 1.1),
    ("何", "he", 1.0),
    ("高", "gao", 1.0),
    ("林", "lin", 1.0),
    ("罗", "luo", 0.9),
    ("郑", "zheng", 0.9),
    ("梁", "liang", 0.8),
    ("谢", "xie", 0.7),
    ("宋", "song", 0.7),
    ("唐", "tang", 0.7),
    ("许", "xu", 0.6),
    ("韩", "han", 0.6),
    ("冯", "feng", 0.6),
    ("邓", "deng", 0.6),
    ("曹", "cao", 0.6),
    ("彭", "peng", 0.5),
    ("曾", "zeng", 0.5),
    ("肖", "xiao", 0.5),
    ("田", "tian", 0.5),
    ("董", "dong", 0.5),
    ("袁", "yuan", 0.5),
    ("潘", "pan", 0.4),
    ("于", "yu", 0.4),
    ("蒋", "jiang", 0.4),
    ("蔡", "cai", 0.4),
    ("余", "yu", 0.4),
    ("杜", "du", 0.4),
    ("叶", "ye", 0.4),
    ("程", "cheng", 0.4),
    ("苏", "su", 0.3),
    ("魏", "wei", 0.3),
    ("吕", "lv", 0.3),
    ("丁", "ding", 0.3),
    ("任", "ren", 0.3),
    ("沈", "shen", 0.3),
    ("姚", "yao", 0.3),
    ("卢", "lu", 0.3),
    ("欧阳", "ouyang", 0.1),
    ("司马", "sima", 0.02),
)
GIVEN_MALE = tuple(
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林坤峰建国志文博晨阳"
    "睿泽轩昊然天翔毅成东海亮"
)
GIVEN_FEMALE = tuple(
    "芳娜敏静丽艳娟霞秀英慧婷雪琳晶颖玲桂兰萍红梅佳欣怡悦涵梓萱雨彤诗琪思瑶婉清月倩茜璐瑾露燕"
)
STREETS = tuple(
    [
        "人民路",
        "解放路",
        "中山路",
        "建设路",
        "和平路",
        "新华路",
        "文化路",
        "胜利路",
        "长江路",
        "黄河路",
        "光明路",
        "青年路",
        "朝阳路",
        "幸福路",
        "东风路",
        "滨江路",
        "学府路",
        "科技路",
        "金融街",
        "世纪大道",
    ]
)
COMMUNITIES = tuple(
    [
        "阳光花园",
        "锦绣家园",
        "翠湖苑",
        "金色家园",
        "御景湾",
        "华府",
        "碧桂园",
        "万科城",
        "绿地新城",
        "书香门第",
        "时代广场",
        "星河湾",
    ]
)
MOBILE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        155,
        156,
        157,
        158,
        159,
        166,
        177,
        180,
        181,
        182,
        183,
        185,
        186,
        187,
        188,
        189,
        191,
        199,
    ],
    dtype=np.int64,
)
EMAIL_DOMAINS = ("163.com", "126.com", "sina.com", "outlook.com", "foxmail.com", "139.com")
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_CHECK = "10X98765432"


def _pick(values: tuple[str, ...], index: np.ndarray) -> pa.Array:
    return pa.array(values, pa.string()).take(pa.array(index))


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def full_names(rng: np.random.Generator, is_female: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Surname + one or two given-name characters by gender; also the surname positions."""
    n = len(is_female)
    weights = np.array([row[2] for row in SURNAMES])
    surname = rng.choice(len(SURNAMES), size=n, p=weights / weights.sum())
    pool = np.array(GIVEN_MALE + GIVEN_FEMALE)
    n_male = len(GIVEN_MALE)
    offset = np.where(is_female, n_male, 0)
    size = np.where(is_female, len(GIVEN_FEMALE), n_male)
    first = offset + (rng.random(n) * size).astype(np.int64)
    second = offset + (rng.random(n) * size).astype(np.int64)
    two_chars = rng.random(n) < 0.7
    given_second = pc.if_else(pa.array(two_chars), _pick(tuple(pool), second), "")
    surnames = _pick(tuple(row[0] for row in SURNAMES), surname)
    return _join(surnames, _pick(tuple(pool), first), given_second), surname


def id_check_digit(first17: np.ndarray) -> np.ndarray:
    """GB 11643 / ISO 7064 MOD 11-2 check character for 17-digit integers."""
    digits = (first17[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
    remainder = (digits * ID_WEIGHTS).sum(axis=1) % 11
    return np.array(tuple(ID_CHECK))[remainder]


def id_numbers(
    rng: np.random.Generator, region: np.ndarray, birth_day: np.ndarray, is_female: np.ndarray
) -> pa.Array:
    """18-digit resident ID: region, YYYYMMDD, sequence (odd last digit for men), check."""
    birth = birth_day.astype("datetime64[D]")
    years = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    months = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
    ymd = years * 10_000 + months * 100 + days
    parity = 2 * rng.integers(0, 5, len(region)) + np.where(is_female, 0, 1)
    sequence = rng.integers(0, 100, len(region)) * 10 + parity
    first17 = region * 10**11 + ymd * 1_000 + sequence
    text = pa.array(first17).cast(pa.string())
    return _join(text, pa.array(id_check_digit(first17), pa.string()))


def is_valid_id_number(value: str) -> bool:
    """True when an 18-character ID has the right shape and GB 11643 check digit."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(
        int(char) * int(weight) for char, weight in zip(value[:17], ID_WEIGHTS, strict=True)
    )
    return ID_CHECK[total % 11] == value[17]


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = MOBILE_PREFIXES[rng.integers(0, len(MOBILE_PREFIXES), n)]
    return prefix * 10**8 + rng.integers(0, 10**8, n)


def emails(rng: np.random.Generator, surname: np.ndarray) -> pa.Array:
    """QQ numbers for some, surname pinyin + digits at a common domain for the rest."""
    n = len(surname)
    qq = pa.array(rng.integers(10**7, 3 * 10**9, n)).cast(pa.string())
    pinyin = _pick(tuple(row[1] for row in SURNAMES), surname)
    digits = pa.array(rng.integers(100, 100_000, n)).cast(pa.string())
    domain = _pick(EMAIL_DOMAINS, rng.integers(0, len(EMAIL_DOMAINS), n))
    named = _join(pinyin, digits, "@", domain)
    return pc.if_else(pa.array(rng.random(n) < 0.35), _join(qq, "@qq.com"), named)


def addresses(rng: np.random.Generator, city: np.ndarray) -> pa.Array:
    """e.g. 北京市朝阳区人民路88号锦绣家园3栋1201室 - always in the customer's city."""
    n = len(city)
    city_text = _pick(tuple(f"{row[0]}市{row[3]}" for row in CITIES), city)
    street = _pick(STREETS, rng.integers(0, len(STREETS), n))
    number = pa.array(rng.integers(1, 300, n)).cast(pa.string())
    community = _pick(COMMUNITIES, rng.integers(0, len(COMMUNITIES), n))
    block = pa.array(rng.integers(1, 30, n)).cast(pa.string())
    room = pa.array(rng.integers(1, 33, n) * 100 + rng.integers(1, 5, n)).cast(pa.string())
    return _join(city_text, street, number, "号", community, block, "栋", room, "室")
