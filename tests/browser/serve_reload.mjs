// `brief serve` in a real browser: a briefing page open in headless Chromium reloads by itself
// after its annotations file is edited on disk, and shows the new text.
//
// Run by `a_browser_page_reloads_by_itself_after_an_edit` in tests/it/serve.rs, which starts the
// server and passes:
//   BRIEF_URL      the briefing page's address on the running `brief serve`
//   BRIEF_FILE     the annotations file to edit
//   BRIEF_PROFILE  a fresh folder for Chromium's profile
// Prints "reloaded in N ms" and exits 0 on success; anything else is a failure.

import fs from 'node:fs';
import { launch } from './serve_chromium.mjs';

const url = process.env.BRIEF_URL;
const file = process.env.BRIEF_FILE;
const profile = process.env.BRIEF_PROFILE;
if (!url || !file || !profile) {
  console.error('BRIEF_URL, BRIEF_FILE and BRIEF_PROFILE must be set');
  process.exit(2);
}

const OLD = "Sputnik's summary";
const NEW = 'Summary edited while the browser watched';

const context = await launch(profile);

let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  const isEvents = (r) => r.url().includes('/_brief/livereload/event-stream');
  const subscribed = page.waitForResponse(isEvents, { timeout: 10000 });
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${url} answered ${response && response.status()}`);
  }
  const before = await page.textContent('body');
  if (!before.includes(OLD) || before.includes(NEW)) {
    throw new Error(`the page does not show "${OLD}" before the edit`);
  }
  // The injected script subscribes to reload events once the page is shown.
  const events = await subscribed;
  if (events.status() !== 200) {
    throw new Error(`the event stream answered ${events.status()}`);
  }
  await page.waitForTimeout(200);

  // A marker that only survives if the page is NOT reloaded.
  await page.evaluate(() => { window.__briefNotReloaded = true; });

  const started = Date.now();
  const reloaded = page.waitForEvent('load', { timeout: 10000 });
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(OLD, NEW));
  await reloaded;
  await page.waitForFunction(
    (text) => !window.__briefNotReloaded && document.body.textContent.includes(text),
    NEW,
    { timeout: 10000 },
  );
  const took = Date.now() - started;
  if (errors.length) {
    throw new Error(`errors in the page: ${errors.join('; ')}`);
  }
  console.log(`reloaded in ${took} ms with the new text`);
} catch (e) {
  failed = true;
  console.error(String(e && e.stack || e));
} finally {
  await context.close();
}
process.exit(failed ? 1 : 0);
