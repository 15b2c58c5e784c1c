/**
 * A list-append history checker after Elle (Kingsbury & Alvaro, VLDB 2020; RELIABILITY T9).
 * Dev-only: used by the isolation tests, not by the engine.
 *
 * Model. Each key holds a list; a transaction is a sequence of micro-operations `append(k, v)`
 * and `read(k) → list`. Appended values are unique per key, so every read reveals a prefix of the
 * key's version order, and the longest read of a key orders every value it contains.
 *
 * What it checks (all over transactions with status 'ok', unless said otherwise):
 * - Non-cycle anomalies: `garbage` (a read value nobody appended), `duplicate` (a value twice in
 *   one read), `G1a` aborted read (a value appended by a 'fail' transaction), `G1b` intermediate
 *   read (a read ends in a value its writer later followed by another append to the same key),
 *   `incompatible-order` (two reads of a key that are not prefixes of one another),
 *   `non-contiguous` (one transaction's appends to a key separated by another's: its write was
 *   not atomic), `internal` (a read after the transaction's own appends to the key does not end
 *   with them), `lost-append` (with `complete`: an acknowledged append missing from the longest
 *   read of its key, i.e. from the final reads).
 * - Dependency edges between committed transactions: ww (writer of version i → writer of version
 *   i+1), wr (writer of the last value a read saw → the reader), rw anti-dependency (a reader →
 *   the writer of the version right after what it saw). Reads after a transaction's own append to
 *   the same key give no edges (they are checked by `internal` and `incompatible-order`).
 * - Cycles: Tarjan's strongly connected components over those edges; every component with more
 *   than one transaction is a cycle. Each is reported with a witness, the most specific one found
 *   in this order (Adya): G0 (ww only), G1c (ww and wr), G-single (exactly one rw), G2 (any).
 *
 * Serializable executions have none of these. 'info' transactions (outcome unknown) may or may
 * not have committed: their appends are neither aborted reads nor lost, and they take part in
 * edges only when some read saw one of their values.
 */

export type MicroOp =
  | { readonly f: 'append'; readonly key: string; readonly value: number }
  | { readonly f: 'read'; readonly key: string; readonly value: readonly number[] };

export interface HistoryTxn {
  /** unique id */
  readonly id: number;
  readonly status: 'ok' | 'fail' | 'info';
  readonly ops: readonly MicroOp[];
  /** optional: the worker that ran it, for messages */
  readonly process?: number;
}

export type EdgeKind = 'ww' | 'wr' | 'rw';

export type AnomalyType =
  | 'garbage'
  | 'duplicate'
  | 'G1a'
  | 'G1b'
  | 'incompatible-order'
  | 'non-contiguous'
  | 'internal'
  | 'lost-append';

export interface Anomaly {
  readonly type: AnomalyType;
  readonly key: string;
  readonly txns: readonly number[];
  readonly message: string;
}

export type CycleType = 'G0' | 'G1c' | 'G-single' | 'G2';

export interface CycleStep {
  readonly from: number;
  readonly to: number;
  readonly kind: EdgeKind;
  readonly key: string;
}

export interface Cycle {
  readonly type: CycleType;
  /** the transactions of the strongly connected component */
  readonly component: readonly number[];
  /** one cycle inside it: step i goes from steps[i].from to steps[i].to = steps[i+1].from */
  readonly steps: readonly CycleStep[];
}

export interface CheckOptions {
  /** The history ends with reads of every key after all other transactions finished. */
  readonly complete?: boolean;
  /** Stop collecting non-cycle anomalies of one type after this many (default 20). */
  readonly maxAnomaliesPerType?: number;
}

export interface CheckResult {
  readonly valid: boolean;
  readonly anomalies: readonly Anomaly[];
  readonly cycles: readonly Cycle[];
  readonly stats: {
    readonly txns: number;
    readonly ok: number;
    readonly failed: number;
    readonly info: number;
    readonly keys: number;
    readonly edges: Readonly<Record<EdgeKind, number>>;
    readonly components: number;
  };
}

