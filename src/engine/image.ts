import type { ImageFit, ModelManifest, ResizeFilter } from './manifest';

/** A decoded image, 8-bit RGBA, row-major: what ImageData, pngjs and jpeg decoders all produce. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

export class ImageInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageInputError';
  }
}

/**
 * EXIF orientation (1-8) of a JPEG, or 1 when there is none. Browsers are told
 * to decode without applying it (`imageOrientation: 'none'`) so the engine
 * rotates the same way in a worker, in Node and in benchmarks.
 */
export function readExifOrientation(bytes: Uint8Array): number {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  while (offset + 4 <= bytes.length && bytes[offset] === 0xff) {
    const marker = bytes[offset + 1];
    const length = view.getUint16(offset + 2);
    if (marker === 0xda || marker === 0xd9) break; // image data starts: no EXIF before it
    const isExif = marker === 0xe1 && offset + 10 <= bytes.length && view.getUint32(offset + 4) === 0x45786966; // 'Exif'
    if (isExif) return orientationFromTiff(view, offset + 10, offset + 2 + length);
    offset += 2 + length;
  }
  return 1;
}

function orientationFromTiff(view: DataView, tiff: number, end: number): number {
  if (tiff + 8 > end || end > view.byteLength) return 1;
  const little = view.getUint16(tiff) === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return 1;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) break;
    if (view.getUint16(entry, little) === 0x0112) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** Returns the image as it should be seen, given its EXIF orientation. */
export function applyOrientation(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h, data } = image;
  const swap = orientation >= 5;
  const outW = swap ? h : w;
  const outH = swap ? w : h;
  const out = new Uint8ClampedArray(outW * outH * 4);
  // For each displayed pixel (x, y), where it lies in the stored image.
  const source: (x: number, y: number) => [number, number] = {
    2: (x: number, y: number): [number, number] => [w - 1 - x, y],
    3: (x: number, y: number): [number, number] => [w - 1 - x, h - 1 - y],
    4: (x: number, y: number): [number, number] => [x, h - 1 - y],
    5: (x: number, y: number): [number, number] => [y, x],
    6: (x: number, y: number): [number, number] => [y, h - 1 - x],
    7: (x: number, y: number): [number, number] => [w - 1 - y, h - 1 - x],
    8: (x: number, y: number): [number, number] => [w - 1 - y, x],
  }[orientation]!;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const [sx, sy] = source(x, y);
      const from = (sy * w + sx) * 4;
      const to = (y * outW + x) * 4;
      out[to] = data[from];
      out[to + 1] = data[from + 1];
      out[to + 2] = data[from + 2];
      out[to + 3] = data[from + 3];
    }
  }
  return { width: outW, height: outH, data: out };
}

const FILTERS: Record<ResizeFilter, { support: number; weight: (x: number) => number }> = {
  nearest: { support: 0.5, weight: (x) => (x >= -0.5 && x < 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

/**
 * Per output index, the first source index, how many source pixels it reads,
 * and their normalised weights (row `i` of `weights` holds index i's, `taps`
 * wide). The filter widens when shrinking (as PIL does), so a 1024 px photo
 * averages its pixels into the model's input instead of aliasing.
 */
function resampleWeights(inSize: number, outSize: number, filter: ResizeFilter) {
  const { support, weight } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const span = support * filterScale;
  const taps = filter === 'nearest' ? 1 : Math.ceil(2 * span) + 2;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    if (filter === 'nearest') {
      starts[i] = Math.min(inSize - 1, Math.floor(center));
      counts[i] = 1;
      weights[i] = 1;
      continue;
    }
    const start = Math.max(0, Math.floor(center - span));
    const end = Math.min(inSize, Math.ceil(center + span));
    const row = i * taps;
    let total = 0;
    for (let j = start; j < end; j++) {
      const wgt = weight((j + 0.5 - center) / filterScale);
      weights[row + j - start] = wgt;
      total += wgt;
    }
    if (total !== 0) for (let k = 0; k < end - start; k++) weights[row + k] /= total;
    starts[i] = start;
    counts[i] = end - start;
  }
  return { starts, counts, weights, taps };
}

/**
 * Resizes to outW × outH (separable, PIL-style), returning RGB planes as floats
 * 0-255. The three channels go through each pass together, reading each source
 * pixel once: the resize was most of an encode's JavaScript (README, "Benchmark").
 */
export function resizeToPlanes(image: RgbaImage, outW: number, outH: number, filter: ResizeFilter): Float32Array[] {
  const { width: w, height: h, data } = image;
  const xs = resampleWeights(w, outW, filter);
  const ys = resampleWeights(h, outH, filter);
  const rows = [new Float32Array(h * outW), new Float32Array(h * outW), new Float32Array(h * outW)];
  const [rowsR, rowsG, rowsB] = rows;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      const n = xs.counts[x];
      const row = x * xs.taps;
      let p = (y * w + xs.starts[x]) * 4;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < n; k++, p += 4) {
        const wk = xs.weights[row + k];
        r += wk * data[p];
        g += wk * data[p + 1];
        b += wk * data[p + 2];
      }
      const o = y * outW + x;
      rowsR[o] = r;
      rowsG[o] = g;
      rowsB[o] = b;
    }
  }
  const sums = new Float64Array(outW);
  return rows.map((source) => {
    const plane = new Float32Array(outW * outH);
    for (let y = 0; y < outH; y++) {
      sums.fill(0);
      const row = y * ys.taps;
      for (let k = 0; k < ys.counts[y]; k++) {
        const wk = ys.weights[row + k];
        const from = (ys.starts[y] + k) * outW;
        for (let x = 0; x < outW; x++) sums[x] += wk * source[from + x];
      }
      for (let x = 0; x < outW; x++) plane[y * outW + x] = Math.min(255, Math.max(0, Math.round(sums[x])));
    }
    return plane;
  });
}

