// Goal: the public entry point loads and exposes the functions the CLI calls.
import { describe, expect, it } from 'vitest';
import * as domain from './index.js';

describe('public API', () => {
  it('exports the write path, reports and codecs', () => {
    for (const name of ['decide', 'evolve', 'EventStore', 'CommandHandler', 'userReport', 'teamReport', 'importJsonl', 'exportJsonl', 'renderHtmlReport', 'rebuildAll'] as const) {
      expect(typeof domain[name]).toBe('function');
    }
    expect(domain.DOMAIN_PACKAGE).toBe('@progress/domain');
  });
});
