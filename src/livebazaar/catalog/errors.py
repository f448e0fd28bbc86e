"""Catalog refusals, each with a stable code."""

from livebazaar.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from livebazaar.kernel.text import N_


class ShopNotFound(NotFound):
    code = "shop_not_found"
    title = N_("No such shop")


class ProductNotFound(NotFound):
    code = "product_not_found"
    title = N_("No such product")


class ProducerNotFound(NotFound):
    code = "producer_not_found"
    title = N_("No such producer")


class VariantNotFound(NotFound):
    code = "variant_not_found"
    title = N_("No such variant")


class CurrencyMismatch(Invalid):
    code = "currency_mismatch"
    title = N_("A price must be in the shop's currency")


class SharesMustSumTo10000(Invalid):
    code = "shares_must_sum_to_10000"
    title = N_("Revenue shares must add up to 10,000 basis points (100%)")


class UnknownProducer(Invalid):
    code = "unknown_producer"
    title = N_("A revenue share names a producer who is not in this shop")


class DuplicateProducer(Invalid):
    code = "duplicate_producer"
    title = N_("A producer appears twice in the revenue shares")


class DuplicateSku(Invalid):
    code = "duplicate_sku"
    title = N_("Two variants of a product have the same SKU")


class PriceOutOfRange(Invalid):
    code = "price_out_of_range"
    title = N_("A price must be more than zero and at most 10^10 minor units")


class PriceRequired(Invalid):
    code = "price_required"
    title = N_("Give either `variants` or a `price` for the default variant")


class PriceWithVariants(Invalid):
    code = "price_with_variants"
    title = N_("Give `variants` or `price`/`stock`, not both")


class StockBelowCommitted(Conflict):
    code = "stock_below_committed"
    title = N_("Stock cannot go below the units already held or sold")


class BadImage(Invalid):
    code = "bad_image"
    title = N_("Not a JPEG, PNG or WebP picture we can read")


class ImageTooLarge(Invalid):
    code = "image_too_large"
    status = 413
    title = N_("The picture is larger than 8 MB")


class ImageTooManyPixels(Invalid):
    code = "image_too_many_pixels"
    status = 413
    title = N_("The picture has more than 50 megapixels")


class NotAShopProducer(Invalid):
    code = "not_a_shop_producer"
    title = N_("A producer is linked only to an account that holds the producer role in its shop")


class PlatformAdminRequired(Forbidden):
    code = "admin_required"
    title = N_("Only a platform admin may do this")
