/** Builds an event store + command handler on a MemoryKvStore with a stepping clock, for tests. */
import type { Command } from '../commands.js';
import { steppingClock } from '../ports/clock.js';
import { sequentialIds } from '../ports/ids.js';
import type { KvStoreLimits } from '../ports/kv-store.js';
import { CommandHandler } from '../store/command-handler.js';
import type { ExecuteResult } from '../store/command-handler.js';
import { EventStore } from '../store/event-store.js';
import type { EventStoreOptions } from '../store/event-store.js';
import { at } from './fixtures.test-util.js';
import { MemoryKvStore } from './memory-kv-store.js';

export interface Harness {
  readonly kv: MemoryKvStore;
  readonly store: EventStore;
  readonly handler: CommandHandler;
  run(command: Command): Promise<ExecuteResult>;
  runAll(commands: readonly Command[]): Promise<ExecuteResult[]>;
}

export async function harness(
  options: {
    limits?: Partial<KvStoreLimits>; start?: string; stepMs?: number; idPrefix?: number; store?: EventStoreOptions;
    retryDelayMs?: (attempt: number) => number;
  } = {},
): Promise<Harness> {
  const kv = new MemoryKvStore(options.limits ?? {});
  const store = await EventStore.open(kv, options.store ?? {});
  const handler = new CommandHandler(store, {
    clock: steppingClock(at(options.start ?? '2026-03-10T12:00:00.000Z'), options.stepMs ?? 1000),
    ids: sequentialIds(options.idPrefix ?? 9),
    retryDelayMs: options.retryDelayMs ?? (() => 0),
  });
  const run = (command: Command): Promise<ExecuteResult> => handler.execute(command);
  return {
    kv,
    store,
    handler,
    run,
    runAll: async (commands) => {
      const results: ExecuteResult[] = [];
      for (const command of commands) results.push(await run(command));
      return results;
    },
  };
}
