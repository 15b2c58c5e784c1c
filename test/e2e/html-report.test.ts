// Goal: the HTML report renders in a real browser: the charts are inline SVG that Chromium lays
// out, and a screenshot is produced. Method: a demo store, `progress report --format html`,
// Debian's chromium (installed by test/scripts/ensure-chromium.sh when missing) driven headless
// by playwright-core; the test fails loudly when chromium cannot be installed.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ok, REPO, sandbox } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';

function ensureChromium(): void {
  try {
    execFileSync('bash', [join(REPO, 'test/scripts/ensure-chromium.sh')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 900_000 });
  } catch (error) {
    throw new Error(`Chromium is required for the HTML report test and could not be installed (test/scripts/ensure-chromium.sh failed): ${String(error)}`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is still missing after test/scripts/ensure-chromium.sh`);
}

describe('HTML report in headless Chromium', () => {
  it('renders the charts as SVG and takes a screenshot', async () => {
    ensureChromium();
    const box = sandbox('html');
    await ok(['demo', '--db', box.db, '--json'], box);
    const page = join(box.root, 'team.html');
    await ok(['report', '--team', 'core', '--period', 'month', '--format', 'html', '--out', page], box);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      tab.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
      expect(await tab.title()).toMatch(/Progress: Team Core team/);
      const svgs = await tab.locator('svg').count();
      expect(svgs).toBeGreaterThanOrEqual(2);
      const bars = await tab.locator('svg rect').count();
      expect(bars).toBeGreaterThan(10);
      const box0 = await tab.locator('svg').first().boundingBox();
      expect(box0?.width ?? 0).toBeGreaterThan(100);
      expect(box0?.height ?? 0).toBeGreaterThan(10);
      const shot = join(box.root, 'team.png');
      await tab.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(requests, 'the report must not touch the network').toEqual([]);
      console.log(`html-report: ${svgs} svg, ${bars} rect, screenshot ${shot}`);
    } finally {
      await browser.close();
    }
  }, 1_200_000);
});
