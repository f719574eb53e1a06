/**
 * What crosses between the page and the model worker: the image once, and
 * on a follow-up question only the question. Every message both ways is
 * recorded by wrapping the page's Worker before the app starts.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { answerDone, ask, modelUrl, uploadReference, waitReady } from './app-helpers';

interface Crossing {
  direction: 'to worker' | 'from worker';
  type: string;
  method?: string;
  /** Blobs, typed arrays and ArrayBuffers anywhere in the message. */
  binary: string[];
}

let browser: Browser;
let page: Page;
/** Every manifest.json the page and its workers fetched (the service worker's own fetches are not the page's). */
const manifestFetches: string[] = [];

beforeAll(async () => {
  browser = await launchChromium({ webgpu: false });
  page = await browser.newPage();
  await page.addInitScript(() => {
    const log: Crossing[] = [];
    (window as unknown as { crossings: Crossing[] }).crossings = log;
    const binaries = (value: unknown, out: string[] = [], depth = 0): string[] => {
      if (value instanceof Blob) out.push(`Blob ${value.size}`);
      else if (ArrayBuffer.isView(value)) out.push(`${value.constructor.name} ${value.byteLength}`);
      else if (value instanceof ArrayBuffer) out.push(`ArrayBuffer ${value.byteLength}`);
      else if (value && typeof value === 'object' && depth < 6) for (const v of Object.values(value)) binaries(v, out, depth + 1);
      return out;
    };
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        this.addEventListener('message', (event: MessageEvent) =>
          log.push({ direction: 'from worker', type: event.data?.type, binary: binaries(event.data) }),
        );
      }
      postMessage(message: { type: string; method?: string }, transfer?: Transferable[] | StructuredSerializeOptions): void {
        log.push({ direction: 'to worker', type: message.type, method: message.method, binary: binaries(message) });
        super.postMessage(message, transfer as Transferable[]);
      }
    };
  });
  page.on('request', (request) => {
    if (request.url().endsWith('/manifest.json')) manifestFetches.push(request.url());
  });
  await page.goto(modelUrl());
  await waitReady(page);
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

const crossings = () => page.evaluate(() => (window as unknown as { crossings: Crossing[] }).crossings.splice(0));

describe('the model worker boundary', () => {
  it('a package load asks for its manifest once (planning, the file store and the load share it)', () => {
    expect(manifestFetches).toHaveLength(1);
  });

  it('takes the image once; a follow-up question sends no image bytes and gets no visual tokens back', async () => {
    await crossings();
    await uploadReference(page);
    const adding = await crossings();
    const look = adding.filter((c) => c.method === 'look');
    expect(look).toHaveLength(1);
    expect(look[0].binary).toEqual([expect.stringMatching(/^Blob \d+$/)]);

    await ask(page, 'How many stars are there in the image?');
    await answerDone(page);
    await ask(page, 'Does a red circle exist in the image?');
    await answerDone(page);
    const asking = await crossings();
    expect(asking.filter((c) => c.method === 'answer')).toHaveLength(2);
    // Nothing binary either way: no image, no visual tokens, no KV cache.
    expect(asking.flatMap((c) => c.binary)).toEqual([]);
    expect(asking.filter((c) => c.direction === 'from worker' && c.type === 'token').length).toBeGreaterThan(0);
  });
});
