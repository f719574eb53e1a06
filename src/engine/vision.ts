import type { ModelManifest } from './manifest';
import { preprocess, type RgbaImage } from './image';
import { createSession, ort, runExclusive, type Backend } from './runtime';

/** What the vision graph says of one image. */
export interface VisionOutput {
  /** count × width floats, row-major: the visual tokens already projected to the LLM width. */
  tokens: Float32Array;
  /** The manifest's scene check (0-1: how much the image looks like the model's domain); null without one. */
  sceneScore: number | null;
}

/** The frozen visual tokenizer: image → visual tokens (and the scene check, where the package has one). */
export class VisionTokenizer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: ModelManifest,
  ) {}

  static async load(manifest: ModelManifest, graph: Uint8Array, backend: Backend): Promise<VisionTokenizer> {
    const session = await createSession(graph, backend);
    const check = manifest.scene_check?.output;
    if (check && !session.outputNames.includes(check)) {
      await session.release();
      throw new Error(`vision_encoder.onnx has no output "${check}", which the manifest's scene_check names`);
    }
    return new VisionTokenizer(session, manifest);
  }

  async encode(image: RgbaImage, orientation = 1): Promise<VisionOutput> {
    const { size } = this.manifest.image;
    const pixels = preprocess(image, this.manifest.image, orientation);
    const input = new ort.Tensor('float32', pixels, [1, 3, size, size]);
    const outputs = await runExclusive(() => this.session.run({ pixel_values: input }));
    const features = outputs.image_features;
    const { count, width } = this.manifest.visual_tokens;
    if (features.dims.length !== 3 || features.dims[1] !== count || features.dims[2] !== width) {
      throw new Error(`vision_encoder.onnx gave image_features of shape [${features.dims}], the manifest says [1, ${count}, ${width}]`);
    }
    const check = this.manifest.scene_check?.output;
    const sceneScore = check ? Number((outputs[check].data as Float32Array)[0]) : null;
    return { tokens: new Float32Array(features.data as Float32Array), sceneScore };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
