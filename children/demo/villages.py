"""Villages for the townships that have none yet, in Dingzhou's proportions (542 for 25 townships)."""

import random

from ..models import Township, Village
from .words import (
    COMMUNITY_CORES,
    COMMUNITY_FORMS,
    DIRECTIONS,
    SPECIAL_VILLAGES,
    SURNAME_WEIGHTS,
    SURNAMES,
    VILLAGE_SUFFIXES,
)

VILLAGES_FOR_25_TOWNSHIPS = 542  # 村（社区） in Dingzhou, 2022-10 (DOMAIN.md 5.4)


def make_villages(*, seed: int) -> int:
    """Create the villages of every township without any; how many were created."""
    rng = random.Random(f"{seed}-areas")  # noqa: S311 -- apart from the children's: existing villages change nothing
    townships = list(Township.objects.order_by("code"))
    existing = set(Village.objects.values_list("township_id", flat=True).distinct())
    empty = [t for t in townships if t.pk not in existing]
    if not empty:
        return 0
    urban = Township.Kind.SUBDISTRICT
    sizes = [rng.randint(8, 12) if t.kind == urban else rng.randint(17, 30) for t in empty]
    target = round(VILLAGES_FOR_25_TOWNSHIPS * len(empty) / 25)
    rural = [i for i, t in enumerate(empty) if t.kind != urban] or list(range(len(empty)))
    step = 1 if sum(sizes) < target else -1
    for n in range(abs(target - sum(sizes))):
        sizes[rural[n % len(rural)]] += step
    cores = [c + f for c in COMMUNITY_CORES for f in COMMUNITY_FORMS if not (f and c[-1] in "苑园院")]
    rng.shuffle(cores)
    villages = []
    for township, size in zip(empty, sizes, strict=True):
        names: list[str] = []
        while len(names) < size:
            name = cores.pop() + "社区" if township.kind == urban else _village_name(rng)
            if name not in names:
                names.append(name)
        villages += [Village(township=township, name=name) for name in names]
    Village.objects.bulk_create(villages, batch_size=500)
    return len(villages)


def _village_name(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return rng.choice(SPECIAL_VILLAGES) + "村"
    prefix = rng.choice(DIRECTIONS) if rng.random() < 0.4 else ""
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    return f"{prefix}{surname}{rng.choice(VILLAGE_SUFFIXES)}村"
