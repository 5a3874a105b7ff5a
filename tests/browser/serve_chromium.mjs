// Debian's Chromium for the serve scripts (serve_reload.mjs, serve_building.mjs): headless,
// with a fresh profile folder, and nothing that reaches beyond the loopback address.

import { chromium } from 'playwright-core';

export function launch(profile, options = {}) {
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    ...options,
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
  });
}