interface Writer {
  readonly txn: HistoryTxn;
  /** index of this append among the transaction's appends to the same key */
  readonly index: number;
  /** number of appends the transaction made to the key */
  readonly count: number;
}

/** Edge labels: for each target, the kinds (and one key per kind, for witnesses). */
type Adjacency = Map<number, Map<number, Map<EdgeKind, string>>>;

class Collector {
  readonly anomalies: Anomaly[] = [];
  private readonly counts = new Map<AnomalyType, number>();
  constructor(private readonly max: number) {}

  add(type: AnomalyType, key: string, txns: number[], message: string): void {
    const n = this.counts.get(type) ?? 0;
    this.counts.set(type, n + 1);
    if (n < this.max) this.anomalies.push({ type, key, txns, message });
  }
}

/** Checks a list-append history; see the top of this file. */
export function checkListAppendHistory(history: readonly HistoryTxn[], options: CheckOptions = {}): CheckResult {
  const collector = new Collector(options.maxAnomaliesPerType ?? 20);
  const byId = new Map<number, HistoryTxn>();
  for (const txn of history) {
    if (byId.has(txn.id)) throw new Error(`history has two transactions with id ${txn.id}`);
    byId.set(txn.id, txn);
  }
  const writers = indexWriters(history);
  const observations = collectObservations(history, collector);
  const orders = versionOrders(observations, writers, collector, options.complete === true);
  checkReads(observations, writers, collector);
  const graph = buildGraph(observations, orders, writers);
  const components = stronglyConnected(graph.adjacency, graph.nodes);
  const cycles: Cycle[] = [];
  for (const component of components) {
    if (component.length > 1) cycles.push(describeCycle(component, graph.adjacency));
  }
  let failed = 0;
  let info = 0;
  for (const txn of history) {
    if (txn.status === 'fail') failed++;
    if (txn.status === 'info') info++;
  }
  return {
    valid: collector.anomalies.length === 0 && cycles.length === 0,
    anomalies: collector.anomalies,
    cycles,
    stats: {
      txns: history.length,
      ok: history.length - failed - info,
      failed,
      info,
      keys: writers.size,
      edges: graph.edgeCounts,
      components: components.length,
    },
  };
}

/** A human-readable report of a result (for test output on failure). */
export function formatCheckResult(result: CheckResult): string {
  const lines: string[] = [];
  const { stats } = result;
  lines.push(
    `${stats.txns} txns (${stats.ok} ok, ${stats.failed} failed, ${stats.info} info), ${stats.keys} keys, ` +
      `edges ww=${stats.edges.ww} wr=${stats.edges.wr} rw=${stats.edges.rw}, ` +
      `${result.cycles.length} cycles, ${result.anomalies.length} other anomalies`,
  );
  for (const cycle of result.cycles) {
    const path = cycle.steps.map((s) => `T${s.from} -${s.kind}(${s.key})-> T${s.to}`).join(', ');
    lines.push(`  ${cycle.type} cycle in a component of ${cycle.component.length}: ${path}`);
  }
  for (const anomaly of result.anomalies) lines.push(`  ${anomaly.type} on ${anomaly.key}: ${anomaly.message}`);
  return lines.join('\n');
}

// ---- writers and observations ----------------------------------------------------------------

function indexWriters(history: readonly HistoryTxn[]): Map<string, Map<number, Writer>> {
  const writers = new Map<string, Map<number, Writer>>();
  for (const txn of history) {
    const perKey = new Map<string, number[]>();
    for (const op of txn.ops) {
      if (op.f !== 'append') continue;
      const values = perKey.get(op.key) ?? [];
      values.push(op.value);
      perKey.set(op.key, values);
    }
    for (const [key, values] of perKey) {
      const byValue = writers.get(key) ?? new Map<number, Writer>();
      writers.set(key, byValue);
      values.forEach((value, index) => {
        const previous = byValue.get(value);
        if (previous !== undefined) {
          throw new Error(`value ${value} appended to ${key} twice (T${previous.txn.id} and T${txn.id}): values must be unique per key`);
        }
        byValue.set(value, { txn, index, count: values.length });
      });
    }
  }
  return writers;
}

