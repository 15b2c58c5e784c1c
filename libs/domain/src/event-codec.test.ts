// Goal: events round-trip through bytes, invalid bytes are refused with a typed error, and a
// stored v1 ProgressRecorded (note '' and no tags) is upcast to v2 on read.
import { describe, expect, it } from 'vitest';
import { decodeEvent, decodeEventValue, encodeEvent, EventDecodeError } from './event-codec.js';
import type { DomainEvent } from './events.js';
import { utf8Decode, utf8Encode } from './json.js';
import { historyByStream, meta, metric, user } from './testing/fixtures.test-util.js';

const V1_FIXTURE = JSON.stringify({
  type: 'ProgressRecorded',
  schemaVersion: 1,
  eventId: '0000000a-0000-4000-8000-000000000001',
  commandId: 'cmd-legacy-1',
  recordedAt: '2025-06-01T08:00:00.000Z',
  occurredAt: '2025-06-01T07:30:00.000Z',
  actor: 'alice',
  timeZone: 'Europe/Berlin',
  data: { entryId: 'e1', metric: 'running', amount: 5.5, unit: 'km', note: '' },
});

const V1_WITH_NOTE = V1_FIXTURE.replace('"note":""', '"note":"easy run"');

function sampleEvents(): DomainEvent[] {
  return historyByStream([
    { ...meta(), kind: 'RegisterUser', userId: user('alice'), displayName: 'Alice', timeZone: 'Europe/Berlin' },
    { ...meta(), kind: 'RecordProgress', userId: user('alice'), metric: metric('running'), amount: 5, note: 'hi', tags: ['a'] },
    { ...meta(), kind: 'SetGoal', userId: user('alice'), metric: metric('running'), target: 20, period: 'week' },
  ]).get('user:alice') ?? [];
}

describe('event codec', () => {
  it('round-trips current events byte for byte', () => {
    const events = sampleEvents();
    expect(events).toHaveLength(3);
    for (const event of events) {
      const bytes = encodeEvent(event);
      const decoded = decodeEvent(bytes);
      expect(decoded).toEqual(event);
      expect(encodeEvent(decoded)).toEqual(bytes);
    }
  });

  it('upcasts a v1 ProgressRecorded fixture: empty note becomes null, tags become []', () => {
    const event = decodeEvent(utf8Encode(V1_FIXTURE));
    expect(event.schemaVersion).toBe(2);
    expect(event.type).toBe('ProgressRecorded');
    if (event.type !== 'ProgressRecorded') throw new Error('unreachable');
    expect(event.data).toEqual({ entryId: 'e1', metric: 'running', amount: 5.5, unit: 'km', note: null, tags: [] });
    expect(event.occurredAt).toBe('2025-06-01T07:30:00.000Z');
  });

  it('upcasting keeps a non-empty v1 note', () => {
    const event = decodeEventValue(JSON.parse(V1_WITH_NOTE));
    expect(event.type === 'ProgressRecorded' ? event.data.note : undefined).toBe('easy run');
  });

  it('refuses a v2 event that is missing v2 fields (no silent upcast of wrong versions)', () => {
    const bad = V1_FIXTURE.replace('"schemaVersion":1', '"schemaVersion":2');
    expect(() => decodeEvent(utf8Encode(bad))).toThrow(EventDecodeError);
  });

  it('refuses unknown types, future versions, non-JSON and invalid fields with EVENT_DECODE_FAILED', () => {
    const cases = [
      V1_FIXTURE.replace('ProgressRecorded', 'ProgressTeleported'),
      V1_FIXTURE.replace('"schemaVersion":1', '"schemaVersion":9'),
      '{not json',
      V1_FIXTURE.replace('"amount":5.5', '"amount":-1'),
      V1_FIXTURE.replace('"actor":"alice"', '"actor":"a:b"'),
      V1_FIXTURE.replace('"entryId":"e1",', '"entryId":"e1","extra":1,'),
    ];
    for (const text of cases) {
      try {
        decodeEvent(utf8Encode(text));
        expect.unreachable(`decoded ${text}`);
      } catch (error) {
        expect(error).toBeInstanceOf(EventDecodeError);
        expect((error as EventDecodeError).code).toBe('EVENT_DECODE_FAILED');
      }
    }
  });

  it('encodes with sorted keys (canonical bytes)', () => {
    const [first] = sampleEvents();
    if (first === undefined) throw new Error('no event');
    const text = utf8Decode(encodeEvent(first));
    expect(text.startsWith('{"actor":')).toBe(true);
    expect(text).not.toContain(' ');
  });
});
