/**
 * The bench's images: the given scene, the sample scenes and each of them
 * mirrored, so the warm encodes each read a distinct image.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PNG } from 'pngjs';

export function benchImages(first: string, samplesDir: string, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const sources = [first, ...readdirSync(samplesDir).filter((f) => f.endsWith('.png')).sort().map((f) => join(samplesDir, f))];
  const out: string[] = [];
  sources.forEach((source, i) => {
    const png = PNG.sync.read(readFileSync(source));
    const plain = join(outDir, `${i}-${basename(source)}`);
    writeFileSync(plain, PNG.sync.write(png));
    out.push(plain);
  });
  sources.forEach((source, i) => {
    const png = PNG.sync.read(readFileSync(source));
    const mirrored = new PNG({ width: png.width, height: png.height });
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        png.data.copy(mirrored.data, (y * png.width + x) * 4, (y * png.width + (png.width - 1 - x)) * 4, (y * png.width + (png.width - x)) * 4);
      }
    }
    const path = join(outDir, `${sources.length + i}-mirrored-${basename(source)}`);
    writeFileSync(path, PNG.sync.write(mirrored));
    out.push(path);
  });
  return out;
}