interface Observation {
  readonly txn: HistoryTxn;
  readonly key: string;
  /** what the read returned, minus the transaction's own appends for an internal read */
  readonly list: readonly number[];
  /** external: no earlier append to the key in the same transaction */
  readonly external: boolean;
}

/** Reads of 'ok' transactions, with the internal-consistency check applied. */
function collectObservations(history: readonly HistoryTxn[], collector: Collector): Observation[] {
  const out: Observation[] = [];
  for (const txn of history) {
    if (txn.status !== 'ok') continue;
    const own = new Map<string, number[]>();
    for (const op of txn.ops) {
      if (op.f === 'append') {
        const values = own.get(op.key) ?? [];
        values.push(op.value);
        own.set(op.key, values);
        continue;
      }
      const mine = own.get(op.key);
      if (mine === undefined) {
        out.push({ txn, key: op.key, list: op.value, external: true });
        continue;
      }
      const tail = op.value.slice(op.value.length - mine.length);
      if (op.value.length < mine.length || tail.some((v, i) => v !== mine[i])) {
        collector.add('internal', op.key, [txn.id],
          `T${txn.id} read ${op.key} = ${fmt(op.value)} after appending ${fmt(mine)} to it`);
        continue;
      }
      out.push({ txn, key: op.key, list: op.value.slice(0, op.value.length - mine.length), external: false });
    }
  }
  return out;
}

/** Per key, the longest observed list, checked against every other observation. */
function versionOrders(
  observations: readonly Observation[],
  writers: Map<string, Map<number, Writer>>,
  collector: Collector,
  complete: boolean,
): Map<string, readonly number[]> {
  const longest = new Map<string, Observation>();
  for (const obs of observations) {
    const best = longest.get(obs.key);
    if (best === undefined || obs.list.length > best.list.length) longest.set(obs.key, obs);
  }
  const orders = new Map<string, readonly number[]>();
  for (const [key, best] of longest) orders.set(key, best.list);
  for (const obs of observations) {
    const order = orders.get(obs.key) as readonly number[];
    if (!isPrefix(obs.list, order)) {
      const best = longest.get(obs.key) as Observation;
      collector.add('incompatible-order', obs.key, [obs.txn.id, best.txn.id],
        `T${obs.txn.id} read ${obs.key} = ${fmt(obs.list)}, not a prefix of T${best.txn.id}'s ${fmt(order)}`);
    }
  }
  for (const [key, order] of orders) {
    const byValue = writers.get(key);
    // One transaction's appends to a key must be adjacent in the version order.
    const lastPosition = new Map<number, number>();
    order.forEach((value, position) => {
      const writer = byValue?.get(value);
      if (writer === undefined) return;
      const previous = lastPosition.get(writer.txn.id);
      if (previous !== undefined && previous !== position - 1) {
        collector.add('non-contiguous', key, [writer.txn.id],
          `T${writer.txn.id}'s appends to ${key} are separated by others' in ${fmt(order)}`);
      }
      lastPosition.set(writer.txn.id, position);
    });
  }
  if (complete) {
    for (const [key, byValue] of writers) {
      const present = new Set(orders.get(key) ?? []);
      for (const [value, writer] of byValue) {
        if (writer.txn.status === 'ok' && !present.has(value)) {
          collector.add('lost-append', key, [writer.txn.id],
            `T${writer.txn.id} committed append(${key}, ${value}) but no read of ${key} contains it`);
        }
      }
    }
  }
  return orders;
}

