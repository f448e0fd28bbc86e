// The product card (#pinned): pictures, variants, origin story, producers, and its buy sheet.
// The viewer page shows the pinned product in it; the replay page, the one pinned at the
// video's current time.

import { $, el } from "./dom.js";
import { showAllowance, showVariants, variantPriceChanged } from "./buy.js";
import { priceNodes, showCharged } from "./fx.js";
import { formatShare } from "./i18n.js";

export class ProductCard {
  constructor() {
    this.productId = $("pinned").dataset.productId || null;  // what the server rendered
    showAllowance($("pinned-buy"), this.productId);
    const slides = $("pinned-slides");
    $("slide-prev").addEventListener("click", () => slides.scrollBy({ left: -slides.clientWidth, behavior: "smooth" }));
    $("slide-next").addEventListener("click", () => slides.scrollBy({ left: slides.clientWidth, behavior: "smooth" }));
  }

  // Shows product `id` (null hides the card) under `label`; fetches it only when it changes.
  async show(id, label) {
    $("pinned-label").textContent = label;
    if (id === this.productId) return;
    this.productId = id;
    $("pinned").hidden = !id;
    if (!id) return;
    const response = await fetch(`/api/v1/products/${encodeURIComponent(id)}`);
    if (!response.ok || this.productId !== id) return;
    render(await response.json());
  }

  // A variant's new list price (product.price_changed), if the card shows that product.
  priceChanged({ product_id: productId, variant_id: variantId, price }) {
    if (productId !== this.productId) return;
    const item = [...$("pinned-variants").children].find((li) => li.dataset.variantId === variantId);
    item?.querySelector("strong")?.replaceChildren(...priceNodes(price));
    variantPriceChanged($("pinned-buy"), variantId, price);
  }
}

function render(product) {
  $("pinned-title").textContent = product.title;
  $("pinned-description").textContent = product.description;
  const origin = product.origin;
  $("pinned-origin").textContent = [origin.place, origin.region].filter(Boolean).join(", ");
  $("pinned-steps").replaceChildren(...origin.steps.map((s) => el("li", "", s)));
  $("pinned-slides").replaceChildren(
    ...product.images.map((image) => {
      const img = el("img");
      Object.assign(img, { src: image.url, alt: image.alt, width: 320, height: 240 });
      const figure = el("figure");
      // The caption shows the alt text to sighted viewers; screen readers have read it once.
      const caption = el("figcaption", "", image.alt);
      caption.setAttribute("aria-hidden", "true");
      figure.append(img, caption);
      const li = el("li");
      li.append(figure);
      return li;
    }),
  );
  $("pinned-variants").replaceChildren(
    ...product.variants.map((v) => {
      const li = el("li", "", `${v.name}: `);
      li.dataset.variantId = v.id;
      const strong = el("strong");
      strong.append(...priceNodes(v.price));
      li.append(strong);
      return li;
    }),
  );
  showCharged($("pinned-buy"), product.variants[0]?.price.currency);
  showVariants($("pinned-buy"), product.variants);
  showAllowance($("pinned-buy"), product.id);
  $("pinned-producers").replaceChildren(
    ...product.producers.map((p) => {
      const li = el("li");
      li.append(el("span", "", p.name), " ", el("span", "muted", p.village), " ",
        el("span", "share", formatShare(p.bps)));
      return li;
    }),
  );
}
