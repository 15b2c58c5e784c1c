// Goal: ids accept the documented charset and limits and refuse anything that could break keys.
import { describe, expect, it } from 'vitest';
import {
  parseCommandId, parseEntryId, parseEventId, parseIdempotencyKey, parseMetricName, parseTeamId, parseUserId,
  unwrap, UserIdSchema,
} from './ids.js';

describe('ids', () => {
  it.each(['alice', 'a', 'Bob_2', 'x.y-z', 'a'.repeat(64)])('accepts user id %s', (input) => {
    expect(parseUserId(input)).toEqual({ ok: true, value: input });
  });

  it.each(['', 'a:b', 'user:1', ' alice', 'al ice', '-lead', '.hidden', 'a'.repeat(65), 'é', 'a\nb', 'a/b'])(
    'refuses user id %j',
    (input) => {
      const parsed = parseUserId(input);
      expect(parsed.ok).toBe(false);
    },
  );

  it('applies the same rules to team, entry and command ids', () => {
    for (const parse of [parseTeamId, parseEntryId, parseCommandId]) {
      expect(parse('ok-1').ok).toBe(true);
      expect(parse('no:colon').ok).toBe(false);
    }
  });

  it('allows longer idempotency keys (128) but never a colon', () => {
    expect(parseIdempotencyKey('k'.repeat(128)).ok).toBe(true);
    expect(parseIdempotencyKey('k'.repeat(129)).ok).toBe(false);
    expect(parseIdempotencyKey('import:1').ok).toBe(false);
  });

  it('lower-cases metric names and limits them to 48 characters', () => {
    expect(parseMetricName('Running')).toEqual({ ok: true, value: 'running' });
    expect(parseMetricName('m'.repeat(48)).ok).toBe(true);
    expect(parseMetricName('m'.repeat(49)).ok).toBe(false);
    expect(parseMetricName('km:run').ok).toBe(false);
  });

  it('accepts only lower-case UUIDs as event ids', () => {
    expect(parseEventId('123e4567-e89b-42d3-a456-426614174000').ok).toBe(true);
    expect(parseEventId('123E4567-E89B-42D3-A456-426614174000').ok).toBe(false);
    expect(parseEventId('not-a-uuid').ok).toBe(false);
  });

  it('unwrap throws with the parser message', () => {
    expect(() => unwrap(parseUserId('a:b'))).toThrow(/may contain only/);
  });

  it('zod schema refuses invalid ids with the parser message', () => {
    const result = UserIdSchema.safeParse('bad id');
    expect(result.success).toBe(false);
    expect(UserIdSchema.parse('good')).toBe('good');
  });
});
