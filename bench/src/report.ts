import type { LatencyCase } from './latency.ts';
import type { LoadResult } from './load.ts';

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

/** The mixed workload, one row per server, then project ÷ baseline. */
export function loadTable(results: Record<string, LoadResult>): string {
  const rows = Object.entries(results).map(([name, r]) => [
    name,
    num(r.requestsPerSecond),
    `${num(r.latencyMs.p50)} ms`,
    `${num(r.latencyMs.p90)} ms`,
    `${num(r.latencyMs.p99)} ms`,
    num(r.errors),
    num(r.requests),
    ms(r.serverCpuMsPerRequest),
    ms(r.databaseCpuMsPerRequest),
  ]);
  const { project, baseline } = results;
  if (project && baseline) {
    const ratio = (a: number, b: number) => `${num(a / b, 2)}×`;
    const optionalRatio = (a: number | null, b: number | null) =>
      a === null || b === null ? '' : ratio(a, b);
    rows.push([
      'project ÷ baseline',
      ratio(project.requestsPerSecond, baseline.requestsPerSecond),
      ratio(project.latencyMs.p50, baseline.latencyMs.p50),
      ratio(project.latencyMs.p90, baseline.latencyMs.p90),
      ratio(project.latencyMs.p99, baseline.latencyMs.p99),
      '',
      '',
      optionalRatio(project.serverCpuMsPerRequest, baseline.serverCpuMsPerRequest),
      optionalRatio(project.databaseCpuMsPerRequest, baseline.databaseCpuMsPerRequest),
    ]);
  }
  return table(
    ['', 'req/s', 'p50', 'p90', 'p99', 'errors', 'requests', 'server CPU/req', 'db CPU/req'],
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
