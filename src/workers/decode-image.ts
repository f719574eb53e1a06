import { ImageInputError, readExifOrientation, type RgbaImage } from '../engine/image';

/**
 * Decodes a user's file in the worker. The browser is told not to apply EXIF
 * orientation so that the engine applies it, the same way as in Node.
 */
export async function decodeImage(blob: Blob): Promise<{ image: RgbaImage; orientation: number }> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'none' });
  } catch {
    const kind = blob.type || 'unknown type';
    throw new ImageInputError(`This file (${kind}) is not an image the browser can read. Use a PNG, JPEG, WebP or GIF image.`);
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
  return { image: { width, height, data }, orientation: readExifOrientation(bytes) };
}
