import { existsSync } from 'node:fs';
import { describe } from '@jest/globals';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (which never downloads a browser). */
export const CHROMIUM = '/usr/bin/chromium';

/** `describe`, or `describe.skip` on a developer machine without the browser; in CI a missing browser fails the launch. */
export function describeInBrowser(): typeof describe | typeof describe.skip {
  if (existsSync(CHROMIUM) || process.env.CI) return describe;
  console.warn(`Skipping browser tests: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it).`);
  return describe.skip;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}
