import { describe, expect, it } from 'vitest';
import { applyOrientation, preprocess, readExifOrientation, resizeToPlanes, type RgbaImage } from '../../src/engine/image';

/** A w × h image whose pixel (x, y) has red = x, green = y. */
function coordinates(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x, y, 0, 255], (y * w + x) * 4);
  return { width: w, height: h, data };
}
const at = (img: RgbaImage, x: number, y: number) => [img.data[(y * img.width + x) * 4], img.data[(y * img.width + x) * 4 + 1]];

function solid(w: number, h: number, rgba: number[]): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set(rgba, i * 4);
  return { width: w, height: h, data };
}

/** JPEG bytes holding only SOI and an EXIF APP1 segment with the given orientation. */
function jpegWithOrientation(orientation: number, littleEndian: boolean): Uint8Array {
  const tiff = new DataView(new ArrayBuffer(26));
  tiff.setUint16(0, littleEndian ? 0x4949 : 0x4d4d);
  tiff.setUint16(2, 42, littleEndian);
  tiff.setUint32(4, 8, littleEndian);
  tiff.setUint16(8, 1, littleEndian); // one IFD entry
  tiff.setUint16(10, 0x0112, littleEndian);
  tiff.setUint16(12, 3, littleEndian); // SHORT
  tiff.setUint32(14, 1, littleEndian);
  tiff.setUint16(18, orientation, littleEndian);
  const body = [...new TextEncoder().encode('Exif'), 0, 0, ...new Uint8Array(tiff.buffer)];
  const length = body.length + 2;
  return Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, length >> 8, length & 0xff, ...body, 0xff, 0xda]);
}

describe('EXIF orientation', () => {
  it.each([1, 3, 6, 8])('reads orientation %i in both byte orders', (o) => {
    expect(readExifOrientation(jpegWithOrientation(o, true))).toBe(o);
    expect(readExifOrientation(jpegWithOrientation(o, false))).toBe(o);
  });

  it('is 1 for a PNG or a JPEG without EXIF', () => {
    expect(readExifOrientation(Uint8Array.from([0x89, 0x50, 0x4e, 0x47]))).toBe(1);
    expect(readExifOrientation(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBe(1);
  });

  it('orientation 6 turns the stored image 90° clockwise', () => {
    const stored = coordinates(3, 2); // 3 wide, 2 high
    const shown = applyOrientation(stored, 6);
    expect([shown.width, shown.height]).toEqual([2, 3]);
    // The stored bottom-left pixel is shown top-left, the stored top-left top-right.
    expect(at(shown, 0, 0)).toEqual([0, 1]);
    expect(at(shown, 1, 0)).toEqual([0, 0]);
    expect(at(shown, 1, 2)).toEqual([2, 0]);
  });

  it.each([
    [2, [2, 0]],
    [3, [2, 1]],
    [4, [0, 1]],
    [5, [0, 0]],
    [7, [2, 1]],
    [8, [2, 0]],
  ])('orientation %i puts the right stored pixel top-left', (o, expected) => {
    expect(at(applyOrientation(coordinates(3, 2), o as number), 0, 0)).toEqual(expected);
  });
});

describe('preprocess', () => {
  const spec = { size: 4, resize: 'bilinear' as const, mean: [0.5, 0.25, 0] as [number, number, number], std: [0.5, 0.25, 1] as [number, number, number] };

  it('normalises with mean and std into CHW planes', () => {
    const out = preprocess(solid(8, 8, [255, 0, 51, 255]), spec);
    expect(out.length).toBe(3 * 16);
    expect(out[0]).toBeCloseTo(1); // (1 - .5) / .5
    expect(out[16]).toBeCloseTo(-1); // (0 - .25) / .25
    expect(out[32]).toBeCloseTo(0.2);
  });

  it('puts transparent pixels on white', () => {
    const out = preprocess(solid(4, 4, [0, 0, 0, 0]), spec);
    expect(out[0]).toBeCloseTo(1);
  });

  it('averages when shrinking instead of skipping pixels', () => {
    // 1-pixel stripes, black and white: a 16→4 shrink must come out mid-grey, not all black or white.
    const w = 16;
    const data = new Uint8ClampedArray(w * w * 4);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.set(x % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], (y * w + x) * 4);
    for (const filter of ['bilinear', 'bicubic'] as const) {
      const [red] = resizeToPlanes({ width: w, height: w, data }, 4, 4, filter);
      for (const v of red) expect(Math.abs(v - 127.5)).toBeLessThan(20);
    }
  });

  it('applies EXIF orientation before resizing', () => {
    const tall = solid(4, 8, [255, 255, 255, 255]);
    for (let i = 0; i < 4 * 4; i++) tall.data.set([0, 0, 0, 255], i * 4); // top half black
    const upright = preprocess(tall, { ...spec, size: 2 }, 1);
    const turned = preprocess(tall, { ...spec, size: 2 }, 6);
    // The filter blends across the black/white edge, so compare signs: dark < 0 < light.
    expect(upright[0]).toBeLessThan(-0.2); // top-left dark
    expect(upright[2]).toBeGreaterThan(0.2); // bottom-left light
    expect(turned[0]).toBeGreaterThan(0.2); // turned clockwise: the dark half is now on the right
    expect(turned[1]).toBeLessThan(-0.2);
  });

  it('refuses an empty image with a clear message', () => {
    expect(() => preprocess({ width: 0, height: 0, data: new Uint8Array() }, spec)).toThrow(/empty or damaged/);
  });
});
