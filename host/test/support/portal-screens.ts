import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--autoplay-policy=no-user-gesture-required',
];

export interface ScreenshotFacts {
  file: string;
  bytes: number;
  /** Distinct colours among sampled pixels: a blank or single-colour page has one or two. */
  colours: number;
}

/**
 * Saves a full-page screenshot to test-artifacts/ and measures it by decoding the PNG in the browser's own
 * canvas (no image library needed).
 */
export async function screenshot(page: Page, name: string): Promise<ScreenshotFacts> {
  await mkdir(ARTIFACTS, { recursive: true });
  const png = await page.screenshot({ fullPage: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await writeFile(file, png);
  // A string expression: the test programs are typechecked without DOM types.
  const colours = (await page.evaluate(`(async () => {
    const img = new Image();
    img.src = 'data:image/png;base64,${png.toString('base64')}';
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 28) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  })()`)) as number;
  return { file, bytes: png.length, colours };
}
