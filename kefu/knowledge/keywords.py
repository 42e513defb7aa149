"""Keywords of a text with jieba (TF-IDF over its segmentation), for suggestions and similar cases.

Never for membership: a segmenter misses a term inside a longer word (text.py explains the exact
search). jieba's dictionary gets the domain's words — a built-in list, the category tree, sites
and buildings — once per process, at the first use (a category added later is known after the
next restart).
"""

import logging
import threading

from kefu.knowledge.text import normalise

DOMAIN_WORDS = (
    "道闸", "充电桩", "困人", "漏水", "渗水", "噪音", "光猫", "宽带", "物业费", "电梯", "下水道", "水管", "空调外机",
    "入户门", "门禁", "停车位", "装修", "快递柜", "楼道灯", "路灯", "垃圾", "保洁", "绿化", "管家", "维修", "断网",
    "网速", "账单", "套餐", "扣费", "装机", "地库", "天花板", "吊顶", "外墙", "防水", "堵塞", "跳闸", "停水", "停电",
)
_lock = threading.Lock()
_ready = False


def _prepare() -> None:
    global _ready
    with _lock:
        if _ready:
            return
        import jieba  # type: ignore[import-untyped]  # publishes no types

        jieba.setLogLevel(logging.WARNING)
        words = set(DOMAIN_WORDS)
        try:
            from kefu.customers.models import Building, Site
            from kefu.workorders.models import Category

            words.update(Category.objects.values_list("name", flat=True))
            words.update(Site.objects.values_list("name", flat=True))
            words.update(Building.objects.values_list("name", flat=True).distinct()[:2000])
        except Exception:  # no database yet (a migration, a check): the built-in list is enough
            logging.getLogger(__name__).debug("domain dictionary without the database", exc_info=True)
        for word in words:
            if word and len(word) >= 2:
                jieba.add_word(word, freq=20000)
        jieba.initialize()
        _ready = True


def keywords(text: str, *, limit: int = 8) -> list[str]:
    """The text's most telling words (normalised, two characters or more, no plain numbers)."""
    text = (text or "").strip()[:2000]
    if not text:
        return []
    _prepare()
    import jieba.analyse  # type: ignore[import-untyped]

    out = []
    for word in jieba.analyse.extract_tags(text, topK=limit * 2):
        word = normalise(word).strip()
        if len(word) >= 2 and not word.isdigit() and word not in out:
            out.append(word)
        if len(out) >= limit:
            break
    return out


def segments(text: str) -> list[str]:
    """The text cut into words (search mode), for suggestions."""
    _prepare()
    import jieba

    return [w for w in jieba.cut_for_search(text or "") if w.strip()]
