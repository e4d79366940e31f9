// The run's results as text: for each request shape, a table per load generator with the
// ratios worth reading and the generators side by side; the shapes against each other; one
// user's list latency, the realtime workload and row-level security's cost.
import type { LatencyCase } from './latency.ts';
import type { LoadResult } from './load.ts';
import type { MixByShape } from './mix.ts';
import type { Options } from './options.ts';
import type { RealtimeResult } from './realtime.ts';
import type { RlsCost } from './rls.ts';
import { describeTemplate, type Shape, type ShapeName } from './shapes.ts';
import type { TabsResult } from './tabs.ts';

const num = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

const ms = (value: number | null) => (value === null ? '–' : `${num(value, 2)} ms`);

const ratio = (a: number | null, b: number | null) =>
  a === null || b === null || !(b > 0) ? '' : `${num(a / b, 2)}×`;

/** The ratios worth reading, where both servers ran: A ÷ B. */
const RATIOS = [
  ['project', 'baseline'],
  ['adapter', 'baseline'],
  ['adapter', 'project'],
  // The compiled build against the same sources through tsx, and two workers against one.
  ['project', 'project-tsx'],
  ['project-2w', 'project'],
] as const;

function totalCpu(r: LoadResult): number | null {
  const { serverCpuMsPerRequest: server, databaseCpuMsPerRequest: database } = r;
  return server === null || database === null ? null : server + database;
}

type Column = { name: string; value: (r: LoadResult) => number | null; cell: (v: number | null) => string };

const COLUMNS: Column[] = [
  { name: 'req/s', value: (r) => r.requestsPerSecond, cell: (v) => num(v ?? Number.NaN) },
  { name: 'p50', value: (r) => r.latencyMs.p50, cell: (v) => `${num(v ?? Number.NaN)} ms` },
  { name: 'p90', value: (r) => r.latencyMs.p90, cell: (v) => `${num(v ?? Number.NaN)} ms` },
  { name: 'p99', value: (r) => r.latencyMs.p99, cell: (v) => `${num(v ?? Number.NaN)} ms` },
  { name: 'errors', value: (r) => r.errors, cell: (v) => num(v ?? Number.NaN) },
  { name: 'requests', value: (r) => r.requests, cell: (v) => num(v ?? Number.NaN) },
  { name: 'server CPU/req', value: (r) => r.serverCpuMsPerRequest, cell: ms },
  { name: 'db CPU/req', value: (r) => r.databaseCpuMsPerRequest, cell: ms },
  // What a request costs the host that runs both, as on this machine: the two columns before.
  { name: 'total CPU/req', value: totalCpu, cell: ms },
];
const CPU_COLUMNS = ['server CPU/req', 'db CPU/req', 'total CPU/req'];
const RATIO_COLUMNS = new Set(['req/s', 'p50', 'p90', 'p99', ...CPU_COLUMNS]);

/** The mixed workload from one load generator: one row per server, then the ratios; `title` heads the first column. */
export function loadTable(title: string, results: Partial<Record<string, LoadResult>>): string {
  const rows = Object.entries(results).flatMap(([name, r]) =>
    r ? [[name, ...COLUMNS.map((c) => c.cell(c.value(r)))]] : [],
  );
  for (const [a, b] of RATIOS) {
    const [ra, rb] = [results[a], results[b]];
    if (!ra || !rb) continue;
    rows.push([
      `${a} ÷ ${b}`,
      ...COLUMNS.map((c) => (RATIO_COLUMNS.has(c.name) ? ratio(c.value(ra), c.value(rb)) : '')),
    ]);
  }
  return table([title, ...COLUMNS.map((c) => c.name)], rows);
}

/** Results by generator, then by server. */
type ByGenerator = Partial<Record<string, Partial<Record<string, LoadResult>>>>;

