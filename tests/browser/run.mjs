// The reader's pages in a real headless Chromium: screenshots, axe-core audits in both colour
// schemes, focus and deep links, keyboard use, narrow screens and zoom, and the page without
// JavaScript. Run by `cargo test` (tests/it/browser.rs) or directly: `node tests/browser/run.mjs`.
//
// It builds the sample site (and a stress site and the fixture sites) with the `brief` binary
// into a temporary folder, serves it from a small static server on 127.0.0.1 only, and drives
// Debian's Chromium through playwright-core. Screenshots go to target/browser-artifacts/.
// It never downloads a browser and sends no traffic beyond the loopback address.
//
// Exit codes: 0 all passed, 1 a check failed, 2 something needed is missing (no Chromium, no
// npm packages, no binary): tests/it/browser.rs decides whether that is a skip or a failure.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const BIN = process.env.BRIEF_BIN || path.join(repo, "target", "debug", "brief");
const ARTIFACTS = path.join(repo, "target", "browser-artifacts");
const CHROME_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function missing(what) {
  console.log(`browser tests: missing ${what}`);
  process.exit(2);
}

let chromium, axeSource;
try {
  ({ chromium } = require("playwright-core"));
  axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
} catch (e) {
  missing(`npm packages (run \`npm ci\` in tests/browser): ${e.message}`);
}
if (!fs.existsSync(CHROMIUM)) missing(`Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
if (!fs.existsSync(BIN)) missing(`the brief binary at ${BIN} (cargo build)`);

// ------------------------------------------------------------------------------------------
// A tiny static server: one folder per site, loopback only.

const TYPES = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".svg": "image/svg+xml", ".xml": "application/xml", ".jsonld": "application/ld+json" };

function serve(dirs) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    const [, site, ...rest] = decodeURIComponent(url.pathname).split("/");
    const root = dirs[site];
    let file = root && path.join(root, ...rest);
    if (file && !file.startsWith(root)) file = null;
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function build(root, out, baseUrl) {
  const r = spawnSync(BIN, ["build", "--root", root, "--output", out, "--base-url", baseUrl], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`brief build ${root} failed:\n${r.stdout}\n${r.stderr}`);
}

// ------------------------------------------------------------------------------------------
// Checks: each one named, failures collected, a summary line at the end.

const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split("\n").join("\n     ")}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

async function open(context, url, { width = 1280, height = 900, scheme = "light", media = "screen", motion = "no-preference" } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme: scheme, media, reducedMotion: motion });
  await page.goto(url, { waitUntil: "load" });
  page.errors = errors;
  return page;
}

async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + ": " + (n.failureSummary || "").split("\n").slice(0, 2).join(" ")) }));
  });
}

// The text under every element listing an annotation id, as the output contract reads it.
function marksText(page) {
  return page.evaluate(() => {
    const out = {};
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const ids = new Set();
      for (let el = node.parentElement; el; el = el.parentElement) {
        (el.getAttribute("data-ann") || "").split(" ").filter(Boolean).forEach((id) => ids.add(id));
      }
      ids.forEach((id) => { out[id] = (out[id] || "") + node.data; });
    }
    return out;
  });
}

// ------------------------------------------------------------------------------------------

const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "brief-browser-"));
const sites = {
  sample: repo,
  stress: path.join(here, "sites", "stress"),
  overlap: path.join(repo, "tests", "fixtures", "overlap"),
  markdown: path.join(repo, "tests", "fixtures", "markdown"),
  anchoring: path.join(repo, "tests", "fixtures", "anchoring"),
};
const dirs = Object.fromEntries(Object.keys(sites).map((k) => [k, path.join(tmp, k)]));
const server = await serve(dirs);
const origin = `http://127.0.0.1:${server.address().port}`;
for (const [name, root] of Object.entries(sites)) build(root, dirs[name], `${origin}/${name}/`);
fs.mkdirSync(ARTIFACTS, { recursive: true });

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "brief-chromium-"));
const noJsProfile = fs.mkdtempSync(path.join(os.tmpdir(), "brief-chromium-nojs-"));
const launch = (dir, javaScriptEnabled) => chromium.launchPersistentContext(dir, {
  executablePath: CHROMIUM, headless: true, args: CHROME_ARGS, javaScriptEnabled,
  viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1,
});
const browser = await launch(profile, true);
const noJs = await launch(noJsProfile, false);

