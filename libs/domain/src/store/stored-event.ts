/**
 * Event record, the value at `<kind>:<id>:ev:<version>`: canonical JSON
 *   {"event":<event, events.ts envelope>,"ord":<index of this event within its commit>}
 *
 * Global order: (modRevision of the record's key, ord). The record is written once and never
 * rewritten, so its modRevision is the revision of the commit that appended it: a store-wide,
 * monotonic position that costs no counter key (ARCHITECTURE rule 7). `ord` orders events of one
 * commit (several events of one command, or several streams in one import commit).
 */
import { z } from 'zod';
import { decodeEventValue, encodeEvent, EventDecodeError } from '../event-codec.js';
import type { DomainEvent } from '../events.js';
import { canonicalJson, parseJsonBytes, utf8Decode, utf8Encode } from '../json.js';
import type { KvEntry, Revision } from '../ports/kv-store.js';
import type { StreamRef } from '../streams.js';
import { parseEventVersion } from './key-layout.js';

export interface GlobalPosition {
  readonly revision: Revision;
  readonly ord: number;
}

export interface StoredEvent {
  readonly stream: StreamRef;
  readonly version: number;
  readonly position: GlobalPosition;
  readonly event: DomainEvent;
}

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.revision !== b.revision) return a.revision < b.revision ? -1 : 1;
  return a.ord - b.ord;
}

export function encodeEventRecord(event: DomainEvent, ord: number): Uint8Array {
  const eventJson = utf8Decode(encodeEvent(event));
  return utf8Encode(`{"event":${eventJson},"ord":${canonicalJson(ord)}}`);
}

const RecordSchema = z.object({ event: z.unknown(), ord: z.number().int().min(0) }).strict();

export function decodeEventRecord(stream: StreamRef, entry: KvEntry): StoredEvent {
  const version = parseEventVersion(entry.key);
  if (version === null) throw new EventDecodeError(`${entry.key} is not an event key`);
  const parsed = parseJsonBytes(entry.value);
  if (!parsed.ok) throw new EventDecodeError(`${entry.key}: event record is not JSON: ${parsed.reason}`);
  const record = RecordSchema.safeParse(parsed.value);
  if (!record.success) throw new EventDecodeError(`${entry.key}: malformed event record`);
  try {
    const event = decodeEventValue(record.data.event);
    return { stream, version, position: { revision: entry.modRevision, ord: record.data.ord }, event };
  } catch (error) {
    if (error instanceof EventDecodeError) throw new EventDecodeError(`${entry.key}: ${error.message}`);
    throw error;
  }
}
