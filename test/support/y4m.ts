import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

/**
 * A one-frame Y4M video for Chromium's fake camera (`--use-file-for-fake-video-capture`):
 * the PNG scaled (bilinear) into the frame's centred square, as a card held up to fill
 * the camera's guide, the sides a grey desk. 4:2:0, BT.601 studio range, which is
 * what Chromium reads a Y4M file as.
 */
export function pngToY4m(pngPath: string, outPath: string, width = 640, height = 480): void {
  const png = PNG.sync.read(readFileSync(pngPath));
  const side = Math.min(width, height);
  const left = (width - side) >> 1;
  const top = (height - side) >> 1;
  const rgb = new Float32Array(width * height * 3).fill(0.45);
  for (let y = 0; y < side; y++) {
    const sy = Math.min(png.height - 1, Math.max(0, ((y + 0.5) * png.height) / side - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(png.height - 1, y0 + 1);
    for (let x = 0; x < side; x++) {
      const sx = Math.min(png.width - 1, Math.max(0, ((x + 0.5) * png.width) / side - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(png.width - 1, x0 + 1);
      const at = ((top + y) * width + left + x) * 3;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => png.data[(yy * png.width + xx) * 4 + c];
        const upper = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * (sx - x0);
        const lower = p(y1, x0) + (p(y1, x1) - p(y1, x0)) * (sx - x0);
        rgb[at + c] = (upper + (lower - upper) * (sy - y0)) / 255;
      }
    }
  }
  const luma = Buffer.alloc(width * height);
  const cw = width >> 1;
  const ch = height >> 1;
  const cb = Buffer.alloc(cw * ch);
  const cr = Buffer.alloc(cw * ch);
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let i = 0; i < width * height; i++) {
    luma[i] = byte(16 + 65.481 * rgb[i * 3] + 128.553 * rgb[i * 3 + 1] + 24.966 * rgb[i * 3 + 2]);
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
        const i = ((2 * y + dy) * width + 2 * x + dx) * 3;
        r += rgb[i] / 4;
        g += rgb[i + 1] / 4;
        b += rgb[i + 2] / 4;
      }
      cb[y * cw + x] = byte(128 - 37.797 * r - 74.203 * g + 112 * b);
      cr[y * cw + x] = byte(128 + 112 * r - 93.786 * g - 18.214 * b);
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\nFRAME\n`);
  writeFileSync(outPath, Buffer.concat([header, luma, cb, cr]));
}