const BRIEFING = `${origin}/sample/briefings/nato-troops-ukraine/`;
const SPEAKER = `${origin}/sample/speakers/rasmussen/`;
const QUESTION = `${origin}/sample/questions/invitation-timing/`;
const pages = { briefing: BRIEFING, speaker: SPEAKER, question: QUESTION };

await check("screenshots at 1280 px and 390 px, and the briefing in print", async () => {
  for (const [name, url] of Object.entries(pages)) {
    for (const width of [1280, 390]) {
      for (const scheme of ["light", "dark"]) {
        if (scheme === "dark" && width === 1280 && name !== "briefing") continue;
        const page = await open(browser, url, { width, scheme });
        await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}${scheme === "dark" ? "-dark" : ""}.png`), fullPage: true });
        assert(page.errors.length === 0, `${name} at ${width}: ${page.errors.join("; ")}`);
        await page.close();
      }
    }
  }
  const print = await open(browser, BRIEFING, { width: 800, media: "print" });
  await print.screenshot({ path: path.join(ARTIFACTS, "briefing-print.png"), fullPage: true });
  const pdf = await print.pdf({ format: "A4", printBackground: true });
  fs.writeFileSync(path.join(ARTIFACTS, "briefing-print.pdf"), pdf);
  await print.close();
  const nojs = await open(noJs, BRIEFING);
  await nojs.screenshot({ path: path.join(ARTIFACTS, "briefing-1280-nojs.png"), fullPage: true });
  await nojs.close();
  for (const [site, p] of [["stress", "briefings/many-voices/"], ["stress", "briefings/plain/"], ["overlap", "briefings/overlap/"], ["sample", ""]]) {
    for (const width of [1280, 360]) {
      const page = await open(browser, `${origin}/${site}/${p}`, { width });
      await page.screenshot({ path: path.join(ARTIFACTS, `${site}-${p.replace(/\W+/g, "-") || "index-"}${width}.png`), fullPage: true });
      await page.close();
    }
  }
});

await check("axe-core: no serious or critical violation, light and dark", async () => {
  const targets = { ...pages, index: `${origin}/sample/`, tag: `${origin}/sample/tags/nato/`,
    stress: `${origin}/stress/briefings/many-voices/`, overlap: `${origin}/overlap/briefings/overlap/`,
    markdown: `${origin}/markdown/briefings/blocks/` };
  const problems = [];
  const summary = [];
  for (const [name, url] of Object.entries(targets)) {
    for (const scheme of ["light", "dark"]) {
      for (const width of name in pages ? [1280, 390] : [1280]) {
        const t0 = Date.now();
        const page = await open(browser, url, { width, scheme });
        const violations = await axe(page);
        if (process.env.DEBUG) console.log(`     axe ${name} ${scheme} ${width}: ${Date.now() - t0} ms`);
        const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        summary.push(`${name}/${scheme}/${width}: ${violations.length ? violations.map((v) => `${v.id}(${v.impact})`).join(", ") : "none"}`);
        for (const v of bad) problems.push(`${name} ${scheme} ${width}: ${v.id} (${v.impact}) ${v.help}\n       ${v.nodes.join("\n       ")}`);
        await page.close();
      }
    }
  }
  // axe needs timers, which a page with JavaScript disabled does not run; so this audit
  // keeps JavaScript on and blocks the site's script instead, which the page sees the same way.
  const noScript = await browser.newPage();
  await noScript.route("**/assets/brief.*.js", (route) => route.abort());
  await noScript.goto(BRIEFING);
  assert(!(await noScript.evaluate(() => document.documentElement.classList.contains("js"))), "the script ran");
  const nsv = await axe(noScript);
  summary.push(`briefing/no-js: ${nsv.length ? nsv.map((v) => `${v.id}(${v.impact})`).join(", ") : "none"}`);
  for (const v of nsv.filter((v) => v.impact === "serious" || v.impact === "critical")) problems.push(`briefing without JS: ${v.id} ${v.help}\n       ${v.nodes.join("\n       ")}`);
  await noScript.close();
  fs.writeFileSync(path.join(ARTIFACTS, "axe-summary.txt"), summary.join("\n") + "\n");
  console.log("     axe: " + summary.join("\n     axe: "));
  assert(problems.length === 0, problems.join("\n"));
});

await check("focus: choosing a speaker dims the other marks, and ?speaker= restores it", async () => {
  const page = await open(browser, BRIEFING);
  await page.click('.focus-btn[data-focus="speaker"][data-id="zelenskyy"]');
  const state = await page.evaluate(() => {
    const marks = [...document.querySelectorAll(".article-body [data-ann]")];
    const muted = (m) => getComputedStyle(m).color;
    const body = getComputedStyle(document.querySelector(".article-body")).color;
    return {
      url: location.search,
      focusing: document.querySelector(".briefing").classList.contains("focusing"),
      pressed: document.querySelector('.focus-btn[data-id="zelenskyy"]').getAttribute("aria-pressed"),
      theirs: marks.filter((m) => m.dataset.speaker === "zelenskyy").map((m) => [m.classList.contains("is-match"), muted(m) === body]),
      others: marks.filter((m) => m.dataset.speaker !== "zelenskyy" && !m.closest('[data-speaker="zelenskyy"]')).map((m) => [m.classList.contains("is-match"), muted(m) !== body]),
      bar: !document.getElementById("focus_").hidden,
    };
  });
  assert(state.url === "?speaker=zelenskyy", `URL is ${state.url}`);
  assert(state.focusing && state.pressed === "true" && state.bar, "focus state not shown");
  assert(state.theirs.length > 0 && state.theirs.every(([m, full]) => m && full), "their marks are not emphasised");
  assert(state.others.length > 0 && state.others.every(([m, dim]) => !m && dim), "other marks are not dimmed");
  await page.screenshot({ path: path.join(ARTIFACTS, "briefing-focus-1280.png") });
  await page.close();

  const again = await open(browser, `${BRIEFING}?speaker=zelenskyy`);
  const restored = await again.evaluate(() => ({
    focusing: document.querySelector(".briefing").classList.contains("focusing"),
    pressed: document.querySelector('.focus-btn[data-id="zelenskyy"]').getAttribute("aria-pressed"),
    matches: [...document.querySelectorAll(".article-body .ann.is-match")].map((m) => m.dataset.speaker),
  }));
  assert(restored.focusing && restored.pressed === "true", "?speaker= did not restore the focus");
  assert(restored.matches.length && restored.matches.every((s) => s === "zelenskyy"), `matches: ${restored.matches}`);
  await again.close();

  const q = await open(browser, `${BRIEFING}?question=troops-on-the-ground`);
  const qm = await q.evaluate(() => [...document.querySelectorAll(".article-body .ann.is-match")].map((m) => m.dataset.q || ""));
  assert(qm.length && qm.every((s) => s.split(" ").includes("troops-on-the-ground")), "?question= did not focus the question");
  await q.close();
});

await check("deep link #<id> highlights every piece of that annotation and its note", async () => {
  const page = await open(browser, `${origin}/sample/briefings/nato-troops-ukraine/#avoid-membership`);
  const r = await page.evaluate(() => ({
    pieces: [...document.querySelectorAll('[data-ann~="avoid-membership"]')].map((m) => m.classList.contains("is-target")),
    target: document.querySelector(":target") && document.querySelector(":target").id,
    note: document.getElementById("s_avoid-membership").classList.contains("is-target"),
    others: document.querySelectorAll(".is-target").length,
  }));
  assert(r.target === "avoid-membership", `:target is ${r.target}`);
  assert(r.pieces.length === 2 && r.pieces.every(Boolean), `pieces: ${r.pieces}`);
  assert(r.note && r.others === 3, `note highlighted: ${r.note}, highlighted: ${r.others}`);
  await page.close();
});

await check("keyboard: controls reachable, operable, with a visible focus", async () => {
  const page = await open(browser, BRIEFING);
  let found = null;
  for (let i = 0; i < 200 && !found; i++) {
    await page.keyboard.press("Tab");
    found = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || !el.classList.contains("focus-btn")) return null;
      const s = getComputedStyle(el);
      return { id: el.dataset.id, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
    });
  }
  assert(found, "no focus button reachable with Tab");
  assert(found.outline !== "none" && found.width >= 2, `focus not visible: ${JSON.stringify(found)}`);
  await page.keyboard.press("Enter");
  assert(await page.evaluate(() => document.querySelector(".briefing").classList.contains("focusing")), "Enter did not focus");
  await page.keyboard.press("Escape");
  assert(!(await page.evaluate(() => document.querySelector(".briefing").classList.contains("focusing"))), "Escape did not clear");
  assert((await page.evaluate(() => location.search)) === "", "Escape left the query in the URL");
  await page.close();
});

