// The same workload as load.ts, sent by wrk (C, one thread): a second load generator, so that a
// result cannot be an artefact of autocannon's (a Node process on the same two cores). The Lua
// script, with the request shape's templates in it (shapes.ts), and a data file of the seeded
// users' tokens and todos are written to a temporary folder; each run prints one JSON line from
// Lua's done(): requests, status codes, socket errors and 1,000 latency quantiles, which
// `summarize` merges across rounds by weight.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CONTRACT_MIX, type Drive, type Load, type Mix, TITLE_PREFIX } from './load.ts';
import { onCleanup } from './processes.ts';
import type { SeededUser } from './seed.ts';
import { type Encoding, encode, type Part, type RequestTemplate, type Shape } from './shapes.ts';

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

/** A Lua string literal; JSON's escapes are Lua's for printable ASCII, which is all a request here holds. */
function luaString(value: string) {
  if (!/^[\x20-\x7e]*$/.test(value))
    throw new Error(`not printable ASCII, for wrk's Lua: ${JSON.stringify(value)}`);
  return JSON.stringify(value);
}

const ENCODINGS: Encoding[] = ['header', 'json', 'url'];
/** Tokens and ids go into every slot as they are (Lua substitutes them unencoded). */
const SAME_IN_EVERY_ENCODING = /^[\w-]+$/;

const luaParts = (parts: Part[]) =>
  `{ ${parts.map((part) => (typeof part === 'string' ? luaString(part) : `{ ${luaString(part.slot)}, ${luaString(part.encoding)} }`)).join(', ')} }`;

function luaTemplate(template: RequestTemplate) {
  // Header tables are made once per user (wrk.format only sets Host and Content-Length in
  // them): only the token may vary in a header.
  for (const [name, parts] of template.headers) {
    if (parts.some((part) => typeof part !== 'string' && part.slot !== 'token' && part.slot !== 'list')) {
      throw new Error(`wrk.ts fills only the token and list into headers, and ${name} holds another value`);
    }
  }
  const headers = template.headers.map(([name, parts]) => `{ ${luaString(name)}, ${luaParts(parts)} }`);
  return (
    `{ method = ${luaString(template.method)}, path = ${luaParts(template.path)}, ` +
    `body = ${template.body === null ? 'nil' : luaParts(template.body)}, headers = { ${headers.join(', ')} } }`
  );
}

/** The run's values: the data file, the mix, the shape's templates and the title in each encoding. */
const scriptHead = (
  dataFile: string,
  shape: Shape,
  mix: Mix,
) => `-- Written by bench/src/wrk.ts for one pnpm bench run, in the ${shape.name} shape.
local DATA, LIST, CREATE = ${luaString(dataFile)}, ${mix.list}, ${mix.create}
local TEMPLATES = {
  list = ${luaTemplate(shape.list)},
  create = ${luaTemplate(shape.create)},
  completed = ${luaTemplate(shape.update.completed)},
  active = ${luaTemplate(shape.update.active)},
}
-- The title's constant part in each encoding; the number after it reads the same in all.
local TITLE = { ${ENCODINGS.map((encoding) => `${encoding} = ${luaString(encode(TITLE_PREFIX, encoding))}`).join(', ')} }
`;

/** The workload itself, the same in every run. */
const SCRIPT_BODY = `local users, created, threads = {}, 0, {}
statuses = {} -- global, so that done() can read each thread's copy

-- Parts with the user's token and list put in and neighbouring strings joined: a plain string
-- when nothing else varies, else a list of strings and { slot, encoding } pairs.
local function bind(parts, token, list)
  local out, text = {}, nil
  for _, part in ipairs(parts) do
    if type(part) == "table" and part[1] == "token" then part = token end
    if type(part) == "table" and part[1] == "list" then part = list end
    if type(part) == "string" then
      text = (text or "") .. part
    else
      if text then out[#out + 1] = text; text = nil end
      out[#out + 1] = part
    end
  end
  if text then out[#out + 1] = text end
  if #out == 0 then return "" end
  if #out == 1 and type(out[1]) == "string" then return out[1] end
  return out
end

local function fill(bound, values)
  if type(bound) ~= "table" then return bound end
  local out = {}
  for i, part in ipairs(bound) do
    out[i] = type(part) == "string" and part or values[part[1]][part[2]]
  end
  return table.concat(out)
end

local function bindAll(token, list)
  local calls = {}
  for name, template in pairs(TEMPLATES) do
    local headers = {}
    for _, header in ipairs(template.headers) do headers[header[1]] = bind(header[2], token, list) end
    calls[name] = {
      method = template.method,
      path = bind(template.path, token, list),
      body = template.body and bind(template.body, token, list),
      headers = headers,
    }
  end
  return calls
end

function init(args)
  math.randomseed(os.time())
  for line in io.lines(DATA) do
    local user = { todos = {}, completed = {} }
    for field in line:gmatch("%S+") do
      if not user.token then
        user.token = field
      elseif not user.calls then
        user.calls = bindAll(user.token, field)
      else
        user.todos[#user.todos + 1] = field:sub(1, 36)
        user.completed[#user.todos] = field:sub(37) == "1"
      end
    end
    users[#users + 1] = user
  end
end

local function send(call, values)
  return wrk.format(call.method, fill(call.path, values), call.headers, fill(call.body, values))
end

function request()
  local user = users[math.random(#users)]
  local roll = math.random()
  if roll < LIST then return send(user.calls.list) end
  if roll < LIST + CREATE then
    created = created + 1
    local title = {}
    for encoding, prefix in pairs(TITLE) do title[encoding] = prefix .. created end
    return send(user.calls.create, { title = title })
  end
  local i = math.random(#user.todos)
  user.completed[i] = not user.completed[i]
  local id = user.todos[i]
  local call = user.completed[i] and user.calls.completed or user.calls.active
  return send(call, { id = { header = id, json = id, url = id } })
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
 * wrk with one thread over the workload in `shape`, for the seeded `users`. The script and its
 * data are written once, to a folder removed when the benchmark ends.
 */
export function wrkDrive(wrk: string, users: SeededUser[], shape: Shape, mix: Mix = CONTRACT_MIX): Drive {
  const dir = mkdtempSync(join(tmpdir(), 'todo-bench-wrk-'));
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  const dataFile = join(dir, 'users.txt');
  const scriptFile = join(dir, 'workload.lua');
  // One line per user: the token, the list, then each todo as its id and 1 or 0 for completed.
  const lines = users.map((user) => {
    const values = [user.token, user.listId, ...user.todos.map((todo) => todo.id)];
    if (!values.every((value) => SAME_IN_EVERY_ENCODING.test(value))) {
      throw new Error(`a token or id that some encoding would change: ${user.token}`);
    }
    return [user.token, user.listId, ...user.todos.map((todo) => `${todo.id}${todo.completed ? 1 : 0}`)].join(
      ' ',
    );
  });
  writeFileSync(dataFile, `${lines.join('\n')}\n`);
  writeFileSync(scriptFile, scriptHead(dataFile, shape, mix) + SCRIPT_BODY);

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
