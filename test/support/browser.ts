import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, tempDir } from './worker-process.js';

/** Debian's chromium: the browser tests drive it and never download one. */
export const CHROMIUM = '/usr/bin/chromium';

/** Installs Debian's chromium with apt when it is missing (the tests run as root, as CI does). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const apt = (...args: string[]) =>
    execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt('install', '-y', '--no-install-recommends', 'chromium');
  } catch {
    apt('update');
    apt('install', '-y', '--no-install-recommends', 'chromium');
  }
}

export const LAPTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Headless chromium with a fresh profile and nothing that reaches out to the network by itself. */
export async function openBrowser(
  opts: { httpCredentials?: { username: string; password: string } } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  ensureChromium();
  const profile = await tempDir('tributary-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: LAPTOP,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...(opts.httpCredentials ? { httpCredentials: opts.httpCredentials } : {}),
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  return { context, page };
}

/** Where the tests leave screenshots (not committed: data/ is ignored). */
export const SHOTS = join(ROOT, 'data', 'screenshots');

/** Screenshots of the page as it is, at laptop and phone widths: `<name>-1280x800.png`, `<name>-390x844.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  for (const size of [LAPTOP, PHONE]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, `${name}-${size.width}x${size.height}.png`) });
  }
  await page.setViewportSize(LAPTOP);
}