await check("narrow screens: notes open inline from their number, nothing overflows at 360 px or 200% zoom", async () => {
  const page = await open(browser, BRIEFING, { width: 390 });
  const button = page.locator('.nref-btn[aria-controls="s_clear-possibility"]');
  assert(!(await page.locator("#s_clear-possibility").isVisible()), "note visible before opening");
  await button.focus();
  await page.keyboard.press("Enter");
  assert((await button.getAttribute("aria-expanded")) === "true", "aria-expanded not set");
  assert(await page.locator("#s_clear-possibility").isVisible(), "note did not open");
  await page.locator("#s_clear-possibility").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, "briefing-390-note-open.png") });
  await page.close();
  // 200% zoom of a 1280 px window lays out like a 640 px one.
  for (const [url, width] of [[BRIEFING, 360], [BRIEFING, 640], [SPEAKER, 360], [QUESTION, 360], [`${origin}/stress/briefings/many-voices/`, 360], [`${origin}/sample/`, 360]]) {
    const p = await open(browser, url, { width });
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert(overflow <= 0, `${url} at ${width} px scrolls sideways by ${overflow} px`);
    await p.close();
  }
});

await check("wide screens: sidenotes sit in the margin, beside the text, without overlapping", async () => {
  for (const url of [BRIEFING, `${origin}/stress/briefings/many-voices/`, `${origin}/overlap/briefings/overlap/`]) {
    const page = await open(browser, url);
    const boxes = await page.evaluate(() => {
      const text = document.querySelector(".article-body").getBoundingClientRect();
      return { right: text.right, notes: [...document.querySelectorAll(".sidenote")].map((n) => n.getBoundingClientRect()).map((r) => [r.left, r.top, r.bottom]) };
    });
    assert(boxes.notes.length > 0, `${url}: no sidenotes`);
    for (const [left] of boxes.notes) assert(left >= boxes.right, `${url}: a sidenote overlaps the text`);
    for (let i = 1; i < boxes.notes.length; i++) assert(boxes.notes[i][1] >= boxes.notes[i - 1][2] - 0.5, `${url}: sidenotes ${i} and ${i + 1} overlap`);
    await page.close();
  }
});

