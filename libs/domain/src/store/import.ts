/**
 * Imports, all or nothing per file: every line is parsed and checked (syntax, stream order,
 * consistency with what the store already holds, domain rules) before anything is written; any
 * problem rejects the whole file with line numbers (ImportRejectedError) and writes nothing.
 * Writing then goes through writeBatches: one commit when the store's limits allow, else several
 * (reported in `commits`; a crash between them leaves a prefix, and re-running completes it).
 *
 * - JSON Lines: events keep their ids and stream versions. An event already in the store at the
 *   same version with the same id is skipped, so a re-import changes nothing; a different event
 *   at that version is a conflict (the store and the file have diverged).
 * - CSV: each row becomes a RecordProgress decided against the user's state; its idempotency key
 *   is derived from the row content and its occurrence number among identical rows, so importing
 *   the same file again (or a file with extra rows) adds only rows not imported before.
 */
import type { RecordProgress } from '../commands.js';
import { decide } from '../decide.js';
import { BugError } from '../assert.js';
import { evolveAll, Folder } from '../evolve.js';
import { parseCsv } from '../export/csv.js';
import { parseJsonl, parseJsonlLine } from '../export/jsonl.js';
import type { JsonlParse, JsonlRecord } from '../export/jsonl.js';
import { fnv1a64Hex } from '../hash.js';
import type { IdempotencyKey } from '../ids.js';
import { canonicalJson, encodeJson } from '../json.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';
import type { StreamState } from '../state.js';
import { streamName } from '../streams.js';
import { writeBatches } from './batch-writer.js';
import type { PendingEvent } from './batch-writer.js';
import { commandFingerprint } from './command-handler.js';
import { ImportRejectedError } from './errors.js';
import type { ImportProblem } from './errors.js';
import { initialStateOf } from './event-store.js';
import type { EventStore } from './event-store.js';
import { idempotencyKeyFor } from './key-layout.js';
import { csvRowToCommand } from './csv-rows.js';

export interface ImportReport {
  readonly imported: number;
  readonly skipped: number;
  readonly commits: number;
  /** True when the whole file went in one commit (atomic even across a crash). */
  readonly atomic: boolean;
}

/**
 * `source`: the whole file, or its lines in order (e.g. from `readline`, so a large file is never
 * one string); line numbers count the items.
 */
export async function importJsonl(store: EventStore, source: string | Iterable<string> | AsyncIterable<string>): Promise<ImportReport> {
  const parsed = typeof source === 'string' ? parseJsonl(source) : await parseJsonlLines(source);
  if (!parsed.ok) throw new ImportRejectedError(parsed.problems);
  const problems: ImportProblem[] = [];
  const states = new Map<string, StreamState>();
  const existingIds = new Map<string, readonly string[]>();
  const lastVersion = new Map<string, number>();
  const pending: PendingEvent[] = [];
  const pendingLines: number[] = [];
  let skipped = 0;
  for (const record of parsed.records) {
    const name = streamName(record.stream);
    if (!states.has(name)) {
      const existing = await store.readStream(record.stream);
      existingIds.set(name, existing.map((stored) => stored.event.eventId));
      states.set(name, evolveAll(initialStateOf(record.stream), existing.map((stored) => stored.event)));
    }
    const expected = (lastVersion.get(name) ?? 0) + 1;
    if (record.version !== expected) {
      problems.push({ line: record.line, message: `${name} version ${record.version} out of order (expected ${expected})` });
      continue;
    }
    lastVersion.set(name, expected);
    const known = existingIds.get(name)?.[record.version - 1];
    if (known !== undefined) {
      if (known === record.event.eventId) skipped += 1;
      else problems.push({ line: record.line, message: `${name} already has a different event at version ${record.version}` });
      continue;
    }
    pending.push({ stream: record.stream, event: record.event });
    pendingLines.push(record.line);
  }
  problems.push(...checkFolds(pending, states, pendingLines));
  if (problems.length > 0) throw new ImportRejectedError(problems);
  const report = await writeBatches(store, pending, states);
  return { imported: pending.length, skipped, commits: report.commits, atomic: report.commits <= 1 };
}

async function parseJsonlLines(lines: Iterable<string> | AsyncIterable<string>): Promise<JsonlParse> {
  const records: JsonlRecord[] = [];
  const problems: ImportProblem[] = [];
  let line = 0;
  for await (const raw of lines) {
    line += 1;
    const parsed = parseJsonlLine(raw, line);
    if (parsed === null) continue;
    if ('message' in parsed) problems.push(parsed);
    else records.push(parsed);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, records };
}