/** garbage, duplicates, aborted and intermediate reads. */
function checkReads(observations: readonly Observation[], writers: Map<string, Map<number, Writer>>, collector: Collector): void {
  for (const obs of observations) {
    const byValue = writers.get(obs.key);
    const seen = new Set<number>();
    for (const value of obs.list) {
      if (seen.has(value)) {
        collector.add('duplicate', obs.key, [obs.txn.id], `T${obs.txn.id} read ${obs.key} = ${fmt(obs.list)}: ${value} twice`);
      }
      seen.add(value);
      const writer = byValue?.get(value);
      if (writer === undefined) {
        collector.add('garbage', obs.key, [obs.txn.id], `T${obs.txn.id} read ${value} in ${obs.key}, which no transaction appended`);
      } else if (writer.txn.status === 'fail' && writer.txn.id !== obs.txn.id) {
        collector.add('G1a', obs.key, [writer.txn.id, obs.txn.id],
          `T${obs.txn.id} read ${value} in ${obs.key}, appended by T${writer.txn.id}, which aborted`);
      }
    }
    const last = obs.list[obs.list.length - 1];
    if (last === undefined) continue;
    const writer = byValue?.get(last);
    if (writer !== undefined && writer.txn.id !== obs.txn.id && writer.index < writer.count - 1) {
      collector.add('G1b', obs.key, [writer.txn.id, obs.txn.id],
        `T${obs.txn.id} read ${obs.key} = ${fmt(obs.list)}, ending in ${last}, an intermediate append of T${writer.txn.id}`);
    }
  }
}

// ---- the dependency graph ----------------------------------------------------------------------

interface Graph {
  nodes: number[];
  adjacency: Adjacency;
  edgeCounts: Record<EdgeKind, number>;
}

function buildGraph(
  observations: readonly Observation[],
  orders: Map<string, readonly number[]>,
  writers: Map<string, Map<number, Writer>>,
): Graph {
  const adjacency: Adjacency = new Map();
  const edgeCounts: Record<EdgeKind, number> = { ww: 0, wr: 0, rw: 0 };
  const nodes = new Set<number>();
  const writerOf = (key: string, value: number | undefined): HistoryTxn | undefined => {
    if (value === undefined) return undefined;
    const txn = writers.get(key)?.get(value)?.txn;
    return txn === undefined || txn.status === 'fail' ? undefined : txn;
  };
  const addEdge = (from: number, to: number, kind: EdgeKind, key: string): void => {
    if (from === to) return;
    nodes.add(from);
    nodes.add(to);
    let targets = adjacency.get(from);
    if (targets === undefined) adjacency.set(from, (targets = new Map()));
    let kinds = targets.get(to);
    if (kinds === undefined) targets.set(to, (kinds = new Map()));
    if (!kinds.has(kind)) {
      kinds.set(kind, key);
      edgeCounts[kind]++;
    }
  };
  for (const [key, order] of orders) {
    for (let i = 0; i + 1 < order.length; i++) {
      const a = writerOf(key, order[i]);
      const b = writerOf(key, order[i + 1]);
      if (a !== undefined && b !== undefined) addEdge(a.id, b.id, 'ww', key);
    }
  }
  for (const obs of observations) {
    nodes.add(obs.txn.id);
    if (!obs.external) continue;
    const order = orders.get(obs.key) ?? [];
    if (!isPrefix(obs.list, order)) continue; // reported as incompatible-order; its position is unknown
    const seenWriter = writerOf(obs.key, obs.list[obs.list.length - 1]);
    if (seenWriter !== undefined) addEdge(seenWriter.id, obs.txn.id, 'wr', obs.key);
    const nextWriter = writerOf(obs.key, order[obs.list.length]);
    if (nextWriter !== undefined) addEdge(obs.txn.id, nextWriter.id, 'rw', obs.key);
  }
  return { nodes: [...nodes].sort((a, b) => a - b), adjacency, edgeCounts };
}

