"""Plausible Chinese names and ethnicities for synthetic people (vectorized draws).

Surname weights follow the published ranking of the Ministry of Public Security's name
reports (王 李 张 刘 陈 lead with about 7% down to 4.5% each); the decimals are recalled
and rounded, unverified. Ethnic shares per province are rounded recollections of the 2010
census province tables, unverified; provinces without an entry use a small national
remainder. Tibetan and Turkic-language names follow their own patterns, not surname first.
"""

from __future__ import annotations

import numpy as np
import polars as pl

SURNAME_SHARES: dict[str, float] = {
    "王": 7.25, "李": 7.19, "张": 6.84, "刘": 5.40, "陈": 4.61, "杨": 3.22, "黄": 2.45,
    "赵": 2.19, "吴": 2.08, "周": 2.00, "徐": 1.67, "孙": 1.54, "马": 1.44, "朱": 1.26,
    "胡": 1.24, "郭": 1.18, "何": 1.17, "林": 1.14, "高": 1.12, "罗": 1.10, "郑": 0.97,
    "梁": 0.95, "谢": 0.83, "宋": 0.79, "唐": 0.77, "许": 0.69, "韩": 0.68, "冯": 0.66,
    "邓": 0.65, "曹": 0.64, "彭": 0.62, "曾": 0.61, "肖": 0.58, "田": 0.56, "董": 0.55,
    "袁": 0.53, "潘": 0.52, "于": 0.51, "蒋": 0.51, "蔡": 0.50, "余": 0.49, "杜": 0.47,
    "叶": 0.46, "程": 0.45, "苏": 0.44, "魏": 0.43, "吕": 0.42, "丁": 0.41, "任": 0.40,
    "沈": 0.39, "姚": 0.38, "卢": 0.37, "姜": 0.36, "崔": 0.35, "钟": 0.34, "谭": 0.33,
    "陆": 0.32, "汪": 0.31, "范": 0.30, "金": 0.29, "石": 0.29, "廖": 0.28, "贾": 0.28,
    "夏": 0.27, "韦": 0.27, "付": 0.26, "方": 0.26, "白": 0.25, "邹": 0.25, "孟": 0.24,
    "熊": 0.24, "秦": 0.23, "邱": 0.23, "江": 0.22, "尹": 0.22, "薛": 0.21, "闫": 0.21,
    "段": 0.20, "雷": 0.20, "侯": 0.19, "龙": 0.19, "史": 0.18, "陶": 0.18, "黎": 0.17,
    "贺": 0.17, "顾": 0.16, "毛": 0.16, "郝": 0.15, "龚": 0.15, "邵": 0.15, "万": 0.14,
    "钱": 0.14, "严": 0.14, "覃": 0.13, "武": 0.13, "戴": 0.13, "莫": 0.12, "孔": 0.12,
    "向": 0.12, "汤": 0.11,
}  # fmt: skip

MALE_GIVEN = tuple(
    "伟军勇强磊洋杰涛斌超明刚平辉健华国建文志海东林波峰鹏飞亮成春兵福贵生荣德才发金山忠全祥永"
    "家宝云龙学俊浩宇博鑫子轩晨正清松仁义红"
)
FEMALE_GIVEN = tuple(
    "芳娟敏静丽艳秀英霞玲梅兰桂珍凤琴云红燕萍莲花翠菊春香巧慧婷雪琳晶欣怡悦佳月玉美娜丹彩"
)
TIBETAN_NAMES = (
    "扎西", "次仁", "卓玛", "旺堆", "格桑", "央金", "达瓦", "拉姆", "尼玛", "德吉",
    "平措", "白玛", "多吉", "顿珠", "普布", "曲珍", "索朗", "琼达", "边巴", "措姆",
)  # fmt: skip
TURKIC_MALE = (
    "艾力", "买买提", "阿不都", "吐尔逊", "艾合买提", "努尔", "热合曼", "伊力", "亚森", "肉孜",
    "阿迪力", "托合提",
)  # fmt: skip
TURKIC_FEMALE = ("古丽", "阿依古丽", "帕提古丽", "热依拉", "阿依努尔", "米热", "祖丽", "海尼古丽")

TIBETAN_STYLE = frozenset({"藏族", "门巴族", "珞巴族"})
TURKIC_STYLE = frozenset({"维吾尔族", "哈萨克族", "柯尔克孜族", "乌孜别克族", "塔吉克族"})

