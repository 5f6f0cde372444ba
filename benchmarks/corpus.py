"""A synthetic corpus made by varying the seeds, for benchmarks and scale tests.

Each generated document is a seed with its paragraphs reordered, numbers,
years, units and places changed, web boilerplate injected, and — for a share
of them — turned into traditional script with pinyin annotations the way
scraped mirror sites print them. Deterministic for a given seed number.
"""
from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from pathlib import Path

import regex

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
PLACES = ["张掖市", "咸宁市", "师宗县", "磐安县", "绛县", "泰顺县", "新密市", "许昌市", "沂水县", "汕尾市"]
UNITS = ["市质监局", "市发改委", "市工信委", "市商务局", "市农业局", "市环保局", "市财政局", "市教育局"]
BOILERPLATE = [
    "首页 > 政务公开 > 政策文件 > 正文",
    "浏览次数:{n}    发布时间:20{yy}-0{m}-1{d} 10:2{d}:3{m}",
    "扫描二维码 关注我们",
    "本文链接://www.example.gov.cn/policy/{n}.html",
    "(责任编辑:王{d})",
    "猜你喜欢",
]
# A few tone-marked readings, enough to exercise the annotation stripper.
PINYIN = {"质": "zhì", "量": "liàng", "县": "xiàn", "乡": "xiāng", "镇": "zhèn", "发": "fā", "展": "zhǎn",
          "标": "biāo", "准": "zhǔn", "责": "zé", "任": "rèn", "单": "dān", "位": "wèi"}


@functools.cache
def _seed_lines() -> list[list[str]]:
    from pipeline.normalise import normalise

    return [normalise(path.read_text(encoding="utf-8")).text.split("\n") for path in sorted(SEEDS.glob("*.txt"))]


@functools.cache
def _to_traditional():
    import opencc

    return opencc.OpenCC("s2t").convert


def _vary_numbers(line: str, rng: random.Random) -> str:
    line = regex.sub(r"20[01]\d(?=年)", lambda m: str(int(m.group()) + rng.randint(-3, 6)), line)
    return regex.sub(r"(?<![\d〔])\d{1,3}(?=%|个|项|家|户)", lambda m: str(max(1, int(m.group()) + rng.randint(-5, 5))), line)


def _annotate(text: str, rng: random.Random) -> str:
    traditional = _to_traditional()(text)
    simplified_of = {t: s for s, t in ((s, _to_traditional()(s)) for s in PINYIN)}
    return "".join(
        f"{c}({PINYIN[simplified_of[c]]})" if c in simplified_of and rng.random() < 0.7 else c for c in traditional
    )


def document(number: int) -> str:
    rng = random.Random(number)
    lines = list(_seed_lines()[number % len(_seed_lines())])
    body = lines[3:]
    rng.shuffle(body)  # paragraphs reordered
    lines = lines[:3] + body
    place = rng.choice(PLACES)
    text = "\n".join(_vary_numbers(line, rng) for line in lines)
    text = regex.sub(r"张掖市|师宗县|上海市", place, text)
    text = regex.sub(r"市质监局", rng.choice(UNITS), text)
    fill = dict(n=rng.randint(100, 99999), yy=rng.randint(10, 24), m=rng.randint(1, 9), d=rng.randint(0, 9))
    head = [BOILERPLATE[0], BOILERPLATE[1].format(**fill)]
    tail = [b.format(**fill) for b in BOILERPLATE[2:]] + ["相关文章一", "相关文章二"]
    text = "\n".join(head + [text] + tail)
    if number % 4 == 0:  # a quarter in traditional script with pinyin annotations
        text = _annotate(text, rng)
    return text


def _write(folder: Path, number: int) -> Path:
    path = folder / f"synth_{number:06d}.txt"
    path.write_text(document(number), encoding="utf-8")
    return path


def generate(folder: Path, count: int, start: int = 0, workers: int = 1) -> list[Path]:
    """Write documents start … start+count-1 into folder (in worker processes
    if workers > 1: a 100,000-document corpus takes ~13 minutes on one core)."""
    folder.mkdir(parents=True, exist_ok=True)
    numbers = range(start, start + count)
    if workers <= 1:
        return [_write(folder, n) for n in numbers]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(functools.partial(_write, folder), numbers, chunksize=256))


def documents(count: int) -> Iterator[tuple[str, str]]:
    for number in range(count):
        yield f"synth_{number:06d}", document(number)
