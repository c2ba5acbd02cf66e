/**
 * `npm run icons`: draws Keyhold's mark (a shield with a keyhole) as SVG and renders it with
 * Chromium at every size the manifest uses, into extension/public/icon/<size>.png (WXT puts those
 * in the manifest's `icons`; the popup's `default_icon` names them for the toolbar). The PNGs are
 * committed; run this again only when the mark changes. Needs Chromium (CHROME_PATH, else
 * /usr/bin/chromium).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const SIZES = [16, 32, 48, 128] as const;
const out = path.resolve(import.meta.dirname, '../extension/public/icon');

/** On a 128-unit grid; at 16 px the keyhole is drawn larger so it still reads. */
function mark(size: number): string {
  const small = size <= 16;
  const hole = small
    ? '<circle cx="64" cy="56" r="17"/><path d="M52 62h24l7 36H45z"/>'
    : '<circle cx="64" cy="56" r="13"/><path d="M55 62h18l6 32H49z"/>';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 128 128">
  <rect x="2" y="2" width="124" height="124" rx="28" fill="#1f4fd1"/>
  <path d="M64 16 L104 30 V62 C104 88 87 106 64 114 C41 106 24 88 24 62 V30 Z" fill="#ffffff"/>
  <g fill="#1f4fd1">${hole}</g>
</svg>`;
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless=new'],
});
try {
  const page = await browser.newPage();
  await mkdir(out, { recursive: true });
  for (const size of SIZES) {
    await page.setViewport({ width: size, height: size, deviceScaleFactor: 1 });
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:transparent">${mark(size)}</body></html>`,
    );
    const png = await page.screenshot({
      omitBackground: true,
      clip: { x: 0, y: 0, width: size, height: size },
    });
    await writeFile(path.join(out, `${size}.png`), png);
    process.stdout.write(`icon/${size}.png\n`);
  }
} finally {
  await browser.close();
}