# Percent of the (rural) population; 汉族 takes the remainder up to 100.
ETHNIC_SHARES: dict[str, dict[str, float]] = {
    "52": {"苗族": 12.0, "布依族": 8.0, "土家族": 4.5, "侗族": 4.5, "彝族": 2.5,
           "仡佬族": 1.5, "水族": 1.0, "回族": 0.5, "白族": 0.5, "瑶族": 0.5},
    "53": {"彝族": 11.0, "哈尼族": 3.6, "白族": 3.4, "傣族": 2.7, "壮族": 2.7, "苗族": 2.6,
           "回族": 1.5, "傈僳族": 1.5, "拉祜族": 1.0, "佤族": 0.9, "纳西族": 0.7, "瑶族": 0.5},
    "54": {"藏族": 91.0, "门巴族": 0.3, "珞巴族": 0.1, "回族": 0.3},
    "65": {"维吾尔族": 55.0, "哈萨克族": 8.0, "回族": 4.5, "柯尔克孜族": 1.0, "蒙古族": 0.8},
    "45": {"壮族": 33.0, "瑶族": 3.2, "苗族": 1.1, "侗族": 0.7, "仫佬族": 0.4, "毛南族": 0.2},
    "64": {"回族": 36.0},
    "63": {"藏族": 25.0, "回族": 15.0, "土族": 4.0, "撒拉族": 2.0, "蒙古族": 1.8},
    "62": {"回族": 5.0, "藏族": 2.0, "东乡族": 2.2, "土族": 0.1, "保安族": 0.1},
    "15": {"蒙古族": 18.0, "满族": 2.0, "回族": 0.8, "达斡尔族": 0.3},
    "51": {"彝族": 3.3, "藏族": 1.8, "羌族": 0.4, "回族": 0.1},
    "50": {"土家族": 4.8, "苗族": 1.6},
    "61": {"回族": 0.4},
    "43": {"土家族": 4.0, "苗族": 3.0, "侗族": 1.3, "瑶族": 1.1, "白族": 0.2},
    "42": {"土家族": 3.6, "苗族": 0.3, "回族": 0.1},
    "46": {"黎族": 16.0, "苗族": 0.8},
    "22": {"朝鲜族": 4.0, "满族": 3.5, "蒙古族": 0.6},
    "21": {"满族": 12.0, "蒙古族": 1.5, "回族": 0.6, "朝鲜族": 0.5},
    "23": {"满族": 2.5, "朝鲜族": 0.8, "蒙古族": 0.3},
    "13": {"满族": 3.0, "回族": 0.8, "蒙古族": 0.3},
}  # fmt: skip
DEFAULT_SHARES = {"回族": 0.8, "满族": 0.5}


def ethnicity_table(province: str) -> tuple[list[str], np.ndarray]:
    """The ethnicities of a province and their probabilities (汉族 first)."""
    shares = ETHNIC_SHARES.get(province, DEFAULT_SHARES)
    names = ["汉族", *shares]
    weights = np.array([max(100.0 - sum(shares.values()), 0.0), *shares.values()])
    return names, weights / weights.sum()


ETHNICITIES: tuple[str, ...] = tuple(
    dict.fromkeys(["汉族", *DEFAULT_SHARES, *(n for t in ETHNIC_SHARES.values() for n in t)])
)


def draw_ethnicities(rng: np.random.Generator, provinces: np.ndarray) -> np.ndarray:
    """One ethnicity (index into ETHNICITIES) per entry of `provinces` (2-digit codes)."""
    result = np.zeros(len(provinces), dtype=np.int64)
    for province in np.unique(provinces):
        where = np.flatnonzero(provinces == province)
        names, probabilities = ethnicity_table(str(province))
        codes = np.array([ETHNICITIES.index(name) for name in names])
        result[where] = codes[rng.choice(len(names), size=len(where), p=probabilities)]
    return result


def draw_surnames(rng: np.random.Generator, count: int) -> np.ndarray:
    """Indexes into SURNAMES, weighted by frequency."""
    weights = np.fromiter(SURNAME_SHARES.values(), dtype=float)
    return rng.choice(len(weights), size=count, p=weights / weights.sum())


SURNAMES = tuple(SURNAME_SHARES)


def _pick(rng: np.random.Generator, pool: tuple[str, ...], count: int) -> pl.Series:
    return pl.Series(pool).gather(rng.integers(0, len(pool), size=count))


def full_names(
    rng: np.random.Generator, surname: np.ndarray, male: np.ndarray, ethnicity: pl.Series
) -> pl.Series:
    """Names for people with the given surname indexes, sexes and ethnicities."""
    count = len(surname)
    frame = pl.DataFrame(
        {
            "surname": pl.Series(SURNAMES).gather(surname),
            "female": ~pl.Series(male, dtype=pl.Boolean),
            "male_1": _pick(rng, MALE_GIVEN, count),
            "male_2": _pick(rng, MALE_GIVEN, count),
            "female_1": _pick(rng, FEMALE_GIVEN, count),
            "female_2": _pick(rng, FEMALE_GIVEN, count),
            "two_characters": rng.random(count) < 0.7,
            "tibetan_1": _pick(rng, TIBETAN_NAMES, count),
            "tibetan_2": _pick(rng, TIBETAN_NAMES, count),
            "turkic_male": _pick(rng, TURKIC_MALE, count),
            "turkic_female": _pick(rng, TURKIC_FEMALE, count),
            "turkic_father": _pick(rng, TURKIC_MALE, count),
            "ethnicity": ethnicity,
        }
    )
    return frame.select(_name_expression()).to_series().alias("name")


def _name_expression() -> pl.Expr:
    first = pl.when(pl.col("female")).then(pl.col("female_1")).otherwise(pl.col("male_1"))
    second = pl.when(pl.col("female")).then(pl.col("female_2")).otherwise(pl.col("male_2"))
    given = pl.when(pl.col("two_characters")).then(first + second).otherwise(first)
    turkic = (
        pl.when(pl.col("female")).then(pl.col("turkic_female")).otherwise(pl.col("turkic_male"))
    )
    return (
        pl.when(pl.col("ethnicity").is_in(list(TIBETAN_STYLE)))
        .then(pl.col("tibetan_1") + pl.col("tibetan_2"))
        .when(pl.col("ethnicity").is_in(list(TURKIC_STYLE)))
        .then(pl.concat_str(turkic, pl.lit("·"), pl.col("turkic_father")))
        .otherwise(pl.col("surname") + given)
    )
