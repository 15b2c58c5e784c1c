/**
 * `progress export --format jsonl|csv|md|html` and `progress import <file>`.
 * JSON Lines export streams event by event (constant memory); imports are all-or-nothing per file
 * (checked completely before anything is written, then one commit when the store's limits allow).
 */
import { readFileSync } from 'node:fs';
import { EventStore, exportCsv, importCsv, importJsonl, jsonlLines, randomIds, systemClock } from '@progress/domain';
import type { Cutoff, ImportReport, KvStore } from '@progress/domain';
import type { Context } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { plural } from '../cli/output.js';
import { emitJson, instantArg, prepare } from './common.js';
import { OutputFile, writeOutput } from './output-file.js';
import { ProgressBar } from './progress-bar.js';
import { runReport } from './report.js';
import type { ReportInput } from './report.js';
import { withSession } from './session.js';

export interface ExportInput extends Omit<ReportInput, 'format'> {
  readonly format: 'jsonl' | 'csv' | 'md' | 'html';
}

export async function runExport(ctx: Context, input: ExportInput): Promise<void> {
  if (input.format === 'md' || input.format === 'html') {
    await runReport(ctx, { ...input, format: input.format });
    return;
  }
  const env = prepare(ctx, input.db);
  if (input.user !== undefined || input.team !== undefined || input.period !== undefined || input.from !== undefined || input.to !== undefined || input.ago !== undefined) {
    throw new UsageError(`--format ${input.format} exports the whole store; --user, --team and period options apply to md and html`);
  }
  const cutoff: Cutoff | undefined = input.asOf === undefined ? undefined : { recordedAt: instantArg(input.asOf, env.now, '--as-of') };
  await withSession(ctx, env.dir, env.settings, async (session) => {
    if (input.format === 'csv') {
      const text = await exportCsv(session.store, cutoff);
      if (input.out === undefined) ctx.io.stdout(text);
      else writeOutput(ctx, input.out, text, 'CSV of entries');
      return;
    }
    const file = input.out === undefined ? undefined : new OutputFile(input.out);
    const progress = new ProgressBar(ctx, 'exporting events');
    let count = 0;
    try {
      let buffer = '';
      for await (const line of jsonlLines(session.store, cutoff)) {
        buffer += line;
        count += 1;
        if (buffer.length > 64 * 1024) {
          if (file === undefined) ctx.io.stdout(buffer);
          else file.write(buffer);
          buffer = '';
          progress.tick(count);
        }
      }
      if (file === undefined) ctx.io.stdout(buffer);
      else file.write(buffer);
      file?.commit();
    } catch (error) {
      file?.abort();
      throw error;
    } finally {
      progress.finish();
    }
    if (file !== undefined) ctx.io.stderr(`wrote ${plural(count, 'event')} to ${file.path}\n`);
  });
}

export interface ImportInput {
  readonly db: string | undefined;
  readonly file: string;
  readonly format: 'jsonl' | 'csv' | undefined;
  readonly user: string | undefined;
  readonly json: boolean;
}

async function readInput(ctx: Context, file: string): Promise<string> {
  if (file === '-') {
    if (ctx.io.readStdin !== undefined) return ctx.io.readStdin();
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new UsageError(`cannot read ${file}: ${why}`, 'give the path of a .jsonl or .csv file, or - for stdin');
  }
}

export function importFormat(file: string, format: 'jsonl' | 'csv' | undefined): 'jsonl' | 'csv' {
  if (format !== undefined) return format;
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl';
  if (/\.csv$/i.test(file)) return 'csv';
  throw new UsageError(`cannot tell the format of ${file}`, 'add --format jsonl or --format csv');
}

/** Counts the store reads and commits an import makes, for the progress bar. */
function counting(kv: KvStore, onRead: () => void, onCommit: () => void): KvStore {
  return {
    limits: kv.limits,
    get: (key) => kv.get(key),
    scan: (request) => {
      if (request.start.includes(':ev:')) onRead();
      return kv.scan(request);
    },
    commit: async (conditions, mutations) => {
      const result = await kv.commit(conditions, mutations);
      onCommit();
      return result;
    },
    currentRevision: () => kv.currentRevision(),
    close: () => kv.close(),
  };
}

export async function runImport(ctx: Context, input: ImportInput): Promise<void> {
  const env = prepare(ctx, input.db);
  const format = importFormat(input.file, input.format);
  const text = await readInput(ctx, input.file);
  if (text.trim() === '') throw new UsageError(`${input.file} is empty; nothing to import`);
  const streams = format === 'jsonl' ? new Set(text.match(/"stream":"[^"]+"/g) ?? []).size : undefined;
  const progress = new ProgressBar(ctx, 'checking');
  let report: ImportReport;
  try {
    report = await withSession(ctx, env.dir, env.settings, async (session) => {
      let reads = 0;
      let commits = 0;
      const kv = counting(session.opened.kv, () => progress.tick(++reads, streams), () => {
        if (commits === 0) progress.phase('writing');
        progress.tick(++commits);
      });
      const store = await EventStore.open(kv);
      progress.phase('checking', streams);
      if (format === 'jsonl') return importJsonl(store, text);
      const { userId } = session.user(input.user);
      return importCsv(store, text, { clock: systemClock, ids: randomIds, actor: userId, source: input.file });
    });
  } finally {
    progress.finish();
  }
  if (input.json) {
    emitJson(ctx, { status: 'imported', format, ...report });
    return;
  }
  const what = format === 'jsonl' ? 'event' : 'event';
  const skipped = report.skipped === 0 ? '' : `; ${plural(report.skipped, format === 'jsonl' ? 'event' : 'row')} already present, skipped`;
  const commits = report.atomic ? '' : ` in ${report.commits} commits (not atomic: re-run the same import to complete it if it was interrupted)`;
  ctx.io.stdout(`${env.paint('green', 'imported')} ${plural(report.imported, what)} from ${input.file}${skipped}${commits}\n`);
}
