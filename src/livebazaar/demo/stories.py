"""The two seed stories the demo tells, as plain data.

1. Xinchangle, Zhuji (Zhejiang): one of China's largest freshwater pearl centres, where a single
   livestreaming room in a courtyard sells for some twenty pearl farmers.
2. A Rwandan coffee cooperative selling to Chinese viewers: the ambassador hosts, a well-known
   influencer co-hosts, and a flash drop of 3,000 bags of coffee sells in about a minute.

The people and cooperatives here are invented; the shapes of the stories are the news ones.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "mango river at dawn"  # noqa: S105  (a published demo login, not a secret)


@dataclass(frozen=True)
class Person:
    email: str
    display_name: str
    password: str = DEMO_PASSWORD


@dataclass(frozen=True)
class ProducerSeed:
    name: str
    village: str
    bio: str
    region: str = "Zhuji, Zhejiang"


@dataclass(frozen=True)
class VariantSeed:
    sku: str
    name: str
    price_minor: int
    stock: int


@dataclass(frozen=True)
class ProductSeed:
    key: str
    title: str
    description: str
    place: str
    region: str
    country: str
    steps: tuple[str, ...]
    variants: tuple[VariantSeed, ...]
    images: tuple[tuple[str, str], ...]  # (url, alt: the angle it shows)
    # (producer index, weight): weights become basis points summing to 10,000.
    makers: tuple[tuple[int, int], ...]
    # The farm-gate price a middleman paid per unit before (minor units, shop's currency).
    reference_minor: int | None = None
    reference_unit: str = "bag"


@dataclass(frozen=True)
class DropSeed:
    product_key: str
    quantity: int
    price_minor: int
    per_buyer_limit: int
    duration_s: int
    hold_s: int


@dataclass(frozen=True)
class ShowSeed:
    title: str
    description: str
    starts_in_s: int  # scheduled this long after seeding (0: starts now)
    lineup: tuple[str, ...]  # product keys, in order
    pinned: str
    go_live: bool
    cohost: Person | None = None
    drop: DropSeed | None = None
    host_says: str = ""  # opening chat lines once live
    cohost_says: str = ""


@dataclass(frozen=True)
class Story:
    shop_name: str
    country: str
    currency: str
    description: str
    host: Person
    producers: tuple[ProducerSeed, ...]
    products: tuple[ProductSeed, ...]
    show: ShowSeed
    # A producer who signs in: a member with the producer role, linked to producers[index],
    # paid by mobile money to `phone`; and the shop's own payout method's phone.
    farmer: tuple[Person, int, str] | None = None
    shop_phone: str = ""


def split_bps(weights: list[int]) -> list[int]:
    """Basis points proportional to `weights`, summing to exactly 10,000 (largest remainder)."""
    total = sum(weights)
    exact = [w * 10_000 / total for w in weights]
    bps = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - bps[i], reverse=True)
    for i in by_remainder[: 10_000 - sum(bps)]:
        bps[i] += 1
    return bps


# --- Story 1: the pearl village -------------------------------------------------------------

PEARL_STEPS = (
    "Pond: mussels grow in the village ponds for three to six years.",
    "Harvest: in the cool months the farmers lift the mussels and open them by hand.",
    "Sorting: pearls are washed, then sorted by size, shape, lustre and colour.",
    "Drilling: each pearl is drilled on a small bench drill, straight through the centre.",
    "Stringing: pearls are strung on silk with a knot between each one.",
)

_FARMERS = (
    (
        "Chen Guoliang",
        "Xinchangle",
        "Has farmed the east ponds since 1992; known for round white pearls.",
    ),
    ("Wang Meifang", "Xinchangle", "Sorts by lustre with a trained eye; runs the family stall."),
    (
        "Zhao Jianhua",
        "Xinchangle",
        "Second-generation farmer, drills and strings in his courtyard.",
    ),
    ("He Lina", "Xinchangle", "Started livestreaming in 2019; explains grading to viewers."),
    ("Sun Wei", "Shanxiahu", "Raises mussels in three ponds by the river."),
    ("Zhou Xiulan", "Xinchangle", "Strings necklaces with silk knots, thirty years of practice."),
    ("Wu Haitao", "Shanxiahu", "Specialises in baroque pearls with unusual shapes."),
    ("Xu Yanping", "Xinchangle", "Keeps the cooperative's quality log for every harvest."),
    ("Ma Jun", "Xinchangle", "Returned from Hangzhou to farm his parents' ponds."),
    ("Lin Qiong", "Shanxiahu", "Makes stud earrings; sets each pearl by hand."),
    ("Huang Deming", "Xinchangle", "Oldest member; taught half the village to open mussels."),
    ("Guo Fang", "Xinchangle", "Grades pink and lavender pearls."),
    ("Luo Cheng", "Shanxiahu", "Tends water quality: pond oxygen, plankton, temperature."),
    ("Tang Xiaoyu", "Xinchangle", "Packs and ships the orders after each show."),
    ("Feng Lei", "Xinchangle", "Drills loose pearls for beaders and jewellery makers."),
    ("Yang Hui", "Shanxiahu", "Farms with her husband; sells button pearls."),
    ("Jiang Bo", "Xinchangle", "Photographs every piece from several angles for the shop."),
    ("Qian Rong", "Xinchangle", "Holds the camera during the courtyard shows."),
    ("Deng Ping", "Shanxiahu", "Raises young mussels for next season's ponds."),
    ("Shen Yue", "Xinchangle", "Youngest member; answers viewers' questions in the chat."),
)

PEARL_FARMERS = tuple(ProducerSeed(name=n, village=v, bio=b) for n, v, b in _FARMERS)


def _pearl(
    key: str,
    title: str,
    description: str,
    variants: tuple[VariantSeed, ...],
    images: tuple[tuple[str, str], ...],
    makers: tuple[tuple[int, int], ...],
) -> ProductSeed:
    return ProductSeed(
        key=key,
        title=title,
        description=description,
        place="Xinchangle",
        region="Zhuji, Zhejiang",
        country="CN",
        steps=PEARL_STEPS,
        variants=variants,
        images=images,
        makers=makers,
    )


# Every farmer's pearls go into the courtyard necklace; weights follow pearls contributed.
_ALL_FARMERS = tuple((i, 3 if i % 4 == 0 else 2) for i in range(20))

PEARL_PRODUCTS = (
    _pearl(
        "necklace",
        "Courtyard freshwater pearl necklace",
        "Near-round white freshwater pearls, 7-8 mm, knotted on silk, 45 cm.",
        (
            VariantSeed("XCL-NK-45-78", "45 cm, 7-8 mm", 39900, 60),
            VariantSeed("XCL-NK-45-89", "45 cm, 8-9 mm", 59900, 30),
        ),
        (
            ("/static/demo/necklace-front.svg", "Necklace laid flat, from the front"),
            ("/static/demo/necklace-clasp.svg", "Close-up of the silver clasp and silk knots"),
            ("/static/demo/necklace-worn.svg", "Necklace on a display bust"),
        ),
        _ALL_FARMERS,
    ),
    _pearl(
        "earrings",
        "Pearl stud earrings",
        "A matched pair of 8 mm button pearls on sterling silver posts.",
        (
            VariantSeed("XCL-ER-WHT", "White", 12900, 80),
            VariantSeed("XCL-ER-PNK", "Pink", 13900, 40),
        ),
        (
            ("/static/demo/earrings-front.svg", "The pair from the front"),
            ("/static/demo/earrings-side.svg", "One earring from the side, showing the post"),
        ),
        ((9, 4), (3, 2), (11, 2), (15, 1), (19, 1)),
    ),
    _pearl(
        "loose",
        "Loose drilled pearls, 10 pieces",
        "Ten drilled baroque pearls for your own jewellery; each one a different shape.",
        (
            VariantSeed("XCL-LP-BAR-10", "Baroque, 10 pcs", 5900, 200),
            VariantSeed("XCL-LP-RND-10", "Round, 10 pcs", 7900, 120),
        ),
        (
            ("/static/demo/loose-tray.svg", "Pearls on a sorting tray, from above"),
            ("/static/demo/loose-hand.svg", "A handful of pearls, showing their sizes"),
            ("/static/demo/loose-drill.svg", "Pearls on the drilling bench"),
        ),
        ((6, 3), (14, 3), (4, 2), (12, 1), (18, 1)),
    ),
)

PEARL_HOST = Person("host@pearls.example.org", "Chen Jing (courtyard host)")

PEARL_STORY = Story(
    shop_name="Xinchangle Pearl Cooperative",
    country="CN",
    currency="CNY",
    description=(
        "Twenty pearl-farming families of Xinchangle village, Zhuji, selling together from one "
        "livestreaming room in a courtyard."
    ),
    host=PEARL_HOST,
    producers=PEARL_FARMERS,
    products=PEARL_PRODUCTS,
    show=ShowSeed(
        title="Live from the courtyard",
        description=(
            "One room, twenty farmers: we open mussels on camera, grade the pearls and string "
            "them while you watch."
        ),
        starts_in_s=2 * 3600,
        lineup=("necklace", "earrings", "loose"),
        pinned="necklace",
        go_live=False,
    ),
)


# --- Story 2: the Rwandan coffee cooperative ------------------------------------------------

# Currency: CNY, not RWF. The buyers are Chinese viewers in a Chinese live room, as on Taobao
# Live: they see and pay yuan, and a flash drop needs one fixed price that does not move with an
# exchange rate while 3,000 bags sell in a minute. Paying the cooperative in RWF is settlement
# (the ledger's job, at a dated rate locked into each order), not the price on the screen.
COFFEE_CURRENCY = "CNY"

COFFEE_STEPS = (
    "Hillside farm: Bourbon trees grow at 1,700-2,000 m above Lake Kivu.",
    "Picking: only the ripe red cherries are picked, by hand.",
    "Washing station: cherries are pulped, fermented and washed the same day.",
    "Drying: the beans dry for two to three weeks on raised beds in the sun.",
    "Roasting and packing: roasted to a medium profile and sealed in 250 g bags.",
)

COFFEE_GROWERS = tuple(
    ProducerSeed(name=n, village=v, bio=b, region="Nyamasheke, Western Province")
    for n, v, b in (
        ("Uwimana Claudine", "Gihombo", "Leads the washing station's women growers' group."),
        ("Habimana Jean", "Kagano", "Grows Bourbon on 900 trees above the lake."),
        ("Mukamana Esperance", "Gihombo", "Runs the drying beds and the quality cupping."),
        ("Nsengiyumva Eric", "Bushekeri", "Grows coffee and the bird's-eye chilies."),
        ("Ingabire Alice", "Kagano", "Makes the cooperative's chili sauce from her own peppers."),
    )
)

COFFEE_PRODUCTS = (
    ProductSeed(
        key="beans",
        title="Lake Kivu Bourbon coffee beans, 250 g",
        description="Washed Red Bourbon, medium roast: black tea, orange, a little honey.",
        place="Gihombo washing station",
        region="Nyamasheke, Western Province",
        country="RW",
        steps=COFFEE_STEPS,
        variants=(
            VariantSeed("INZ-BEAN-250", "Whole bean, 250 g", 6900, 5000),
            VariantSeed("INZ-GRD-250", "Ground for pour-over, 250 g", 6900, 1000),
        ),
        images=(
            ("/static/demo/coffee-bag-front.svg", "The 250 g bag from the front"),
            ("/static/demo/coffee-bag-back.svg", "The back of the bag: origin and roast date"),
            ("/static/demo/coffee-beans.svg", "Roasted beans, close up"),
        ),
        makers=((0, 3), (1, 3), (2, 2), (3, 2)),
        # Chosen so the farmer's statement reads "+4.00 CNY per bag" for the demo's first sales
        # (2-bag orders from the drop at 49.00: 13.50 a bag reaches a 30 % grower after the
        # card fee of 2.9 % + 0.30 and the platform's 5 %); tests/demo/test_demo_payday.py
        # checks it. Orders of other sizes pay a little more or less per bag (the fixed 0.30).
        reference_minor=950,
    ),
    ProductSeed(
        key="drip",
        title="Drip coffee bags, 10 x 12 g",
        description="The same coffee in single-cup drip bags: hang on a cup, pour hot water.",
        place="Gihombo washing station",
        region="Nyamasheke, Western Province",
        country="RW",
        steps=(*COFFEE_STEPS[:4], "Grinding and packing: ground fresh, sealed in drip bags."),
        variants=(VariantSeed("INZ-DRIP-10", "10 bags", 4500, 800),),
        images=(
            ("/static/demo/drip-box.svg", "The box of ten drip bags"),
            ("/static/demo/drip-cup.svg", "A drip bag hung on a cup"),
        ),
        makers=((0, 1), (1, 1), (2, 1)),
    ),
    ProductSeed(
        key="chili",
        title="Pili-pili chili sauce, 200 ml",
        description="Bird's-eye chilies in oil with garlic and lemon: hot, bright, a bit smoky.",
        place="Kagano",
        region="Nyamasheke, Western Province",
        country="RW",
        steps=(
            "Growing: bird's-eye chilies grow between the coffee rows.",
            "Picking: picked red and dried for two days.",
            "Cooking: ground with garlic and lemon, simmered in oil.",
            "Bottling: filled hot into 200 ml jars and sealed.",
        ),
        variants=(
            VariantSeed("INZ-CHL-200", "Hot, 200 ml", 3900, 600),
            VariantSeed("INZ-CHL-200X", "Extra hot, 200 ml", 3900, 300),
        ),
        images=(
            ("/static/demo/chili-jar.svg", "The jar from the front"),
            ("/static/demo/chili-label.svg", "The label, with the chili farmer's name"),
        ),
        makers=((4, 3), (3, 1)),
    ),
)

AMBASSADOR = Person("ambassador@coffee.example.org", "The Ambassador")
INFLUENCER = Person("influencer@coffee.example.org", "Xiao Lan (influencer)")
BUYER = Person("buyer@example.org", "Demo Buyer")
COFFEE_FARMER = Person("farmer@coffee.example.org", "Uwimana Claudine (coffee farmer)")

COFFEE_STORY = Story(
    shop_name="Inzozi Coffee Cooperative",
    country="RW",
    currency=COFFEE_CURRENCY,
    description=(
        "Coffee and chili growers of Nyamasheke, Rwanda, selling straight to viewers in China: "
        "no middlemen, so more of each bag's price reaches the farmers."
    ),
    host=AMBASSADOR,
    producers=COFFEE_GROWERS,
    products=COFFEE_PRODUCTS,
    show=ShowSeed(
        title="Rwanda coffee night with the Ambassador",
        description=(
            "The Ambassador and Xiao Lan taste this season's Lake Kivu coffee. Flash drop: "
            "3,000 bags at the farm-gate price."
        ),
        starts_in_s=0,
        lineup=("beans", "drip", "chili"),
        pinned="beans",
        go_live=True,
        cohost=INFLUENCER,
        drop=DropSeed(
            product_key="beans",
            quantity=3000,
            price_minor=4900,
            per_buyer_limit=5,
            duration_s=3600,
            hold_s=300,
        ),
        host_says="Welcome! Coffee from Lake Kivu, straight from the farmers to you.",
        cohost_says="大家好! 3,000 bags in the drop, at the farm-gate price. Go go go!",
    ),
    farmer=(COFFEE_FARMER, 0, "+250 788 451 207"),  # MTN Rwanda (078)
    shop_phone="+250 788 300 120",
)

STORIES = (PEARL_STORY, COFFEE_STORY)
