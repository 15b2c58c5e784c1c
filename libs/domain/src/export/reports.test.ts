// Goal: Markdown and HTML reports contain the figures, escape all user text, and the HTML file is
// self-contained (no scripts, no external URLs besides the SVG namespace identifier).
import { describe, expect, it } from 'vitest';
import { record, register, setGoal } from '../testing/commands.test-util.js';
import { at, user } from '../testing/fixtures.test-util.js';
import { harness } from '../testing/store-harness.test-util.js';
import { userReport } from '../reports/report-service.js';
import type { UserReport } from '../reports/user-report.js';
import type { TimeZone } from '../time.js';
import { escapeHtml, renderHtmlReport } from './html.js';
import { escapeMarkdown, renderMarkdownReport } from './markdown.js';

async function sample(displayName: string): Promise<UserReport> {
  const h = await harness({ start: '2026-03-20T00:00:00.000Z' });
  await h.runAll([
    register('u', { displayName, timeZone: 'UTC' }),
    record('u', 'running', 5, { occurredAt: at('2026-03-02T08:00:00.000Z') }),
    record('u', 'running', 7.5, { occurredAt: at('2026-03-03T08:00:00.000Z') }),
    setGoal('u', 'running', 25),
  ]);
  const report = await userReport(h.store, user('u'), {
    period: { kind: 'week', containing: '2026-03-02' as never },
    settings: { timeZone: 'UTC' as TimeZone, weekStartsOn: 1, now: at('2026-03-20T00:00:00.000Z') },
  });
  if (report === null) throw new Error('no report');
  return report;
}

describe('Markdown report', () => {
  it('renders the figures in a table', async () => {
    const markdown = renderMarkdownReport(await sample('Ann'));
    expect(markdown).toContain('# Progress report: Ann (u)');
    expect(markdown).toContain('Period: 2026-03-02 – 2026-03-08 (UTC, week starts Monday)');
    expect(markdown).toContain('| running (km) | 12.5 | 2 | 6.25 | 50% | 0 | 2 |');
  });
  it('escapes user text', async () => {
    const markdown = renderMarkdownReport(await sample('A|B <img src=x> *bold*'));
    expect(markdown).toContain('A\\|B &lt;img src=x\\> \\*bold\\*');
    expect(markdown).not.toContain('<img');
    expect(escapeMarkdown('a|b')).toBe('a\\|b');
  });
});

describe('HTML report', () => {
  it('is self-contained, with inline SVG charts', async () => {
    const html = renderHtmlReport(await sample('Ann'));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).toContain('Goal attainment');
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
    expect(html.match(/https?:\/\/[^"]+/g)?.every((url) => url === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(html.match(/<rect class="bar"/g)).toHaveLength(7);
  });
  it('escapes every piece of user text', async () => {
    const html = renderHtmlReport(await sample('<script>alert("x")</script>'));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;');
    expect(escapeHtml(`&<>"'`)).toBe('&#38;&#60;&#62;&#34;&#39;');
  });
});
