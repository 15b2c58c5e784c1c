// Goal: the demo history is reproducible, realistic in size, never in the future, and every line
// is a valid event that the importer accepts. Method: generate twice with one seed and "now",
// parse with the domain's JSON Lines parser, and import into an in-memory store.
import { describe, expect, it } from 'vitest';
import { EventStore, importJsonl, parseJsonl } from '@progress/domain';
import { MemoryKvStore } from '@progress/domain/testing';
import { generateDemo } from './demo-data.js';

const options = { days: 90, seed: 7, nowMs: Date.parse('2026-03-29T15:00:00Z'), timeZone: 'Europe/Berlin' };

describe('demo data', () => {
  it('is deterministic for a seed and a now', () => {
    expect(generateDemo(options).jsonl).toBe(generateDemo(options).jsonl);
    expect(generateDemo({ ...options, seed: 8 }).jsonl).not.toBe(generateDemo(options).jsonl);
  });

  it('parses, stays in the past, and imports in one piece', async () => {
    const demo = generateDemo(options);
    const parsed = parseJsonl(demo.jsonl);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.records.length).toBe(demo.events);
    expect(demo.events).toBeGreaterThan(300);
    for (const record of parsed.records) expect(Date.parse(record.event.recordedAt)).toBeLessThanOrEqual(options.nowMs);
    const store = await EventStore.open(new MemoryKvStore());
    const report = await importJsonl(store, demo.jsonl);
    expect(report).toMatchObject({ imported: demo.events, skipped: 0, atomic: true });
    expect((await store.listStreams('user')).map((stream) => stream.id)).toEqual(['ada', 'alan', 'grace']);
  });
});
