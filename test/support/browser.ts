import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium, headless; `webgpu` adds the flag that gives a SwiftShader WebGPU adapter. */
export function launchChromium(options: { webgpu: boolean; extraArgs?: string[] }): Promise<Browser> {
  const webgpu = options.webgpu ? ['--enable-unsafe-webgpu'] : [];
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_ARGS, ...webgpu, ...(options.extraArgs ?? [])],
  });
}

/** Collects what the page and its workers print, for a failing test's message. */
export function recordConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  return lines;
}
