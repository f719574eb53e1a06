/**
 * Whether a catalogue model's choice is likely to fit this device, judged
 * before anything is downloaded from what the browser tells: its memory
 * (navigator.deviceMemory) and, on WebGPU, the largest buffer the adapter
 * allows. A warning, not a refusal: the figures are coarse (deviceMemory is
 * rounded down and capped at 8 GB) and the user may know better.
 */
import type { Capabilities } from '../engine/runtime';
import { formatBytes } from '../format';
import type { DeviceKind, HubModel } from './catalogue';

/** A tab gets a share of the device's memory, and the weights sit in it beside the activations and the page. */
const SHARE_OF_DEVICE_MEMORY = 0.5;

/** The embedding table in the dtype this device gets (4-bit graphs keep it float32, as the repos' `_q4` files do). */
export function largestWeightBytes(model: HubModel, device: DeviceKind): number {
  const fp16 = model.dtypes[device].embed_tokens === 'fp16';
  return model.embedding.vocab * model.embedding.hidden * (fp16 ? 2 : 4);
}

/** What to tell the user before a download this device may not hold, or null. */
export function fitWarning(model: HubModel, device: DeviceKind, caps: Capabilities, downloadBytes: number): string | null {
  const warnings: string[] = [];
  if (caps.deviceMemoryGB !== null && downloadBytes > caps.deviceMemoryGB * 2 ** 30 * SHARE_OF_DEVICE_MEMORY) {
    warnings.push(
      `${model.name} needs its ${formatBytes(downloadBytes)} of weights in memory at once, and this device reports about ` +
        `${caps.deviceMemoryGB} GB of memory in all: loading may fail or close the tab. A smaller model fits better.`,
    );
  }
  const largest = largestWeightBytes(model, device);
  if (device !== 'wasm' && caps.gpuMaxBufferBytes !== null && largest > caps.gpuMaxBufferBytes) {
    warnings.push(
      `Its largest weight (the ${formatBytes(largest)} token table) is more than this GPU holds in one buffer ` +
        `(${formatBytes(caps.gpuMaxBufferBytes)}): on WebGPU it will not load. Pick WASM under Backend.`,
    );
  }
  return warnings.length ? warnings.join(' ') : null;
}