/** Per channel, the lower median of the outermost rows and columns (each pixel once): a scene's background. */
export function borderFill(image: RgbaImage): [number, number, number] {
  const { width: w, height: h, data } = image;
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  const add = (x: number, y: number) => {
    for (let c = 0; c < 3; c++) hist[c][data[(y * w + x) * 4 + c]]++;
    n++;
  };
  for (let x = 0; x < w; x++) {
    add(x, 0);
    if (h > 1) add(x, h - 1);
  }
  for (let y = 1; y < h - 1; y++) {
    add(0, y);
    if (w > 1) add(w - 1, y);
  }
  const rank = (n - 1) >> 1;
  return hist.map((counts) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += counts[v];
      if (seen > rank) return v;
    }
    return 255;
  }) as [number, number, number];
}

/** Width and height of the image inside the square: long side `size`, rounded half up (training/gvt/preprocess.py). */
export function fittedSize(w: number, h: number, size: number): [number, number] {
  const long = Math.max(w, h);
  return [Math.max(1, Math.floor((w * size) / long + 0.5)), Math.max(1, Math.floor((h * size) / long + 0.5))];
}

/**
 * RGB planes of size × size. `stretch` resizes to the square; `letterbox` keeps
 * the proportions: the image's long side becomes `size` and the rest is filled
 * with the median colour of its border, so a Shapes World scene's padding reads
 * as more background.
 */
export function fitToPlanes(image: RgbaImage, size: number, filter: ResizeFilter, fit: ImageFit): Float32Array[] {
  if (fit === 'stretch' || image.width === image.height) return resizeToPlanes(image, size, size, filter);
  const [w, h] = fittedSize(image.width, image.height, size);
  const inner = resizeToPlanes(image, w, h, filter);
  const fill = borderFill(image);
  const x0 = (size - w) >> 1;
  const y0 = (size - h) >> 1;
  return inner.map((plane, c) => {
    const out = new Float32Array(size * size).fill(fill[c]);
    for (let y = 0; y < h; y++) out.set(plane.subarray(y * w, (y + 1) * w), (y0 + y) * size + x0);
    return out;
  });
}

/**
 * The model's `pixel_values` (1 × 3 × size × size, CHW) for an image: orient,
 * drop alpha onto white (transparent PNGs would otherwise turn black), fit to the square,
 * scale to 0-1, normalise by the manifest's mean and std.
 */
export function preprocess(image: RgbaImage, spec: ModelManifest['image'], orientation = 1): Float32Array {
  if (image.width < 1 || image.height < 1 || image.data.length < image.width * image.height * 4) {
    throw new ImageInputError(`The image is empty or damaged (${image.width}×${image.height}). Try another file.`);
  }
  const oriented = applyOrientation(flattenAlpha(image), orientation);
  const planes = fitToPlanes(oriented, spec.size, spec.resize, spec.fit ?? 'stretch');
  const area = spec.size * spec.size;
  const out = new Float32Array(3 * area);
  for (let c = 0; c < 3; c++) {
    const plane = planes[c];
    for (let i = 0; i < area; i++) out[c * area + i] = (plane[i] / 255 - spec.mean[c]) / spec.std[c];
  }
  return out;
}

function flattenAlpha(image: RgbaImage): RgbaImage {
  const { data } = image;
  let opaque = true;
  for (let i = 3; i < data.length; i += 4) {
    if (data[i] !== 255) {
      opaque = false;
      break;
    }
  }
  if (opaque) return image;
  const out = new Uint8ClampedArray(data.length);
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3] / 255;
    for (let c = 0; c < 3; c++) out[i + c] = data[i + c] * a + 255 * (1 - a);
    out[i + 3] = 255;
  }
  return { width: image.width, height: image.height, data: out };
}
