// The same workload as load.ts, sent by wrk (C, one thread): a second load generator, so that a
// result cannot be an artefact of autocannon's (a Node process on the same two cores). The Lua
// script and a data file of the seeded users' tokens and todos are written to a temporary
// folder; each run prints one JSON line from Lua's done(): requests, status codes, socket
// errors and 1,000 latency quantiles, which `summarize` merges across rounds by weight.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CONTRACT_MIX, type Drive, type Load, listPath, type Mix } from './load.ts';
import { onCleanup } from './processes.ts';
import type { SeededUser } from './seed.ts';

/** wrk's path when it is on PATH (Debian: `apt-get install wrk`), else null. */
export function findWrk(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, 'wrk');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}

const luaString = (value: string) => JSON.stringify(value);

// Header tables are built once per user: wrk.format only sets Host and Content-Length in them.
const script = (dataFile: string, mix: Mix) => `-- Written by bench/src/wrk.ts for one pnpm bench run.
local DATA, LIST_PATH, LIST, CREATE = ${luaString(dataFile)}, ${luaString(listPath({ limit: 50 }))}, ${mix.list}, ${mix.create}
local users, created, threads = {}, 0, {}
statuses = {} -- global, so that done() can read each thread's copy

function init(args)
  math.randomseed(os.time())
  for line in io.lines(DATA) do
    local user = { todos = {}, completed = {} }
    for field in line:gmatch("%S+") do
      if not user.get then
        user.get = { Authorization = "Bearer " .. field }
        user.post = { Authorization = "Bearer " .. field, ["Content-Type"] = "application/json" }
      else
        user.todos[#user.todos + 1] = field:sub(1, 36)
        user.completed[#user.todos] = field:sub(37) == "1"
      end
    end
    users[#users + 1] = user
  end
end

function request()
  local user = users[math.random(#users)]
  local roll = math.random()
  if roll < LIST then return wrk.format("GET", LIST_PATH, user.get) end
  if roll < LIST + CREATE then
    created = created + 1
    return wrk.format("POST", "/api/trpc/todo.create", user.post, '{"title":"Benchmark todo ' .. created .. '"}')
  end
  local i = math.random(#user.todos)
  user.completed[i] = not user.completed[i]
  return wrk.format("POST", "/api/trpc/todo.update", user.post,
    '{"id":"' .. user.todos[i] .. '","completed":' .. tostring(user.completed[i]) .. '}')
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency)
  local codes, parts, quantiles = {}, {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do codes[status] = (codes[status] or 0) + count end
  end
  for status, count in pairs(codes) do parts[#parts + 1] = string.format('"%d":%d', status, count) end
  for i = 1, 1000 do quantiles[i] = latency:percentile(i / 10 - 0.05) end
  local e = summary.errors
  io.write(string.format('\\nwrk-json {"requests":%d,"durationUs":%d,"socketErrors":%d,"maxUs":%d,"statusCodes":{%s},"quantilesUs":[%s]}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, latency.max,
    table.concat(parts, ","), table.concat(quantiles, ",")))
end
`;

type WrkReport = {
  requests: number;
  durationUs: number;
  socketErrors: number;
  maxUs: number;
  statusCodes: Record<string, number>;
  quantilesUs: number[];
};

function toLoad(report: WrkReport): Load {
  const non2xx = Object.entries(report.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    requests: report.requests,
    durationSeconds: report.durationUs / 1e6,
    latency: {
      ms: report.quantilesUs.map((us) => us / 1_000),
      weight: report.requests / report.quantilesUs.length,
    },
    maxLatencyMs: report.maxUs / 1_000,
    statusCodes: report.statusCodes,
    errors: non2xx + report.socketErrors,
  };
}

/**
 * wrk with one thread over the workload, for the seeded `users`. The script and its data are
 * written once, to a folder removed when the benchmark ends.
 */
export function wrkDrive(wrk: string, users: SeededUser[], mix: Mix = CONTRACT_MIX): Drive {
  const dir = mkdtempSync(join(tmpdir(), 'todo-bench-wrk-'));
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  const dataFile = join(dir, 'users.txt');
  const scriptFile = join(dir, 'workload.lua');
  // One line per user: the token, then each todo as its id and 1 or 0 for completed.
  const lines = users.map((user) =>
    [user.token, ...user.todos.map((todo) => `${todo.id}${todo.completed ? 1 : 0}`)].join(' '),
  );
  writeFileSync(dataFile, `${lines.join('\n')}\n`);
  writeFileSync(scriptFile, script(dataFile, mix));

  return ({ url, connections, seconds }) =>
    new Promise((resolve, reject) => {
      const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', scriptFile, url];
      const child = spawn(wrk, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4_000);
      });
      const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      onCleanup(stop);
      const guard = setTimeout(stop, (seconds + 15) * 1_000);
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(guard);
        const line = stdout.split('\n').find((text) => text.startsWith('wrk-json '));
        if (code !== 0 || !line) {
          reject(new Error(`wrk ended with ${signal ?? code}:\n${stderr || stdout}`));
          return;
        }
        resolve(toLoad(JSON.parse(line.slice('wrk-json '.length)) as WrkReport));
      });
    });
}
