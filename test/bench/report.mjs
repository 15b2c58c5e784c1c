// Turns the per-run worker results into medians, ratios and target checks, and renders them:
// the stdout table, RESULTS.md and the SVG chart of our ratio to the best peer.

export const OURS = 'ours';
export const CEILING = 'map';
export const ENGINE_ORDER = ['ours', 'classic-level', 'lmdb', 'better-sqlite3', 'map'];

/** Workload name, the phase that measures it, and a one-line description. */
export const WORKLOADS = [
  { name: 'fillseq', phase: 'fillseq', kind: 'write', describe: (c) => `${n(c.keys)} keys in key order, batches of ${n(c.batch)}` },
  { name: 'fillrandom', phase: 'main', kind: 'write', describe: (c) => `${n(c.keys)} keys in random order, batches of ${n(c.batch)}` },
  { name: 'overwrite', phase: 'main', kind: 'write', describe: (c) => `${n(c.keys)} existing keys again, random order, new values, batches of ${n(c.batch)}` },
  { name: 'readrandom', phase: 'main', kind: 'read', describe: (c) => `${n(c.keys)} point reads of existing keys, random order, after close and reopen` },
  { name: 'readmissing', phase: 'main', kind: 'read', describe: (c) => `${n(c.keys)} point reads of keys never written (they sort between existing keys)` },
  { name: 'readseq', phase: 'main', kind: 'read', describe: (c) => `one forward scan of all ${n(c.keys)} keys (keys/s)` },
  { name: 'prefixscan', phase: 'main', kind: 'read', describe: (c) => `${n(c.prefixes)} scans of a random 100-key prefix (keys/s)` },
  { name: 'fillsync', phase: 'sync', kind: 'durable', describe: (c) => `${n(c.syncKeys)} puts, each durable (fsync) before the next` },
  { name: 'sync1', phase: 'sync', kind: 'durable', describe: (c) => `${n(c.syncKeys)} durable puts from 1 writer` },
  { name: 'sync8', phase: 'sync', kind: 'durable', describe: (c) => `${n(c.syncKeys)} durable puts from 8 concurrent writers` },
  { name: 'sync64', phase: 'sync', kind: 'durable', describe: (c) => `${n(c.syncKeys)} durable puts from 64 concurrent writers` },
  { name: 'largefill', phase: 'large', kind: 'write', describe: (c) => `${n(c.largeKeys)} x ${bytes(c.largeValueBytes)} values, random order, batches of ${n(c.batch)}` },
  { name: 'mixed', phase: 'mixed', kind: 'write', describe: (c) => `${n(c.mixedOps)} ops, ${n(c.mixedUsers)} users: 90% appends of a JSON event, 10% latest 20 events (reverse prefix scan)` },
];

export const PHASES = ['main', 'fillseq', 'sync', 'large', 'mixed'];

function n(x) {
  return Number(x).toLocaleString('en-US');
}

