/** Exports from the store: JSON Lines of raw events (global order) and CSV of entries. */
import { entriesToCsv } from '../export/csv.js';
import { eventToJsonlLine } from '../export/jsonl.js';
import type { UserState } from '../state.js';
import type { Cutoff, EventStore } from './event-store.js';

/** Streams the export line by line (constant memory per stream; for large stores). */
export async function* jsonlLines(store: EventStore, cutoff?: Cutoff): AsyncGenerator<string> {
  for await (const stored of store.readAll(cutoff)) yield eventToJsonlLine(stored.stream, stored.version, stored.event);
}

export async function exportJsonl(store: EventStore, cutoff?: Cutoff): Promise<string> {
  const lines: string[] = [];
  for await (const line of jsonlLines(store, cutoff)) lines.push(line);
  return lines.join('');
}

export async function exportCsv(store: EventStore, cutoff?: Cutoff): Promise<string> {
  const rows = [];
  for (const stream of await store.listStreams('user')) {
    const state = (await store.loadState(stream, cutoff)) as UserState;
    for (const entry of state.entries.values()) rows.push({ userId: state.userId as string, entry });
  }
  return entriesToCsv(rows);
}
