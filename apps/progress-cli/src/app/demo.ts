/**
 * `progress demo`: fills a store with 90 realistic days of a few users and a team (one atomic
 * import), then prints a status and a team report from it. Uses a new temporary store unless
 * --db is given (never $PROGRESS_DB or the default store), and refuses a store that has data.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importJsonl } from '@progress/domain';
import type { UserId } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { plural } from '../cli/output.js';
import { emitJson, prepare, reportSettings } from './common.js';
import { generateDemo, DEMO_PEOPLE } from './demo-data.js';
import { fastTeamReport, userSubject } from './fast-read.js';
import { ProgressBar } from './progress-bar.js';
import { renderReportTable } from './report-render.js';
import { parseTeamArg, withSession } from './session.js';
import { renderStatus, statusOf } from './status.js';

export interface DemoInput {
  readonly db: string | undefined;
  readonly days: number;
  readonly seed: number;
  readonly json: boolean;
}

export async function runDemo(ctx: Context, input: DemoInput): Promise<void> {
  if (ctx.storeFlag !== undefined) throw new UsageError('demo makes its own store; --store is not used here', 'leave out --store (a temporary store), or give --db an empty directory');
  const dir = input.db === undefined ? mkdtempSync(join(tmpdir(), 'progress-demo-')) : resolve(input.db);
  const env0 = prepare(ctx, dir);
  const env = { ...env0, settings: { ...env0.settings, defaultUser: 'ada' } };
  const demo = generateDemo({ days: input.days, seed: input.seed, nowMs: env.now.epochMs, timeZone: env.settings.timeZone });
  const progress = new ProgressBar(ctx, 'writing demo data', 500);
  progress.phase('writing demo data');
  const result = await withSession(ctx, dir, env.settings, async (session) => {
    if ((await session.store.listStreams('user')).length > 0 || (await session.store.listStreams('team')).length > 0) {
      throw new UsageError(`store ${dir} already has data; the demo needs an empty store`, 'leave out --db to use a new temporary store');
    }
    const report = await importJsonl(session.store, demo.jsonl);
    progress.finish();
    const subject = await userSubject(session.store, 'ada' as UserId);
    const team = await fastTeamReport(session.store, parseTeamArg(demo.team), { kind: 'week', offset: -1 }, reportSettings(env));
    return { report, subject, team };
  }).finally(() => progress.finish());
  if (input.json) {
    emitJson(ctx, {
      db: dir, days: input.days, users: demo.users, team: demo.team, events: result.report.imported,
      status: result.subject === null ? null : statusOf(result.subject, env), report: result.team,
    });
    return;
  }
  const paint = env.paint;
  const names = DEMO_PEOPLE.map((person) => `${person.name} (${person.id})`).join(', ');
  const lines = [
    `${paint('green', 'demo store')} ${dir}`,
    `${input.days} days of ${names} and team ${demo.team}: ${plural(result.report.imported, 'event')} in one atomic import`,
    '',
    `${paint('bold', '$ progress status --user ada')}`,
    result.subject === null ? '' : renderStatus(statusOf(result.subject, env), env),
    `${paint('bold', `$ progress report --team ${demo.team} --ago 1`)}`,
    result.team === null ? '' : renderReportTable(result.team, paint),
    `Explore it: export PROGRESS_DB=${dir}`,
    '  progress status --user grace · progress history --user ada · progress report --user alan --period month',
    '  progress report --team core --format html --out report.html · progress undo --dry-run --user ada',
    '',
  ];
  ctx.io.stdout(lines.join('\n'));
}
