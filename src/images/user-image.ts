/**
 * What the main thread does to a user's file before the model worker sees it:
 * SVG drawings are rasterised here, since a worker has no way to draw SVG
 * (no createImageBitmap, no Image), and each file gets a fingerprint so the
 * same picture given twice reopens its conversation.
 */

export const isSvg = (file: File) => file.type === 'image/svg+xml' || /\.svg$/i.test(file.name);

/** Longest side an SVG is drawn at: a vector has no size of its own worth keeping, and every model resizes anyway. */
const SVG_SIDE = 1024;

/** Draws an SVG onto a white page (as a browser shows it) as a PNG with the same name. Rejects when it is no drawing. */
export async function rasteriseSvg(file: File): Promise<File> {
  const url = URL.createObjectURL(file);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    // An SVG with only a viewBox may report no size, or the default 300×150 of its aspect: drawn at SVG_SIDE on its longest side.
    const w = image.naturalWidth || SVG_SIDE;
    const h = image.naturalHeight || SVG_SIDE;
    const scale = SVG_SIDE / Math.max(w, h);
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(w * scale));
    canvas.height = Math.max(1, Math.round(h * scale));
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const png = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!png) throw new Error('the drawing could not be turned into pixels');
    return new File([png], file.name, { type: 'image/png' });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** FNV-1a over the bytes, with the size: equal for the same file given twice, and in practice only then. */
export async function fingerprint(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return `${bytes.length}:${(hash >>> 0).toString(16)}`;
}