export function median(values) {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function spread(values) {
  const defined = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  if (defined.length === 0) return undefined;
  return { median: median(defined), min: Math.min(...defined), max: Math.max(...defined), runs: defined };
}

/** 3 significant digits with k/M/G */
export function rate(x) {
  if (x === undefined || !Number.isFinite(x)) return '-';
  const units = [['G', 1e9], ['M', 1e6], ['k', 1e3]];
  for (const [u, v] of units) if (Math.abs(x) >= v) return `${sig(x / v)}${u}`;
  return sig(x);
}

function sig(x) {
  if (x === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return Number(x.toFixed(Math.min(digits, 3))).toString();
}

export function bytes(x) {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (x < 1024) return `${x} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = x / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${sig(v)} ${units[i]}`;
}

export function ratioText(r) {
  if (r === undefined || !Number.isFinite(r)) return '-';
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(2)}x`;
}

/**
 * @param {object} run the raw run record (config, engines, phaseResults)
 * @returns the summary written to results.json under "summary"
 */
export function summarize(run) {
  const engines = run.engineOrder.filter((e) => run.engines[e]?.status === 'ok');
  const peers = engines.filter((e) => e !== OURS && e !== CEILING);
  /** results of successful phase runs, by engine and phase */
  const byEnginePhase = (engine, phase) => run.phaseResults.filter((r) => r.engine === engine && r.phase === phase);

  const workloads = {};
  for (const w of WORKLOADS) {
    if (!run.config.phases.includes(w.phase)) continue;
    const perEngine = {};
    for (const e of engines) {
      const results = byEnginePhase(e, w.phase).map((r) => r.workloads?.[w.name]).filter(Boolean);
      const s = spread(results.map((x) => x.opsPerSec));
      if (s === undefined) continue;
      perEngine[e] = { ...s, unit: results[0].unit };
    }
    const ours = perEngine[OURS]?.median;
    const vs = {};
    for (const e of engines) {
      if (e === OURS || perEngine[e] === undefined || ours === undefined) continue;
      vs[e] = ours / perEngine[e].median;
    }
    let bestPeer = null;
    for (const e of peers) {
      if (perEngine[e] === undefined) continue;
      if (bestPeer === null || perEngine[e].median > perEngine[bestPeer.engine].median) bestPeer = { engine: e, ratio: vs[e] };
    }
    // CPU time per op (all threads of the engine's process), and the cheapest peer's over ours
    const cpu = {};
    for (const e of engines) {
      const s = spread(byEnginePhase(e, w.phase).map((r) => r.workloads?.[w.name]?.cpuMicrosPerOp));
      if (s !== undefined) cpu[e] = s;
    }
    let cheapestPeer = null;
    for (const e of peers) {
      if (cpu[e] === undefined || cpu[OURS] === undefined) continue;
      const r = cpu[e].median / cpu[OURS].median;
      if (cheapestPeer === null || cpu[e].median < cpu[cheapestPeer.engine].median) cheapestPeer = { engine: e, ratio: r };
    }
    workloads[w.name] = { engines: perEngine, vs, bestPeer, unit: Object.values(perEngine)[0]?.unit ?? 'ops/s', cpu, cheapestPeer };
  }

  // Resources: disk, write amplification, event-loop delay, peak RSS.
  const resources = {};
  for (const e of engines) {
    const pick = (workload, field) => {
      const w = WORKLOADS.find((x) => x.name === workload);
      if (w === undefined) return undefined;
      return spread(byEnginePhase(e, w.phase).map((r) => r.workloads?.[workload]?.[field]));
    };
    const rss = {};
    for (const phase of run.config.phases) {
      const s = spread(byEnginePhase(e, phase).map((r) => r.peakRssBytes));
      if (s !== undefined) rss[phase] = s;
    }
    const fills = {};
    for (const workload of ['fillseq', 'fillrandom', 'overwrite', 'largefill', 'mixed']) {
      const entry = {
        diskBytes: pick(workload, 'diskBytes'),
        engineWriteAmp: pick(workload, 'engineWriteAmp'),
        deviceWriteAmp: pick(workload, 'deviceWriteAmp'),
        settleSeconds: pick(workload, 'settleSeconds'),
        eventLoopDelayP99Ms: spread(byEnginePhase(e, WORKLOADS.find((x) => x.name === workload)?.phase).map((r) => r.workloads?.[workload]?.eventLoopDelay?.p99Ms)),
        eventLoopDelayMaxMs: spread(byEnginePhase(e, WORKLOADS.find((x) => x.name === workload)?.phase).map((r) => r.workloads?.[workload]?.eventLoopDelay?.maxMs)),
      };
      for (const k of Object.keys(entry)) if (entry[k] === undefined) delete entry[k];
      if (Object.keys(entry).length > 0) fills[workload] = entry;
    }
    resources[e] = { peakRssBytes: rss, fills };
  }

  return { engines, peers, workloads, resources, targets: targets(workloads, resources) };
}

/** The issue's targets, checked against this run's medians. */
function targets(workloads, resources) {
  const out = [];
  const ratio = (w, e) => workloads[w]?.vs?.[e];
  const add = (target, value, met, detail) => out.push({ target, value, met, detail });
  for (const w of ['fillseq', 'fillrandom', 'overwrite', 'mixed']) {
    const best = workloads[w]?.bestPeer;
    add(`${w}: >= 1.0x the best peer`, best?.ratio, best ? best.ratio >= 1 : undefined, best ? `vs ${best.engine}` : 'no peer measured');
  }
  const fs = ratio('fillsync', 'classic-level');
  add('fillsync (one durable writer): >= 1.0x classic-level', fs, fs === undefined ? undefined : fs >= 1, '');
  const s1 = workloads.sync1?.engines?.ours?.median;
  const s64 = workloads.sync64?.engines?.ours?.median;
  const group = s1 && s64 ? s64 / s1 : undefined;
  add('64 synced writers: >= 5x one synced writer (ours)', group, group === undefined ? undefined : group >= 5, 'sync64 / sync1');
  const lf = ratio('largefill', 'classic-level');
  add('largefill: >= 1.5x classic-level', lf, lf === undefined ? undefined : lf >= 1.5, '');
  const waOurs = resources.ours?.fills?.largefill?.deviceWriteAmp?.median;
  const waLevel = resources['classic-level']?.fills?.largefill?.deviceWriteAmp?.median;
  const waRatio = waOurs !== undefined && waLevel ? waOurs / waLevel : undefined;
  add('largefill: lower write amplification than classic-level (bytes written to storage / user bytes)', waRatio, waRatio === undefined ? undefined : waRatio < 1,
    waOurs === undefined ? '' : `ours ${waOurs.toFixed(2)}, classic-level ${waLevel?.toFixed(2)}`);
  for (const w of ['readrandom', 'readmissing', 'readseq', 'prefixscan']) {
    const level = ratio(w, 'classic-level');
    add(`${w}: >= 1.0x classic-level`, level, level === undefined ? undefined : level >= 1, '');
    const lmdb = ratio(w, 'lmdb');
    add(`${w}: >= 0.8x lmdb (1.0x the aim)`, lmdb, lmdb === undefined ? undefined : lmdb >= 0.8, '');
  }
  const diskOurs = resources.ours?.fills?.fillrandom?.diskBytes?.median;
  const diskLevel = resources['classic-level']?.fills?.fillrandom?.diskBytes?.median;
  const disk = diskOurs !== undefined && diskLevel ? diskOurs / diskLevel : undefined;
  add('on-disk bytes after fillrandom: <= 1.2x classic-level', disk, disk === undefined ? undefined : disk <= 1.2, diskOurs === undefined ? '' : `${bytes(diskOurs)} vs ${bytes(diskLevel)}`);
  const rssOurs = resources.ours?.peakRssBytes?.main?.median;
  const rssLevel = resources['classic-level']?.peakRssBytes?.main?.median;
  const rss = rssOurs !== undefined && rssLevel ? rssOurs / rssLevel : undefined;
  add('peak RSS (main phase: fillrandom, reads, overwrite): <= 1.5x classic-level', rss, rss === undefined ? undefined : rss <= 1.5, rssOurs === undefined ? '' : `${bytes(rssOurs)} vs ${bytes(rssLevel)}`);
  return out;
}

function pad(s, width, right = false) {
  s = String(s);
  if (s.length >= width) return s;
  return right ? s.padStart(width) : s.padEnd(width);
}

function cell(s) {
  if (s === undefined) return '-';
  if (s.runs.length === 1) return rate(s.median);
  return `${rate(s.median)} (${rate(s.min)}-${rate(s.max)})`;
}

/** The stdout table: ops/s per engine (median, min-max) and our ratio to each engine. */
export function renderTable(run, summary) {
  const engines = summary.engines;
  const others = engines.filter((e) => e !== OURS);
  const header = ['workload', 'unit', ...engines, ...others.map((e) => `ours/${e}`), 'ours/best peer'];
  const rows = [];
  for (const [name, w] of Object.entries(summary.workloads)) {
    rows.push([
      name,
      w.unit,
      ...engines.map((e) => cell(w.engines[e])),
      ...others.map((e) => ratioText(w.vs[e])),
      w.bestPeer ? `${ratioText(w.bestPeer.ratio)} (${w.bestPeer.engine})` : '-',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => pad(c, widths[i], i >= 2)).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const skipped = run.engineOrder.filter((e) => run.engines[e]?.status !== 'ok');
  if (skipped.length > 0) out.push('', ...skipped.map((e) => `skipped ${e}: ${run.engines[e]?.reason ?? 'not requested'}`));
  return out.join('\n');
}

function mdTable(header, rows, align) {
  const out = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (align?.[i] === 'r' ? ' ---: ' : ' --- ')).join('|')}|`];
  for (const r of rows) out.push(`| ${r.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`);
  return out.join('\n');
}

