/**
 * JSON Lines of raw events: one line per event, in global order, each
 *   {"event":<event envelope, events.ts>,"stream":"user:<id>","version":<n>}
 * with keys sorted (canonical JSON) and "\n" line ends. Lossless: every event keeps its eventId,
 * commandId, both clocks, zone and schema version; stream versions are kept so an import lays the
 * events out exactly as they were. The store-specific commit revision is not exported (another
 * store assigns its own); the line order carries the global order.
 */
import { z } from 'zod';
import { decodeEventValue } from '../event-codec.js';
import type { DomainEvent } from '../events.js';
import { parseTeamId, parseUserId } from '../ids.js';
import { canonicalJson } from '../json.js';
import { streamName } from '../streams.js';
import type { StreamRef } from '../streams.js';

export interface JsonlRecord {
  readonly line: number;
  readonly stream: StreamRef;
  readonly version: number;
  readonly event: DomainEvent;
}

export function eventToJsonlLine(stream: StreamRef, version: number, event: DomainEvent): string {
  return `${canonicalJson({ event, stream: streamName(stream), version })}\n`;
}

const LineSchema = z.object({ event: z.unknown(), stream: z.string(), version: z.number().int().positive() }).strict();

export function parseStreamName(name: string): StreamRef | null {
  const match = /^(user|team):([^:]+)$/.exec(name);
  if (match === null) return null;
  const id = match[2] ?? '';
  if (match[1] === 'user') {
    const parsed = parseUserId(id);
    return parsed.ok ? { kind: 'user', id: parsed.value } : null;
  }
  const parsed = parseTeamId(id);
  return parsed.ok ? { kind: 'team', id: parsed.value } : null;
}

export type JsonlParse =
  | { readonly ok: true; readonly records: readonly JsonlRecord[] }
  | { readonly ok: false; readonly problems: readonly { readonly line: number; readonly message: string }[] };

/** Parses and validates every line (blank lines are skipped); reports all bad lines by number. */
export function parseJsonl(text: string): JsonlParse {
  const records: JsonlRecord[] = [];
  const problems: { line: number; message: string }[] = [];
  text.split('\n').forEach((raw, index) => {
    const parsed = parseJsonlLine(raw, index + 1);
    if (parsed === null) return;
    if ('message' in parsed) problems.push(parsed);
    else records.push(parsed);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, records };
}

/** One line (without or with its `\n`/`\r\n`): a record, a problem, or null when blank. */
export function parseJsonlLine(raw: string, line: number): JsonlRecord | { readonly line: number; readonly message: string } | null {
  const content = raw.endsWith('\n') ? raw.slice(0, raw.endsWith('\r\n') ? -2 : -1) : raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (content.trim() === '') return null;
  try {
    const shape = LineSchema.safeParse(JSON.parse(content) as unknown);
    if (!shape.success) throw new Error('expected {"event","stream","version"}');
    const stream = parseStreamName(shape.data.stream);
    if (stream === null) throw new Error(`bad stream name ${JSON.stringify(shape.data.stream)}`);
    return { line, stream, version: shape.data.version, event: decodeEventValue(shape.data.event) };
  } catch (error) {
    return { line, message: error instanceof Error ? error.message : String(error) };
  }
}
