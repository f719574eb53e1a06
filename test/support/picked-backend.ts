import type { Page } from 'playwright-core';
import type { Backend } from '../../src/engine/runtime';

/**
 * Opens the app as a visitor who picked `backend` in the Backend menu on an
 * earlier visit (the app keeps settings in localStorage). Tests on
 * SwiftShader's adapter need it for WebGPU: Automatic passes a software GPU over.
 */
export async function pickedBackend(page: Page, backend: Partial<Backend>): Promise<void> {
  await page.addInitScript((kept) => localStorage.setItem('gvt-web:settings', kept), JSON.stringify({ backend }));
}
