/**
 * Event bytes: UTF-8 canonical JSON of the envelope (events.ts), keys sorted, no whitespace.
 *
 * Decoding: bytes -> JSON -> {type, schemaVersion} -> that version's zod schema -> upcasters
 * (pure functions vN -> vN+1, chained) -> the current schema validates the result. Stored bytes are
 * never rewritten; old versions are upcast on every read.
 */
import { z } from 'zod';
import { CURRENT_SCHEMA_VERSION, CurrentEventSchema, EVENT_SCHEMAS, isEventType } from './events.js';
import type { DomainEvent, EventType } from './events.js';
import { encodeJson, parseJsonBytes } from './json.js';

export class EventDecodeError extends Error {
  readonly code = 'EVENT_DECODE_FAILED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'EventDecodeError';
  }
}

type Upcaster = (previous: Record<string, unknown>) => Record<string, unknown>;

/** `UPCASTERS[type][n]` turns version n into version n + 1. Pure; never remove one. */
export const UPCASTERS: Partial<Record<EventType, Readonly<Record<number, Upcaster>>>> = {
  ProgressRecorded: {
    1: (v1) => {
      const data = v1['data'] as Record<string, unknown>;
      const note = data['note'];
      return {
        ...v1,
        schemaVersion: 2,
        data: { ...data, note: typeof note === 'string' && note.trim() !== '' ? note : null, tags: [] },
      };
    },
  },
};

const EnvelopeProbe = z.object({ type: z.string(), schemaVersion: z.number().int().positive() }).loose();

export function encodeEvent(event: DomainEvent): Uint8Array {
  const checked = CurrentEventSchema.safeParse(event);
  if (!checked.success) {
    throw new EventDecodeError(`refusing to encode an invalid ${event.type}: ${z.prettifyError(checked.error)}`);
  }
  return encodeJson(event);
}

export function decodeEvent(bytes: Uint8Array): DomainEvent {
  const parsed = parseJsonBytes(bytes);
  if (!parsed.ok) throw new EventDecodeError(`event is not JSON: ${parsed.reason}`);
  return decodeEventValue(parsed.value);
}

/** Validates and upcasts an already parsed JSON value (used by the JSON Lines import). */
export function decodeEventValue(value: unknown): DomainEvent {
  const probe = EnvelopeProbe.safeParse(value);
  if (!probe.success) throw new EventDecodeError('event has no type/schemaVersion');
  const { type, schemaVersion } = probe.data;
  if (!isEventType(type)) throw new EventDecodeError(`unknown event type ${JSON.stringify(type)}`);
  const current = CURRENT_SCHEMA_VERSION[type];
  if (schemaVersion > current) {
    throw new EventDecodeError(`${type} v${schemaVersion} is newer than this program (v${current}); upgrade progress`);
  }
  let raw = validateVersion(type, schemaVersion, value);
  for (let version = schemaVersion; version < current; version += 1) {
    const upcast = UPCASTERS[type]?.[version];
    if (upcast === undefined) throw new EventDecodeError(`no upcaster for ${type} v${version}`);
    raw = validateVersion(type, version + 1, upcast(raw));
  }
  const result = CurrentEventSchema.safeParse(raw);
  if (!result.success) throw new EventDecodeError(`${type}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function validateVersion(type: EventType, version: number, value: unknown): Record<string, unknown> {
  const schema = EVENT_SCHEMAS[type][version];
  if (schema === undefined) throw new EventDecodeError(`${type} has no schema version ${version}`);
  const result = schema.safeParse(value);
  if (!result.success) throw new EventDecodeError(`${type} v${version}: ${z.prettifyError(result.error)}`);
  return result.data as Record<string, unknown>;
}
