/**
 * Splits mutations into commits that respect a KvStore's declared limits. Used where one logical
 * operation may not fit one commit (rebuild of a long stream, import of a large file): the caller
 * orders mutations so that the marker of completion (checkpoint, stream head) is in the last chunk.
 */
import { utf8Encode } from '../json.js';
import type { Condition, KvStoreLimits, Mutation } from '../ports/kv-store.js';
import { LimitExceeded } from '../ports/kv-store.js';

function bytesOf(item: Mutation | Condition): number {
  const key = utf8Encode(item.key).length;
  if ('type' in item) return key + (item.type === 'put' ? item.value.length : 0);
  return key + (item.op === 'value' ? item.equals.length : 0);
}

export function chunkMutations(mutations: readonly Mutation[], conditions: readonly Condition[], limits: KvStoreLimits): Mutation[][] {
  const reservedOps = conditions.length;
  const reservedBytes = conditions.reduce((sum, condition) => sum + bytesOf(condition), 0);
  const chunks: Mutation[][] = [];
  let current: Mutation[] = [];
  let bytes = reservedBytes;
  for (const mutation of mutations) {
    const size = bytesOf(mutation);
    if (reservedBytes + size > limits.maxCommitBytes || reservedOps + 1 > limits.maxOpsPerCommit) {
      throw new LimitExceeded(`one mutation of ${size} bytes cannot fit a commit`, 'maxCommitBytes');
    }
    if (current.length > 0 && (current.length + reservedOps + 1 > limits.maxOpsPerCommit || bytes + size > limits.maxCommitBytes)) {
      chunks.push(current);
      current = [];
      bytes = reservedBytes;
    }
    current.push(mutation);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
