// A phone's picture made small enough before it is uploaded (static/seller_forms.js): a camera
// photo is often 4000 px wide and over the server's 8 MB. The browser decodes it
// (createImageBitmap, turned upright by its EXIF orientation), draws it at most 1600 px on its
// longer side on a canvas and re-encodes it as JPEG, so a seller on mobile data sends a few
// hundred kB instead of megabytes. The server still checks, resizes and strips every upload
// (catalog/pictures.py); a picture this browser cannot decode goes up as it is, for the server
// to answer.

export const MAX_PICTURE_BYTES = 8 * 1024 * 1024;  // catalog/pictures.py's MAX_UPLOAD_BYTES
export const MAX_SIDE = 1600;  // catalog/pictures.py's MAX_SIDE
const QUALITY = 0.85;

// The size that fits `max` pixels on the longer side, proportions kept, never enlarged.
export function fitted(width, height, max = MAX_SIDE) {
  const scale = Math.min(1, max / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

// The file itself when it is within both limits or cannot be decoded here; else a JPEG File.
export async function shrunk(file) {
  if (typeof globalThis.createImageBitmap !== "function") return file;
  let bitmap;
  try {
    bitmap = await decode(file);
  } catch {
    return file;
  }
  try {
    if (file.size <= MAX_PICTURE_BYTES && Math.max(bitmap.width, bitmap.height) <= MAX_SIDE) return file;
    const { width, height } = fitted(bitmap.width, bitmap.height);
    const blob = await jpeg(bitmap, width, height);
    if (!blob) return file;
    const name = `${(file.name || "picture").replace(/\.[^.]*$/, "")}.jpg`;
    return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
  } catch {
    return file;  // out of memory, a tainted canvas…: the server answers for the original
  } finally {
    bitmap.close();
  }
}

async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (error) {
    // Browsers older than the "from-image" value refuse the option itself (a TypeError).
    if (error instanceof TypeError) return createImageBitmap(file);
    throw error;
  }
}

async function jpeg(bitmap, width, height) {
  if (typeof OffscreenCanvas === "function") {
    const canvas = new OffscreenCanvas(width, height);
    draw(canvas.getContext("2d"), bitmap, width, height);
    return canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY });
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  draw(canvas.getContext("2d"), bitmap, width, height);
  return new Promise((resolve) => { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
}

function draw(context, bitmap, width, height) {
  context.fillStyle = "#ffffff";  // a transparent PNG on white: JPEG has no transparency
  context.fillRect(0, 0, width, height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, width, height);
}