/**
 * Folding the new events must not break an invariant (e.g. amend an entry never recorded). One
 * folder per stream, event by event (linear). After a stream's first broken event its later
 * events are not checked (the fold is no longer a state that can exist): one problem per stream.
 */
function checkFolds(pending: readonly PendingEvent[], states: Map<string, StreamState>, lines: readonly number[]): ImportProblem[] {
  const problems: ImportProblem[] = [];
  const folders = new Map<string, Folder<StreamState> | null>();
  pending.forEach((item, index) => {
    const name = streamName(item.stream);
    let folder = folders.get(name);
    if (folder === null) return;
    if (folder === undefined) {
      folder = new Folder(states.get(name) as StreamState);
      folders.set(name, folder);
    }
    try {
      folder.apply(item.event);
    } catch (error) {
      if (error instanceof BugError) {
        problems.push({ line: lines[index] ?? 0, message: error.message });
        folders.set(name, null);
        return;
      }
      throw error;
    }
  });
  return problems;
}

export interface CsvImportOptions {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Actor stamped on the imported events. */
  readonly actor: RecordProgress['actor'];
  /** Names the source, so the same rows from two different sources are not deduplicated. */
  readonly source?: string;
}

export async function importCsv(store: EventStore, text: string, options: CsvImportOptions): Promise<ImportReport> {
  const parsed = parseCsv(text);
  if (!parsed.ok) throw new ImportRejectedError([{ line: parsed.line, message: parsed.message }]);
  const [header, ...rows] = parsed.records;
  if (header === undefined) throw new ImportRejectedError([{ line: 0, message: 'empty file' }]);
  const problems: ImportProblem[] = [];
  const commands: { line: number; command: RecordProgress }[] = [];
  const occurrences = new Map<string, number>();
  for (const row of rows) {
    const result = csvRowToCommand(header.fields, row, options.actor);
    if (!result.ok) {
      problems.push({ line: row.line, message: result.message });
      continue;
    }
    const content = canonicalJson({ source: options.source ?? '', row: result.command }, { nonFiniteAsString: true });
    const occurrence = (occurrences.get(content) ?? 0) + 1;
    occurrences.set(content, occurrence);
    const key = `csv-${fnv1a64Hex(content)}-${occurrence}` as IdempotencyKey;
    commands.push({ line: row.line, command: { ...result.command, commandId: key as unknown as RecordProgress['commandId'], idempotencyKey: key } });
  }
  return writeCsvCommands(store, commands, options, problems);
}

/** Decides every syntactically valid row; reports syntax and domain problems together, by line. */
async function writeCsvCommands(
  store: EventStore,
  commands: readonly { line: number; command: RecordProgress }[],
  options: CsvImportOptions,
  problems: ImportProblem[],
): Promise<ImportReport> {
  const states = new Map<string, StreamState>();
  const trial = new Map<string, Folder<StreamState>>();
  const pending: PendingEvent[] = [];
  let skipped = 0;
  const now = options.clock.now();
  for (const { line, command } of commands) {
    const stream = { kind: 'user', id: command.userId } as const;
    const name = streamName(stream);
    let folder = trial.get(name);
    if (folder === undefined) {
      const state = await store.loadState(stream);
      states.set(name, state);
      folder = new Folder(state);
      trial.set(name, folder);
    }
    const key = command.idempotencyKey as string;
    if ((await store.readIdempotencyRecord(stream, key)) !== undefined) {
      skipped += 1;
      continue;
    }
    // decide only reads the state; the folder's draft is not kept past this iteration
    const version = folder.state.version;
    const decision = decide(folder.state, command, now, options.ids);
    if (!decision.ok) {
      problems.push({ line, message: `${decision.rejection.code}: ${decision.rejection.message}` });
      continue;
    }
    for (const event of decision.events) folder.apply(event);
    const record = {
      commandId: command.commandId, fingerprint: commandFingerprint(command), fromVersion: version + 1,
      toVersion: version + decision.events.length, eventIds: decision.events.map((event) => event.eventId),
    };
    decision.events.forEach((event, index) => {
      pending.push({ stream, event, ...(index === 0 ? { records: [{ key: idempotencyKeyFor(stream, key), value: encodeJson(record) }] } : {}) });
    });
  }
  if (problems.length > 0) throw new ImportRejectedError([...problems].sort((a, b) => a.line - b.line));
  const report = await writeBatches(store, pending, states);
  return { imported: pending.length, skipped, commits: report.commits, atomic: report.commits <= 1 };
}