/** The generators side by side: each ratio's throughput, p99 and CPU per request, per generator; null when no pair of servers ran. */
export function ratioTable(title: string, byGenerator: ByGenerator): string | null {
  const generators = Object.keys(byGenerator);
  const columns = COLUMNS.filter((c) => ['req/s', 'p99', ...CPU_COLUMNS].includes(c.name));
  const rows = RATIOS.filter(([a, b]) =>
    generators.some((g) => byGenerator[g]?.[a] && byGenerator[g]?.[b]),
  ).map(([a, b]) => [
    `${a} ÷ ${b}`,
    ...columns.flatMap((c) =>
      generators.map((g) => {
        const [ra, rb] = [byGenerator[g]?.[a], byGenerator[g]?.[b]];
        return ra && rb ? ratio(c.value(ra), c.value(rb)) : '';
      }),
    ),
  ]);
  if (rows.length === 0) return null;
  return table([title, ...columns.flatMap((c) => generators.map((g) => `${c.name} ${g}`))], rows);
}

/** Each server in the client's shape against itself in the single-call shape, generators side by side. */
export function shapeRatioTable(load: MixByShape): string {
  const client: ByGenerator = load.client ?? {};
  const single: ByGenerator = load.single ?? {};
  const generators = Object.keys(client).filter((g) => g in single);
  const columns = COLUMNS.filter((c) => ['req/s', 'p99', ...CPU_COLUMNS].includes(c.name));
  const targets = [...new Set(generators.flatMap((g) => Object.keys(client[g] ?? {})))];
  const rows = targets.map((target) => [
    target,
    ...columns.flatMap((c) =>
      generators.map((g) => {
        const [a, b] = [client[g]?.[target as never], single[g]?.[target as never]] as (
          | LoadResult
          | undefined
        )[];
        return a && b ? ratio(c.value(a), c.value(b)) : '';
      }),
    ),
  ]);
  return table(
    ['client ÷ single shape', ...columns.flatMap((c) => generators.map((g) => `${c.name} ${g}`))],
    rows,
  );
}

/** One row per server and list shape. */
export function latencyTable(results: Record<string, LatencyCase[]>): string {
  const rows = Object.entries(results).flatMap(([server, cases]) =>
    cases.map((c) => [
      `${server}: ${c.name}`,
      num(c.items),
      `${num(c.latencyMs.p50, 2)} ms`,
      `${num(c.latencyMs.p90, 2)} ms`,
      `${num(c.latencyMs.p99, 2)} ms`,
      num(c.errors),
    ]),
  );
  return table(['', 'items', 'p50', 'p90', 'p99', 'errors'], rows);
}

const CASE_NAMES = [
  ['without', 'no streams'],
  ['oneProcess', 'streams on process 1'],
  ['twoProcesses', 'streams on process 2'],
] as const;

/** Where each write's event is timed, exactly: at every stream of the owner but the writing one. */
const timedAt = (perUser: number) =>
  perUser === 2 ? 'the owner’s other stream' : `each of the owner’s other ${perUser - 1} streams`;

/** The realtime workload: the mix without and with the streams, and the events' delivery. */
export function realtimeTable(result: RealtimeResult): string {
  const rows = CASE_NAMES.map(([key, name]) => {
    const { load, delivery } = result[key];
    return [
      name,
      num(load.requestsPerSecond),
      `${num(load.latencyMs.p50)} ms`,
      `${num(load.latencyMs.p99)} ms`,
      num(load.errors),
      ms(load.serverCpuMsPerRequest),
      delivery ? num(delivery.writes) : '',
      delivery ? `${num(delivery.latencyMs.p50, 1)} ms` : '',
      delivery ? `${num(delivery.latencyMs.p99, 1)} ms` : '',
      delivery ? `${num(delivery.latencyMs.max, 1)} ms` : '',
      delivery ? num(delivery.missing) : '',
    ];
  });
  for (const [key, name] of CASE_NAMES.slice(1)) {
    const [a, b] = [result[key].load, result.without.load];
    rows.push([
      `${name.replace('streams on ', '')} ÷ no streams`,
      ratio(a.requestsPerSecond, b.requestsPerSecond),
      ratio(a.latencyMs.p50, b.latencyMs.p50),
      ratio(a.latencyMs.p99, b.latencyMs.p99),
      '',
      ratio(a.serverCpuMsPerRequest, b.serverCpuMsPerRequest),
      ...['', '', '', '', ''],
    ]);
  }
  return table(
    [
      '',
      'mix req/s',
      'mix p50',
      'mix p99',
      'errors',
      'server CPU/req',
      'writes',
      'event p50',
      'event p99',
      'event max',
      'missing',
    ],
    rows,
  );
}