await check("the script writes nothing inside marks, and note numbers follow the marks", async () => {
  for (const url of [BRIEFING, `${origin}/overlap/briefings/overlap/`, `${origin}/markdown/briefings/inline/`, `${origin}/stress/briefings/many-voices/`]) {
    const withJs = await open(browser, url);
    const without = await open(noJs, url);
    const a = await marksText(withJs);
    const b = await marksText(without);
    assert(Object.keys(b).length > 0, `${url}: no marks`);
    assert(JSON.stringify(a) === JSON.stringify(b), `${url}: marked text differs with the script on`);
    const order = await without.evaluate(() => ({
      notes: [...document.querySelectorAll(".endnotes .note")].map((n) => [n.dataset.for, n.dataset.n]),
      marks: Object.fromEntries([...document.querySelectorAll("[data-ann][data-n]")].map((m) => [m.id, m.dataset.n])),
    }));
    order.notes.forEach(([id, n], i) => {
      assert(Number(n) === i + 1, `${url}: note ${i + 1} is numbered ${n}`);
      assert(order.marks[id] === n, `${url}: mark ${id} is numbered ${order.marks[id]}, its note ${n}`);
    });
    await withJs.close();
    await without.close();
  }
});

await check("without JavaScript: marks, numbers, notes and panel are all there", async () => {
  const page = await open(noJs, BRIEFING);
  const r = await page.evaluate(() => ({
    marks: document.querySelectorAll(".article-body mark[data-ann]").length,
    numbered: [...document.querySelectorAll(".article-body mark[data-n]")].filter((m) => getComputedStyle(m, "::after").content.replace(/"/g, "") === m.dataset.n).length,
    firsts: document.querySelectorAll(".article-body mark[data-n]").length,
    notes: [...document.querySelectorAll(".endnotes .note")].filter((n) => n.offsetParent !== null).length,
    backlinks: document.querySelectorAll('.endnotes .note a.note-back[href^="#"]').length,
    panel: !!document.querySelector(".panel .spk") && document.querySelector(".panel").offsetParent !== null,
    hiddenButtons: [...document.querySelectorAll(".focus-btn")].every((b) => b.hidden),
  }));
  assert(r.marks > 0 && r.numbered === r.firsts, `numbers shown on ${r.numbered} of ${r.firsts} marks`);
  assert(r.notes === r.firsts && r.backlinks === r.firsts, `${r.notes} visible notes, ${r.backlinks} back-links, ${r.firsts} annotations`);
  assert(r.panel && r.hiddenButtons, "panel missing, or script-only buttons shown");
  await page.close();
});

await check("print: numbered endnotes with back-links, no controls", async () => {
  const page = await open(browser, BRIEFING, { media: "print" });
  const r = await page.evaluate(() => ({
    notes: [...document.querySelectorAll(".endnotes .note")].filter((n) => n.offsetParent !== null).length,
    marks: document.querySelectorAll(".article-body mark[data-n]").length,
    numbers: [...document.querySelectorAll(".article-body mark[data-n]")].every((m) => getComputedStyle(m, "::after").content.replace(/"/g, "") === m.dataset.n),
    controls: [...document.querySelectorAll("button, .sidenote, .site-nav")].filter((b) => b.offsetParent !== null).length,
  }));
  assert(r.notes === r.marks && r.numbers, `print shows ${r.notes} notes for ${r.marks} marks (numbers ok: ${r.numbers})`);
  assert(r.controls === 0, `${r.controls} controls visible in print`);
  await page.close();
});

await check("reduced motion: no smooth scrolling", async () => {
  const page = await open(browser, BRIEFING, { motion: "reduce" });
  assert((await page.evaluate(() => getComputedStyle(document.documentElement).scrollBehavior)) === "auto", "smooth scrolling with reduced motion");
  await page.close();
});

await check("schema.org JSON-LD on the briefing page", async () => {
  const page = await open(noJs, BRIEFING);
  const data = JSON.parse(await page.locator('script[type="application/ld+json"]').textContent());
  assert(data["@type"] === "NewsArticle" && data.isBasedOn && data.isBasedOn.name, "NewsArticle with isBasedOn");
  const q = data.hasPart.find((p) => p["@type"] === "Quotation" && p.creator && p.creator.sameAs);
  assert(q && q.creator["@type"] === "Person", "a Quotation whose creator is a Person with sameAs");
  assert(data.about.some((x) => x["@type"] === "Question"), "Questions in about");
  await page.close();
});

await browser.close();
await noJs.close();
server.close();
for (const dir of [tmp, profile, noJsProfile]) fs.rmSync(dir, { recursive: true, force: true });

const failed = results.filter((r) => !r.ok).length;
console.log(`screenshots in ${path.relative(repo, ARTIFACTS)}/ (${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
