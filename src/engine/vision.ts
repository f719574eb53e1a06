import type { ModelManifest } from './manifest';
import { preprocess, type RgbaImage } from './image';
import { createSession, ort, type Backend } from './runtime';

/** The frozen visual tokenizer: image → visual tokens already projected to the LLM width. */
export class VisionTokenizer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: ModelManifest,
  ) {}

  static async load(manifest: ModelManifest, graph: Uint8Array, backend: Backend): Promise<VisionTokenizer> {
    return new VisionTokenizer(await createSession(graph, backend), manifest);
  }

  /** Returns count × width floats, row-major. */
  async encode(image: RgbaImage, orientation = 1): Promise<Float32Array> {
    const { size } = this.manifest.image;
    const pixels = preprocess(image, this.manifest.image, orientation);
    return this.encodePixels(pixels, size);
  }

  async encodePixels(pixels: Float32Array, size: number): Promise<Float32Array> {
    const input = new ort.Tensor('float32', pixels, [1, 3, size, size]);
    const outputs = await this.session.run({ pixel_values: input });
    const features = outputs.image_features;
    const { count, width } = this.manifest.visual_tokens;
    if (features.dims.length !== 3 || features.dims[1] !== count || features.dims[2] !== width) {
      throw new Error(`vision_encoder.onnx gave image_features of shape [${features.dims}], the manifest says [1, ${count}, ${width}]`);
    }
    return new Float32Array(features.data as Float32Array);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