/** Memory per idle stream and the delivery checks, as sentences. */
export function realtimeSummary(result: RealtimeResult): string {
  const mb = (bytes: number) => `${num(bytes / 1_048_576, 1)} MB`;
  const lines: string[] = [];
  if (result.memory) {
    const { without, with: open, afterClose, perStreamBytes, heapPerStreamBytes } = result.memory;
    lines.push(
      `Memory per idle stream (process 1 after a full GC): RSS ${mb(without.rssBytes)} without, ` +
        `${mb(open.rssBytes)} with ${num(result.streams)} idle streams: ${num(perStreamBytes / 1_024, 1)} KB per stream ` +
        `(V8 heap ${num(heapPerStreamBytes / 1_024, 1)} KB of it); RSS ${mb(afterClose.rssBytes)} after closing them; ` +
        `all opened in ${num(result.openSeconds, 1)} s`,
    );
  }
  const checks = CASE_NAMES.slice(1).map(([key, name]) => {
    const d = result[key].delivery!;
    return (
      `${name}: ${num(d.delivered)} of ${num(result.streamsPerUser * d.writes)} events at the owner’s ` +
      `${result.streamsPerUser} streams, ${num(d.missing)} missing, ` +
      `${num(d.duplicates)} twice, ${num(d.outOfOrder)} out of order, ${num(d.resets)} resets, ${num(d.foreign)} at another user's stream, ` +
      `${num(d.beforeAnswer)} before the write's answer`
    );
  });
  lines.push(...checks);
  lines.push(`stream reconnects ${num(result.reconnects)}, stream errors ${num(result.streamErrors)}`);
  return lines.join('\n');
}

export type Results = {
  shapes: Shape[];
  load: MixByShape;
  latency: Partial<Record<string, LatencyCase[]>>;
  realtime: RealtimeResult | null;
  tabs: TabsResult | null;
  rls: RlsCost | null;
};

/** The three tabs: list reads per write, then each write's calls. */
export function tabsTable(result: TabsResult): string {
  const rows = result.writes.map((write) => {
    const others = Object.entries(write.calls).filter(([call]) => call !== 'todo.list');
    return [
      write.write,
      num(write.listReads),
      others.map(([call, count]) => `${call} ${count}`).join(', ') || '–',
      write.shown ? 'yes' : 'NO',
    ];
  });
  rows.push(['list reads per write (3 tabs)', num(result.listReadsPerWrite, 2), '', '']);
  return table(
    ['write, from another client', 'todo.list calls', 'other calls', `shown in all ${result.tabs} tabs`],
    rows,
  );
}

export const SHAPE_NAMES: Record<ShapeName, string> = {
  client: 'client shape (as @todo/client sends it)',
  single: 'single shape (one call per URL, as curl sends it)',
};

/** Each shape's requests as recorded, one line per call. */
function shapeLines(shapes: Shape[]): string {
  return shapes
    .flatMap((shape) => [
      `${SHAPE_NAMES[shape.name]}:`,
      ...[shape.list, shape.create, shape.update.completed].map((template) => {
        const { method, path, headers, body } = describeTemplate(template);
        const named = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
        return `  ${method} ${path}  [${named.join('; ')}]${body === null ? '' : `  ${body}`}`;
      }),
    ])
    .join('\n');
}

