import { describe, expect, it } from 'vitest';
import { LSM_PACKAGE } from './index.js';
describe('index', () => { it('names', () => { expect(LSM_PACKAGE).toBe('@progress/lsm'); }); });