/** Tarjan's algorithm, iterative (histories have thousands of transactions). */
function stronglyConnected(adjacency: Adjacency, nodes: readonly number[]): number[][] {
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: number; targets: number[]; next: number }[] = [];
    const visit = (node: number): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: [...(adjacency.get(node)?.keys() ?? [])], next: 0 });
    };
    visit(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as (typeof work)[number];
      if (frame.next < frame.targets.length) {
        const target = frame.targets[frame.next++] as number;
        if (!index.has(target)) visit(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: number[] = [];
        for (;;) {
          const member = stack.pop() as number;
          onStack.delete(member);
          component.push(member);
          if (member === frame.node) break;
        }
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

/** A shortest path from `from` to `to` inside `members` over edges of `allowed` kinds. */
function shortestPath(
  adjacency: Adjacency,
  members: ReadonlySet<number>,
  from: number,
  to: number,
  allowed: ReadonlySet<EdgeKind>,
): CycleStep[] | undefined {
  const previous = new Map<number, CycleStep>();
  const queue = [from];
  const visited = new Set<number>([from]);
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] as number;
    for (const [target, kinds] of adjacency.get(node) ?? []) {
      if (!members.has(target) || visited.has(target)) continue;
      const kind = preferredKind(kinds, allowed);
      if (kind === undefined) continue;
      visited.add(target);
      previous.set(target, { from: node, to: target, kind, key: kinds.get(kind) as string });
      if (target === to) {
        const steps: CycleStep[] = [];
        for (let at = to; at !== from; ) {
          const step = previous.get(at) as CycleStep;
          steps.unshift(step);
          at = step.from;
        }
        return steps;
      }
      queue.push(target);
    }
  }
  return undefined;
}

function preferredKind(kinds: Map<EdgeKind, string>, allowed: ReadonlySet<EdgeKind>): EdgeKind | undefined {
  for (const kind of ['ww', 'wr', 'rw'] as const) if (allowed.has(kind) && kinds.has(kind)) return kind;
  return undefined;
}

/** The most specific cycle in a component: G0, then G1c, then G-single, then G2. */
function describeCycle(component: readonly number[], adjacency: Adjacency): Cycle {
  const members = new Set(component);
  const cycleThrough = (allowed: ReadonlySet<EdgeKind>): CycleStep[] | undefined => {
    let best: CycleStep[] | undefined;
    for (const node of component) {
      for (const [target, kinds] of adjacency.get(node) ?? []) {
        const kind = preferredKind(kinds, allowed);
        if (!members.has(target) || kind === undefined) continue;
        const back = shortestPath(adjacency, members, target, node, allowed);
        if (back === undefined) continue;
        const steps = [{ from: node, to: target, kind, key: kinds.get(kind) as string }, ...back];
        if (best === undefined || steps.length < best.length) best = steps;
      }
      if (best !== undefined && best.length === 2) break;
    }
    return best;
  };
  const g0 = cycleThrough(new Set(['ww']));
  if (g0 !== undefined) return { type: 'G0', component, steps: g0 };
  const g1c = cycleThrough(new Set(['ww', 'wr']));
  if (g1c !== undefined) return { type: 'G1c', component, steps: g1c };
  // G-single: one rw edge closed by a path of ww/wr edges.
  for (const node of component) {
    for (const [target, kinds] of adjacency.get(node) ?? []) {
      const key = kinds.get('rw');
      if (key === undefined || !members.has(target)) continue;
      const back = shortestPath(adjacency, members, target, node, new Set(['ww', 'wr']));
      if (back !== undefined) return { type: 'G-single', component, steps: [{ from: node, to: target, kind: 'rw', key }, ...back] };
    }
  }
  const anyCycle = cycleThrough(new Set(['ww', 'wr', 'rw']));
  return { type: 'G2', component, steps: anyCycle ?? [] };
}

function isPrefix(prefix: readonly number[], list: readonly number[]): boolean {
  if (prefix.length > list.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== list[i]) return false;
  return true;
}

function fmt(list: readonly number[]): string {
  return list.length > 8 ? `[${list.slice(0, 3).join(' ')} … ${list.slice(-4).join(' ')}] (${list.length})` : `[${list.join(' ')}]`;
}