function printMix({ load, shapes }: Results, options: Options) {
  console.log(
    `\nMixed workload: 80% todo.list, 10% todo.create, 10% todo.update; ${options.connections} connections, ` +
      `${options.seconds} s per server, generator and shape in turns, pool ${options.poolMax}` +
      (options.targets.includes('adapter')
        ? '. adapter = the production server with tRPC’s public Node adapter instead of its direct path'
        : ''),
  );
  console.log(`Requests, recorded from the clients at run time:\n${shapeLines(shapes)}`);
  for (const shape of shapes) {
    for (const [generator, results] of Object.entries(load[shape.name] ?? {})) {
      const title = `${generator}${generator === 'wrk' ? ' (1 thread)' : ''}, ${shape.name} shape`;
      console.log(`\n${generator}${generator === 'wrk' ? ' (1 thread)' : ''}, ${SHAPE_NAMES[shape.name]}`);
      console.log(loadTable(title, results ?? {}));
    }
  }
  if (!load.client?.wrk) console.log('\nwrk: SKIPPED (not on PATH; apt-get install wrk)');
  for (const shape of shapes) {
    const ratios = ratioTable(`${shape.name} shape`, load[shape.name] ?? {});
    if (ratios === null) continue;
    console.log(`\nRatios, generators side by side, ${SHAPE_NAMES[shape.name]}`);
    console.log(ratios);
  }
  console.log('\nWhat the client’s shape costs each server against the single-call shape');
  console.log(shapeRatioTable(load));
}

/** Everything measured, in the order it was measured. */
export function printResults(results: Results, options: Options) {
  const { load, latency, realtime, rls } = results;
  if (options.latencyOnly) console.log('\nBENCH_ONLY=latency: no mixed workload, realtime or RLS measured');
  else printMix(results, options);
  const latencyCases = Object.fromEntries(
    Object.entries(latency).flatMap(([server, cases]) =>
      cases && cases.length > 0 ? [[server, cases]] : [],
    ),
  );
  if (Object.keys(latencyCases).length > 0) {
    console.log('\nOne user’s todo.list (limit 50) in newest, manual and due order, one connection');
    console.log(latencyTable(latencyCases));
  }
  if (realtime) {
    console.log(
      `\nRealtime: ${num(realtime.streams)} todo.changes streams (${realtime.streamsPerUser} per user, ${num(realtime.users)} users) ` +
        `while the mix runs on process 1 in the ${SHAPE_NAMES.client}; ${options.connections} connections, ${options.seconds} s per case in turns. ` +
        `event = from a write’s answer to its event at ${timedAt(realtime.streamsPerUser)}`,
    );
    console.log(realtimeTable(realtime));
    console.log(realtimeSummary(realtime));
  }
  if (results.tabs) {
    console.log(
      `\nRealtime in the web app: ${results.tabs.tabs} tabs of one user (Chromium, the built web app), each write from ` +
        `another client; the tabs' todo.list calls after their first load (${num(results.tabs.firstLoadListReads)} in it). 0 is the goal`,
    );
    console.log(tabsTable(results.tabs));
  }
  const changeLogCost = Object.entries(load).flatMap(([shape, byGenerator]) =>
    Object.entries(byGenerator ?? {}).flatMap(([generator, results]) =>
      results?.project && results.baseline
        ? [
            `${ratio(results.project.requestsPerSecond, results.baseline.requestsPerSecond)} (${generator}, ${shape} shape)`,
          ]
        : [],
    ),
  );
  if (changeLogCost.length > 0) {
    console.log(
      `\nThe plain mix with the change log’s triggers in place: project ÷ baseline throughput ${changeLogCost.join(', ')}`,
    );
  }
  if (rls) {
    const extra = rls.withRlsMicros - rls.withoutRlsMicros;
    console.log(
      `\nRow-level security, inside PostgreSQL (todo.list's statement, ${rls.iterations} runs, median of ${rls.turns} turns each): ` +
        `${rls.withRlsMicros.toFixed(1)} µs with, ${rls.withoutRlsMicros.toFixed(1)} µs without, ` +
        `${extra >= 0 ? '+' : ''}${extra.toFixed(1)} µs (${((100 * extra) / rls.withoutRlsMicros).toFixed(0)}%)`,
    );
    const deep = rls.deepList;
    if (deep) {
      console.log(
        `As the app's role, newest first: the deep list (50 members) ${deep.firstMicros.toFixed(1)} µs for its first page, ` +
          `${deep.deepMicros.toFixed(1)} µs after row ${deep.depth.toLocaleString('en-US')}; ` +
          `a one-member list's first page ${deep.oneMemberMicros.toFixed(1)} µs`,
      );
    }
  }
}
