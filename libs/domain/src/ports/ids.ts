/**
 * Id generator port. The pure model asks it for event ids (and the CLI for command ids); it never
 * calls crypto itself. `randomIds` uses the platform CSPRNG (`crypto.randomUUID`); `sequentialIds`
 * gives deterministic, valid v4-shaped UUIDs for tests and replays.
 */
import type { CommandId, EventId } from '../ids.js';

export interface IdGenerator {
  eventId(): EventId;
  commandId(): CommandId;
}

export const randomIds: IdGenerator = {
  eventId: () => globalThis.crypto.randomUUID() as EventId,
  commandId: () => globalThis.crypto.randomUUID() as CommandId,
};

/** Deterministic: `<prefix-hex 8>-0000-4000-8000-<counter 12 hex>`. */
export function sequentialIds(prefix = 0): IdGenerator {
  let counter = 0;
  const head = (prefix >>> 0).toString(16).padStart(8, '0');
  const next = (): string => {
    counter += 1;
    return `${head}-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
  };
  return { eventId: () => next() as EventId, commandId: () => next() as CommandId };
}
