#!/usr/bin/env node
// Checks the HTML committee report for accessibility in a real browser.
//
//   node scripts/a11y/check.mjs output/2014-15-Q2/committee-report.html \
//        [--screenshot shot.png] [--print-screenshot print.png] [--json results.json]
//        [--verbose: list the elements axe could not decide on]
//
// Opens the page in headless Chromium (Debian's /usr/bin/chromium, or the
// one named by $CHROMIUM; playwright-core downloads no browser), blocks
// every request that is not the file itself or a data: URI, checks that the
// page rendered (one h1, every chart image decoded, nothing fetched), then
// injects axe-core and runs it at desktop and phone widths. Exits 0 when
// axe finds no violations and the page rendered; 1 with each violation and
// the elements at fault listed otherwise; 2 when it could not run at all.
//
// Install once: apt-get install chromium; npm ci --prefix scripts/a11y

import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

const usage =
  'usage: node scripts/a11y/check.mjs FILE.html [--screenshot OUT.png] [--print-screenshot OUT.png] [--json OUT.json] [--verbose]';

function parseArgs(argv) {
  const opts = { file: null, screenshot: null, printScreenshot: null, json: null, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (!v) fail(2, `${a} needs a file name\n${usage}`);
      return v;
    };
    if (a === '--screenshot') opts.screenshot = value();
    else if (a === '--print-screenshot') opts.printScreenshot = value();
    else if (a === '--json') opts.json = value();
    else if (a === '-v' || a === '--verbose') opts.verbose = true;
    else if (a === '-h' || a === '--help') {
      console.log(usage);
      process.exit(0);
    } else if (a.startsWith('-')) fail(2, `unknown option ${a}\n${usage}`);
    else if (opts.file) fail(2, `one file at a time\n${usage}`);
    else opts.file = a;
  }
  if (!opts.file) fail(2, usage);
  return opts;
}

function fail(code, message) {
  console.error(message);
  process.exit(code);
}

const opts = parseArgs(process.argv.slice(2));
const file = resolve(opts.file);
if (!existsSync(file)) fail(2, `${opts.file}: no such file`);
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  fail(2, `${executablePath} not found: install Chromium with \`apt-get install chromium\` (or set CHROMIUM to a Chromium binary)`);
}

let chromium, axeSource;
try {
  ({ chromium } = await import('playwright-core'));
  axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
} catch (e) {
  fail(2, `playwright-core or axe-core is missing: run \`npm ci --prefix scripts/a11y\` (${e.message})`);
}

const pageUrl = pathToFileURL(file).href;
// The WCAG 2.2 A and AA rules, which the public sector accessibility
// regulations ask for, and axe's best practices.
const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const viewports = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 320, height: 720 },
];

const problems = [];
const browser = await chromium.launch({
  executablePath,
  headless: true,
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
const summary = { file, axe: null, viewports: {} };
try {
  const context = await browser.newContext({ locale: 'en-GB' });
  // A self-contained page asks for nothing but itself.
  const blocked = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === pageUrl || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  for (const vp of viewports) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto(pageUrl, { waitUntil: 'load' });
    const rendered = await page.evaluate(() => {
      const imgs = [...document.images];
      return {
        lang: document.documentElement.lang,
        title: document.title,
        h1: [...document.querySelectorAll('h1')].map((h) => h.innerText.trim()),
        headings: document.querySelectorAll('h1, h2, h3, h4, h5, h6').length,
        mainHeight: document.querySelector('main')?.getBoundingClientRect().height ?? 0,
        images: imgs.length,
        brokenImages: imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.alt),
        pageWidth: document.documentElement.scrollWidth,
        viewportWidth: window.innerWidth,
      };
    });
    summary.viewports[vp.name] = rendered;
    if (rendered.h1.length !== 1) problems.push(`${vp.name}: expected one h1, found ${rendered.h1.length}`);
    if (!rendered.title) problems.push(`${vp.name}: the page has no title`);
    if (rendered.mainHeight < 500) problems.push(`${vp.name}: <main> is only ${rendered.mainHeight}px tall: did the page render?`);
    if (rendered.brokenImages.length) problems.push(`${vp.name}: images that did not load: ${rendered.brokenImages.join(' | ')}`);
    // WCAG 1.4.10 reflow: wide tables scroll in their own region; the page never does.
    if (rendered.pageWidth > rendered.viewportWidth + 1) {
      problems.push(`${vp.name}: the page is ${rendered.pageWidth}px wide in a ${rendered.viewportWidth}px window (scrolls sideways)`);
    }

    await page.addScriptTag({ content: axeSource });
    const results = await page.evaluate(
      async (runOnly) => await window.axe.run(document, { runOnly: { type: 'tag', values: runOnly } }),
      tags,
    );
    summary.axe = results.testEngine.version;
    const rules = new Set(
      [...results.passes, ...results.violations, ...results.incomplete, ...results.inapplicable].map((r) => r.id),
    );
    summary.viewports[vp.name].axe = {
      rules: rules.size,
      passes: results.passes.length,
      violations: results.violations.length,
      incomplete: results.incomplete.map((r) => r.id),
      inapplicable: results.inapplicable.length,
    };
    console.log(
      `${vp.name} (${vp.width}px): axe-core ${results.testEngine.version} checked ${rules.size} rules ` +
        `(${tags.join(', ')}): ${results.passes.length} passed, ${results.inapplicable.length} not applicable, ` +
        `${results.incomplete.length} to review by hand, ${results.violations.length} violations`,
    );
    for (const r of results.incomplete) {
      console.log(`  to review: ${r.id} (${r.nodes.length} elements): ${r.help}`);
      if (opts.verbose) {
        for (const n of r.nodes) {
          const why = [...n.any, ...n.all, ...n.none].map((c) => c.message).join('; ');
          console.log(`    ${n.target.join(' ')}: ${why}\n      ${n.html.slice(0, 200)}`);
        }
      }
    }
    for (const v of results.violations) {
      problems.push(`${vp.name}: ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`);
      for (const n of v.nodes) {
        problems.push(`    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`);
        problems.push(`      ${n.html.slice(0, 300)}`);
      }
    }
  }

  if (blocked.length) problems.push(`the page asked for ${blocked.length} outside resources: ${blocked.join(', ')}`);
  if (consoleErrors.length) problems.push(`console errors: ${consoleErrors.join(' | ')}`);

  if (opts.screenshot) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(pageUrl, { waitUntil: 'load' });
    await page.screenshot({ path: opts.screenshot, fullPage: true });
    console.log(`screenshot: ${opts.screenshot}`);
  }
  if (opts.printScreenshot) {
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.emulateMedia({ media: 'print' });
    await page.goto(pageUrl, { waitUntil: 'load' });
    await page.screenshot({ path: opts.printScreenshot, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    console.log(`print screenshot: ${opts.printScreenshot}`);
  }
} finally {
  await browser.close();
}

summary.problems = problems;
if (opts.json) writeFileSync(opts.json, JSON.stringify(summary, null, 2));
if (problems.length) {
  console.error(`${opts.file}: ${problems.length} problem lines:`);
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`${opts.file}: no accessibility violations found`);