function spreadText(s, fmt) {
  if (s === undefined) return '-';
  if (s.runs.length === 1 || s.min === s.max) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})`;
}

export function renderMarkdown(run, summary, files) {
  const c = run.config;
  const engines = summary.engines;
  const others = engines.filter((e) => e !== OURS);
  const lines = [];
  lines.push('# Benchmark: @progress/lsm against peer engines');
  lines.push('');
  lines.push(`Regenerated by \`npm run bench\` (\`node test/bench/run.mjs\`); this run: \`${run.commandLine}\`.`);
  lines.push(`Do not edit by hand. Raw numbers: [${files.json}](${files.json}).`);
  lines.push('');
  lines.push(`- Date: ${run.startedAt} (took ${Math.round(run.wallSeconds / 60)} min)`);
  lines.push(`- Machine: ${run.machine.cpuModel}, ${run.machine.cpus} CPUs, ${bytes(run.machine.memoryBytes)} RAM, ${run.machine.platform} ${run.machine.release}`);
  lines.push(`- Storage: data in \`${run.machine.dataDirDisplay}\`; ${run.machine.fsyncsPerSec ? `${rate(run.machine.fsyncsPerSec)} fdatasync/s for 4 KiB appends (measured at start)` : 'fsync rate not measured'}`);
  const loads = run.phaseResults.flatMap((r) => r.loadAvg1 ?? []);
  const loadText = loads.length > 0
    ? `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} (median ${median(loads).toFixed(1)}) at the start and end of the phases`
    : `${run.machine.loadStart.toFixed(2)} at start, ${run.machine.loadEnd.toFixed(2)} at end`;
  lines.push(`- Load average (1 min): ${loadText}, on ${run.machine.cpus} CPUs. ${Math.max(run.machine.loadStart, run.machine.loadEnd, ...loads) > run.machine.cpus ? '**The machine was shared with other work: absolute figures are depressed and noisy; ratios between engines of the same run are the figures to compare, and even they carry the noise shown by min-max.**' : ''}`);
  lines.push(`- Node ${run.versions.node}; ${run.engineOrder.map((e) => `${e} ${run.engines[e]?.version ?? ''}${run.engines[e]?.status === 'ok' ? '' : ' (skipped)'}`).join('; ')}`);
  lines.push(`- Ours: built from ${run.versions.git ?? 'unknown commit'}`);
  lines.push(`- Sizes: ${c.keyBytes}-byte keys, ${c.valueBytes}-byte values; ${n(c.runs)} runs, engines interleaved within each run; every engine and phase in its own process`);
  lines.push('');
  lines.push('Each cell is the median over the runs, with min-max in parentheses. A ratio is ours / that engine (above 1 = ours faster), from medians of the same run. "Best peer" is the fastest of classic-level, lmdb and better-sqlite3; the Map is an in-memory ceiling, not a peer.');
  lines.push('');
  lines.push(`![our ratio to the best peer per workload](${files.svg})`);
  lines.push('');
  lines.push('## Throughput');
  lines.push('');
  lines.push(mdTable(
    ['workload', 'unit', ...engines, 'ours / best peer'],
    Object.entries(summary.workloads).map(([name, w]) => [
      name, w.unit, ...engines.map((e) => cell(w.engines[e])),
      w.bestPeer ? `**${ratioText(w.bestPeer.ratio)}** (${w.bestPeer.engine})` : '-',
    ]),
    ['l', 'l', ...engines.map(() => 'r'), 'r'],
  ));
  lines.push('');
  lines.push('## Our ratio to each engine');
  lines.push('');
  lines.push(mdTable(
    ['workload', ...others.map((e) => `ours / ${e}`)],
    Object.entries(summary.workloads).map(([name, w]) => [name, ...others.map((e) => ratioText(w.vs[e]))]),
    ['l', ...others.map(() => 'r')],
  ));
  lines.push('');
  if (Object.values(summary.workloads).some((w) => Object.keys(w.cpu ?? {}).length > 0)) {
    lines.push('## CPU time per op');
    lines.push('');
    lines.push('Microseconds of CPU (user + system, every thread of the engine\'s process, so background compaction and I/O threads count while they overlap the timed calls) per op in the timed sections. Less sensitive than wall time to other load on the machine. The last column is the cheapest peer\'s CPU per op over ours (above 1 = ours uses less CPU).');
    lines.push('');
    lines.push(mdTable(
      ['workload', ...engines.map((e) => `${e} us/op`), 'cheapest peer / ours'],
      Object.entries(summary.workloads).map(([name, w]) => [
        name, ...engines.map((e) => spreadText(w.cpu?.[e], (x) => sig(x))),
        w.cheapestPeer ? `${ratioText(w.cheapestPeer.ratio)} (${w.cheapestPeer.engine})` : '-',
      ]),
      ['l', ...engines.map(() => 'r'), 'r'],
    ));
    lines.push('');
  }
  lines.push('## Targets (issue 10)');
  lines.push('');
  lines.push(mdTable(
    ['target', 'this run', 'met', 'note'],
    summary.targets.map((t) => [t.target, t.value === undefined ? '-' : t.target.includes('write amplification') || t.target.includes('RSS') || t.target.includes('disk') ? `${t.value.toFixed(2)}x` : ratioText(t.value), t.met === undefined ? 'n/a' : t.met ? 'yes' : '**no**', t.detail]),
  ));
  lines.push('');
  lines.push('## Disk, write amplification, memory, event-loop delay');
  lines.push('');
  lines.push('On-disk bytes are allocated blocks after the fill and a close. Write amplification "storage" is bytes the process caused to be written to storage (Linux `/proc/self/io` write_bytes minus cancelled_write_bytes, from open to close, background compaction included up to close) per byte of user keys and values. Linux counts a page when it becomes dirty, so a page rewritten while still dirty counts once: an in-place engine (lmdb) rewriting pages that the previous fill left dirty in the page cache shows almost nothing for overwrite. "engine" is `db.stats().writeAmplification` after the fill and `waitForCompactions()`, before close (ours only). Event-loop delay is `perf_hooks.monitorEventLoopDelay` (1 ms resolution) during the fill, which yields to the loop between batches; a synchronous engine holds the loop for a whole batch, and the Map row shows the harness\'s own share (its garbage collection of the data set). Peak RSS is `process.resourceUsage().maxRSS` of the engine\'s process for the phase, harness included (the Map row is the harness plus the data set in memory; the sync phase, about 65 MiB, is close to the harness alone).');
  lines.push('');
  const resRows = [];
  for (const e of engines) {
    const r = summary.resources[e];
    for (const [workload, f] of Object.entries(r.fills)) {
      resRows.push([
        e, workload,
        spreadText(f.diskBytes, bytes),
        spreadText(f.deviceWriteAmp, (x) => x.toFixed(2)),
        spreadText(f.engineWriteAmp, (x) => x.toFixed(2)),
        spreadText(f.eventLoopDelayP99Ms, (x) => `${x.toFixed(1)} ms`),
        spreadText(f.eventLoopDelayMaxMs, (x) => `${x.toFixed(1)} ms`),
      ]);
    }
  }
  lines.push(mdTable(['engine', 'after', 'on disk', 'write amp. (storage)', 'write amp. (engine)', 'loop delay p99', 'loop delay max'], resRows, ['l', 'l', 'r', 'r', 'r', 'r', 'r']));
  lines.push('');
  lines.push(mdTable(
    ['engine', ...c.phases.map((p) => `peak RSS: ${p}`)],
    engines.map((e) => [e, ...c.phases.map((p) => spreadText(summary.resources[e].peakRssBytes[p], bytes))]),
    ['l', ...c.phases.map(() => 'r')],
  ));
  lines.push('');
  const problems = run.problems;
  lines.push('## Problems');
  lines.push('');
  if (problems.length === 0) lines.push('None: every engine completed every phase, and every read, scan and reopen check found exactly what was written.');
  else for (const p of problems) lines.push(`- **${p.engine}** ${p.phase} (run ${p.run}): ${p.message.replace(/\n/g, ' ')}`);
  lines.push('');
  lines.push('## Workloads');
  lines.push('');
  for (const w of WORKLOADS) if (c.phases.includes(w.phase)) lines.push(`- **${w.name}**: ${w.describe(c)}`);
  lines.push('');
  lines.push('Ops/s count only time spent in engine calls (key and value generation is outside the timed section). Point reads go through each engine\'s fastest API: a synchronous get where it has one (classic-level `getSync`, lmdb `get`, better-sqlite3 prepared statements), ours `txn.tryGet` in one `db.view` per 1,000 keys. Writes in the fills and the mixed workload survive a process crash but are not fsynced one by one (the engines\' usual bulk-load setting); the synced workloads make every put durable before it resolves. Every read workload checks what it read; every write phase ends with a reopen and a count or sampled read.');
  lines.push('');
  lines.push('## Engine settings');
  lines.push('');
  for (const e of run.engineOrder) {
    const info = run.engines[e];
    lines.push(`- **${e}** ${info?.version ?? ''}: ${info?.status === 'ok' ? info.settings : `skipped: ${info?.reason}`}`);
  }
  lines.push('');
  return lines.join('\n');
}

