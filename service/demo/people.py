"""Who the workers are: men and women of 20–57, mostly migrants registered in a county of
Sichuan, Guizhou, Henan, Anhui or Jiangxi, the rest mostly from the employer's own county; a
Chinese name, a mobile number and an identity number each."""

import numpy as np
import pandas as pd

from service.demo.context import Context
from service.demo.employers import per_trade
from service.demo.identifiers import unique_id_numbers
from service.demo.places import HUKOU_COUNTIES, HUKOU_PROVINCE_WEIGHTS

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
MALE_CHARS = list(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳建国志文海峰亮成东兵"
)
FEMALE_CHARS = list("芳娟敏静丽艳娜秀英霞玲燕萍红琴云莲梅兰凤洁倩婷雪慧佳颖琳月春桂霜")
PHONE_PREFIXES = (
    130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159, 166,
    173, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 199,
)  # fmt: skip


def assign_identities(ctx: Context, employers: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Sex, origin, age, identity number, name and phone of each worker in `frame`."""
    e = frame["employer"].to_numpy()
    n = len(e)
    rng = ctx.rng
    trade = employers["trade"].to_numpy()[e]
    female = rng.random(n) < per_trade(trade, lambda t: t.female_share)
    migrant = rng.random(n) < employers["migrant_share"].to_numpy()[e]
    frame["migrant"] = migrant
    frame["hukou"] = _hukou_counties(ctx, employers, e, migrant)
    # Adults of 20–57 on as_of: 18 or more on their first day, under 60 throughout.
    age_days = ctx.uniform_days(20 * 365 + 5, 57 * 365, n)
    birth = ctx.as_of - age_days
    frame["id_number"] = unique_id_numbers(rng, frame["hukou"].to_numpy(), birth, female)
    frame["worker_name"] = person_names(rng, female)
    prefixes = np.array(PHONE_PREFIXES, dtype=np.int64)[rng.integers(0, len(PHONE_PREFIXES), n)]
    phone = prefixes * 100_000_000 + rng.integers(0, 100_000_000, n)
    frame["phone"] = pd.Series(phone).astype("str")


def _hukou_counties(
    ctx: Context, employers: pd.DataFrame, e: np.ndarray, migrant: np.ndarray
) -> np.ndarray:
    n = len(e)
    provinces = list(HUKOU_COUNTIES.values())
    province = ctx.rng.choice(len(provinces), n, p=HUKOU_PROVINCE_WEIGHTS)
    sizes = np.array([len(codes) for codes in provinces])
    flat = np.concatenate([np.array(codes) for codes in provinces])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pick = starts[province] + np.floor(ctx.rng.random(n) * sizes[province]).astype(np.int64)
    # Local workers: most are registered in the employer's own county.
    own = employers["county_code"].to_numpy()[e]
    elsewhere = ctx.rng.choice(ctx.counties["code"].to_numpy(), n, p=ctx.counties["weight"])
    local = np.where(ctx.rng.random(n) < 0.6, own, elsewhere)
    return np.where(migrant, flat[pick], local)


def person_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    n = len(female)
    ranks = np.arange(1, len(SURNAMES) + 1)
    weights = 1 / ranks**0.8  # a few surnames are very common (王, 李, 张 …)
    surname = np.array(SURNAMES)[rng.choice(len(SURNAMES), n, p=weights / weights.sum())]
    male_chars, female_chars = np.array(MALE_CHARS), np.array(FEMALE_CHARS)
    first = np.where(
        female,
        female_chars[rng.integers(0, len(female_chars), n)],
        male_chars[rng.integers(0, len(male_chars), n)],
    )
    second = np.where(
        female,
        female_chars[rng.integers(0, len(female_chars), n)],
        male_chars[rng.integers(0, len(male_chars), n)],
    )
    second = np.where(rng.random(n) < 0.2, "", second)  # one in five has a one-character name
    return (
        pd.Series(surname, dtype="str")
        + pd.Series(first, dtype="str")
        + pd.Series(second, dtype="str")
    ).to_numpy()
