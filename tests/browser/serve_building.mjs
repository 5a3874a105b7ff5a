// `brief serve` in a real browser while a rebuild runs: a page open in headless Chromium shows
// a status line once a slow rebuild has run for a moment, names the file as text (the file's
// name is HTML that must not run), passes axe-core, and is gone once the fix is shown.
//
// Run by `a_browser_page_shows_that_a_slow_rebuild_is_running` in tests/it/serve.rs, which starts
// the server and passes:
//   BRIEF_URL         a briefing page's address on the running `brief serve`
//   BRIEF_DIR         the content folder to add the slow article to
//   BRIEF_PARAGRAPHS  how many paragraphs make its processing take seconds
//   BRIEF_PROFILE     a fresh folder for Chromium's profile
//   BRIEF_SCREENSHOT  where to save a picture of the page with the status line
// Prints "indicator shown in N ms" and exits 0 on success; anything else is a failure.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { launch } from './serve_chromium.mjs';

const { BRIEF_URL: url, BRIEF_DIR: dir, BRIEF_PROFILE: profile } = process.env;
const paragraphs = Number(process.env.BRIEF_PARAGRAPHS);
const screenshot = process.env.BRIEF_SCREENSHOT;
if (!url || !dir || !profile || !screenshot || !(paragraphs > 0)) {
  console.error('BRIEF_URL, BRIEF_DIR, BRIEF_PARAGRAPHS, BRIEF_PROFILE and BRIEF_SCREENSHOT must be set');
  process.exit(2);
}
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// A valid article whose file name is markup: shown by the status line, it must stay text.
const NAME = '<img src=x onerror=window.__briefPwned=1>.md';
const file = path.join(dir, NAME);
const body = Array.from(
  { length: paragraphs },
  (_, i) => `\n\nSlow paragraph ${i}, with *emphasis*, \`code\` and enough words to make it long.`,
).join('');
const SLOW = `---\ntitle: A slow briefing\ndate: 2023-05-01\nslug: slow-briefing\nsummary: Long.\n---\nStart.${body}\n`;

const context = await launch(profile, { viewport: { width: 1000, height: 700 } });

const STATUS = '#brief-rebuilding';
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`a dialog opened: ${d.message()}`); d.dismiss(); });

  const isEvents = (r) => r.url().includes('/_brief/livereload/event-stream');
  const subscribed = page.waitForResponse(isEvents, { timeout: 10000 });
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) {
    throw new Error(`GET ${url} answered ${response && response.status()}`);
  }
  await subscribed;

  // The status line is there before anything is said (so screen readers follow it), empty.
  const region = page.locator(STATUS);
  if ((await region.getAttribute('role')) !== 'status') throw new Error('the status line has no role=status');
  if ((await region.getAttribute('aria-live')) !== 'polite') throw new Error('the status line is not aria-live=polite');
  if ((await region.textContent()) !== '') throw new Error('the status line says something before any rebuild');

  const started = Date.now();
  fs.writeFileSync(file, SLOW);
  await page.waitForFunction(
    (sel) => document.querySelector(sel)?.textContent.includes('Rebuilding'),
    STATUS,
    { timeout: 60000 },
  );
  const shownAfter = Date.now() - started;
  const text = await region.textContent();
  if (!text.includes(`content/2023/${NAME} changed`)) {
    throw new Error(`the status line does not name the file as text: ${JSON.stringify(text)}`);
  }
  if ((await page.locator(`${STATUS} img`).count()) !== 0) throw new Error('the file name became an element');
  if (await page.evaluate(() => window.__briefPwned)) throw new Error('the file name ran as script');
  const box = await region.locator('span').boundingBox();
  const view = page.viewportSize();
  if (!box || box.width < 50 || box.height < 10 || box.x + box.width > view.width || box.y + box.height > view.height) {
    throw new Error(`the status line is not visible in the window: ${JSON.stringify(box)}`);
  }
  await page.screenshot({ path: screenshot });
  await page.addScriptTag({ content: axeSource });
  const audit = await page.evaluate(
    (sel) => window.axe.run(sel, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] } }),
    STATUS,
  );
  if (audit.violations.length) {
    throw new Error(`axe: ${audit.violations.map((v) => `${v.id}: ${v.help}`).join('; ')}`);
  }

  // The fix (the slow article removed) supersedes the slow rebuild; the page reloads to it.
  const reloaded = page.waitForEvent('load', { timeout: 120000 });
  fs.rmSync(file);
  await reloaded;
  await page.waitForFunction(
    (sel) => document.querySelector(sel) && document.querySelector(sel).textContent === '',
    STATUS,
    { timeout: 10000 },
  );
  if (errors.length) throw new Error(`errors in the page: ${errors.join('; ')}`);
  console.log(`indicator shown in ${shownAfter} ms, gone after the fix`);
} catch (e) {
  failed = true;
  console.error(String((e && e.stack) || e));
} finally {
  if (fs.existsSync(file)) fs.rmSync(file);
  await context.close();
}
process.exit(failed ? 1 : 0);