function escapeXml(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A horizontal bar chart, log scale, of ours / best peer per workload (falls back to the ceiling when no peer ran). */
export function renderSvg(run, summary) {
  const rows = Object.entries(summary.workloads)
    .map(([name, w]) => {
      if (w.bestPeer && Number.isFinite(w.bestPeer.ratio)) return { name, ratio: w.bestPeer.ratio, vs: w.bestPeer.engine };
      const v = w.vs[CEILING];
      return v !== undefined && Number.isFinite(v) ? { name, ratio: v, vs: CEILING } : undefined;
    })
    .filter(Boolean);
  const labelW = 110;
  const chartW = 560;
  const noteW = 190;
  const rowH = 26;
  const top = 54;
  const width = labelW + chartW + noteW;
  const height = top + rows.length * rowH + 40;
  const ratios = rows.map((r) => r.ratio);
  const lo = Math.min(0.1, ...ratios.map((r) => r / 1.3));
  const hi = Math.max(4, ...ratios.map((r) => r * 1.3));
  const x = (r) => labelW + ((Math.log10(r) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * chartW;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  const peerText = rows.some((r) => r.vs !== CEILING) ? 'best peer' : 'in-memory Map (no peer engine ran)';
  out.push(`<text x="${labelW}" y="20" font-size="14" font-weight="bold">@progress/lsm throughput / ${escapeXml(peerText)} (log scale; right of 1x = ours faster)</text>`);
  out.push(`<text x="${labelW}" y="38" fill="#555">${escapeXml(`${run.startedAt.slice(0, 10)}, ${run.config.keys.toLocaleString('en-US')} keys, medians of ${run.config.runs} run(s), ${run.machine.cpus} x ${run.machine.cpuModel}`)}</text>`);
  const ticks = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].filter((t) => t >= lo && t <= hi);
  const bottom = top + rows.length * rowH;
  for (const t of ticks) {
    out.push(`<line x1="${x(t).toFixed(1)}" y1="${top - 4}" x2="${x(t).toFixed(1)}" y2="${bottom}" stroke="${t === 1 ? '#333' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    out.push(`<text x="${x(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${t}x</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const x0 = x(1);
    const x1 = x(r.ratio);
    const color = r.ratio >= 1 ? '#2e7d32' : r.ratio >= 0.8 ? '#f9a825' : '#c62828';
    out.push(`<text x="${labelW - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">${escapeXml(r.name)}</text>`);
    out.push(`<rect x="${Math.min(x0, x1).toFixed(1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x1 - x0)).toFixed(1)}" height="${rowH - 8}" fill="${color}"/>`);
    out.push(`<text x="${labelW + chartW + 8}" y="${y + rowH / 2 + 4}">${escapeXml(`${ratioText(r.ratio)} vs ${r.vs}`)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
