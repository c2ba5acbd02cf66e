/**
 * `npm run load`: a bounded load test of the sync server on loopback (docs/operations/load-test.md).
 * It creates a scratch PostgreSQL database from the migrations, starts N server processes
 * (`server/main.ts`, as keyhold_app, logging every request as in production) on 127.0.0.1, registers
 * accounts and signs in D devices spread over the processes (one account's devices on different
 * processes, so its changes cross processes through LISTEN/NOTIFY), and runs them for T seconds:
 * each holds a push stream, polls, pushes edits and pulls what its stream announces
 * (bench/load-device.ts). It prints one JSON report — p50/p95/p99 per route (bench/load-probes.ts),
 * errors, throughput, load average, and where the time went on the database side (sampled
 * pg_stat_activity) and in the servers (their request log) — and exits 1 when an objective is
 * missed, 2 when the run itself failed. Processes and the database are removed afterwards, on
 * failure and on Ctrl-C too.
 *
 *   npm run load -- --devices 200 --processes 2 --duration 60
 *
 * Every flag has an environment variable (LOAD_DEVICES, …); `--help` lists them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { appRoleUrl } from '../server/test-support/db.ts';
import { type DeviceRates, LoadDevice, registerAccount } from './load-device.ts';
import {
  type AccountCredentials,
  percentile,
  Recorder,
  ROUTES,
  type Route,
  type RouteSummary,
  summarize,
} from './load-probes.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Flag → [environment variable, default, what it is]. */
const OPTIONS = {
  devices: ['LOAD_DEVICES', '200', 'simulated devices'],
  processes: ['LOAD_PROCESSES', '2', 'server processes'],
  duration: ['LOAD_DURATION_SECONDS', '60', 'measured seconds (after the ramp)'],
  ramp: ['LOAD_RAMP_SECONDS', '5', 'seconds over which the devices start (not measured)'],
  'devices-per-account': ['LOAD_DEVICES_PER_ACCOUNT', '4', 'devices signed in to each account'],
  'seed-items': ['LOAD_SEED_ITEMS', '50', 'items in each account before the run'],
  'poll-ms': ['LOAD_POLL_MS', '1000', 'mean interval between two polls of a device'],
  'push-ms': ['LOAD_PUSH_MS', '10000', 'mean interval between two pushes of a device'],
  'stream-ms': [
    'LOAD_STREAM_MS',
    '30000',
    'mean lifetime of a push stream before the device opens a new one',
  ],
  'sign-in-ms': [
    'LOAD_SIGN_IN_MS',
    '600000',
    'mean interval between two sign-ins of a device (an unlock: new session, old one signed out); 0: never',
  ],
  'timeout-ms': ['LOAD_TIMEOUT_MS', '10000', 'a request slower than this is an error'],
  'p99-ms': ['LOAD_P99_MS', '50', 'objective: p99 of every route, in ms'],
  'max-errors': ['LOAD_MAX_ERRORS', '0', 'objective: errors allowed'],
  'database-url': [
    'LOAD_DATABASE_URL',
    '',
    'PostgreSQL to create the scratch database on (default DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)',
  ],
  'log-level': [
    'LOAD_LOG_LEVEL',
    'info',
    "the servers' LOG_LEVEL (info logs every request, as in production)",
  ],
  'server-node-args': [
    'LOAD_SERVER_NODE_ARGS',
    '',
    'extra node flags of the servers, space-separated (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")',
  ],
  'server-root': [
    'LOAD_SERVER_ROOT',
    '',
    'run the servers (and their migrations) from another checkout, e.g. a baseline to compare with (default this one)',
  ],
  out: ['LOAD_OUT', '', 'also write the JSON report to this file'],
  'keep-logs': ['LOAD_KEEP_LOGS', '', "keep the servers' logs (their folder is printed)"],
} as const;
type OptionName = keyof typeof OPTIONS;

function usage(): string {
  const lines = Object.entries(OPTIONS).map(
    ([flag, [env, def, what]]) =>
      `  --${flag.padEnd(22)} ${env.padEnd(26)} ${what}${def ? ` (default ${def})` : ''}`,
  );
  return `npm run load -- [flags]\n${lines.join('\n')}\n`;
}

interface Config {
  devices: number;
  processes: number;
  durationSeconds: number;
  rampSeconds: number;
  devicesPerAccount: number;
  seedItems: number;
  rates: DeviceRates;
  objectives: { p99Ms: number; maxErrors: number };
  adminUrl: string;
  logLevel: string;
  serverNodeArgs: string[];
  serverRoot: string;
  out: string;
  keepLogs: boolean;
}

function readConfig(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(OPTIONS).map((name) => [name, { type: 'string' as const }])),
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage());
    process.exit(0);
  }
  const raw = (name: OptionName): string => {
    const given = (values as Record<string, string | undefined>)[name];
    const [env, def] = OPTIONS[name];
    return given ?? process.env[env] ?? def;
  };
  const int = (name: OptionName, min: number, max: number): number => {
    const text = raw(name);
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new Error(`--${name} must be a whole number from ${min} to ${max} (got "${text}")`);
    }
    return value;
  };
  const config: Config = {
    devices: int('devices', 1, 2_000),
    processes: int('processes', 1, 8),
    // Bounded: a run never takes the machine for long.
    durationSeconds: int('duration', 1, 600),
    rampSeconds: int('ramp', 0, 60),
    devicesPerAccount: int('devices-per-account', 1, 50),
    seedItems: int('seed-items', 0, 1_000),
    rates: {
      pollMs: int('poll-ms', 50, 600_000),
      pushMs: int('push-ms', 50, 600_000),
      streamMs: int('stream-ms', 500, 3_600_000),
      timeoutMs: int('timeout-ms', 100, 60_000),
      signInMs: int('sign-in-ms', 0, 3_600_000),
    },
    objectives: { p99Ms: int('p99-ms', 1, 60_000), maxErrors: int('max-errors', 0, 1_000_000) },
    adminUrl:
      raw('database-url') || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    logLevel: raw('log-level'),
    serverNodeArgs: raw('server-node-args').split(/\s+/).filter(Boolean),
    serverRoot: path.resolve(raw('server-root') || ROOT),
    out: raw('out'),
    keepLogs: raw('keep-logs') !== '' && raw('keep-logs') !== 'false',
  };
  const host = new URL(config.adminUrl).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1' && host !== '[::1]') {
    throw new Error(`the load test runs on loopback only: --database-url names ${host}`);
  }
  return config;
}

const log = (message: string) => process.stderr.write(`[load] ${message}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round1 = (x: number) => Math.round(x * 10) / 10;

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

/** `server/migrate.ts` of the checkout that serves, as the database's owner: what production runs. */
function migrate(root: string, ownerUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/migrate.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_OWNER_URL: ownerUrl, DATABASE_URL: ownerUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`migrations failed (exit ${code})`)),
    );
  });
}

interface ServerProcess {
  index: number;
  url: string;
  logPath: string;
  child: ChildProcess;
}

/** A port nothing listens on now (the kernel's pick), for a server that is told its port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts `server/main.ts` on `port` with its output in `logPath` (not through this process: it
 * would cost our event loop), and waits until /health/ready answers — whatever the log level.
 */
async function startServer(
  root: string,
  index: number,
  env: Record<string, string>,
  nodeArgs: readonly string[],
  logPath: string,
): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const text = await readFile(logPath, 'utf8');
      throw new Error(`server ${index + 1} exited with ${exited}:\n${text.slice(-2000)}`);
    }
    const ready = await fetch(`${url}/health/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return { index, url, logPath, child };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`server ${index + 1} was not ready within 60 s`);
}

function stopServer(server: ServerProcess): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Where the database side spends the run: pg_stat_activity sampled every 100 ms. Per server process
 * (application_name), how many of its connections are running a statement (its pool of 10 is
 * saturated when that nears 10) or idle inside a transaction, and every wait event seen, lock
 * waits (`Lock:…`) first among what to look at.
 */
class ActivitySampler {
  #samples = 0;
  readonly #perApp = new Map<string, { active: number[]; idleInTx: number[]; connections: number[] }>();
  readonly #waits = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly dbName: string,
  ) {}

  start() {
    const tick = async () => {
      const rows = await this.sql<
        { app: string; state: string | null; wait: string | null; query: string }[]
      >`select application_name as app, state,
          case when wait_event_type is null then null else wait_event_type || ':' || wait_event end as wait,
          left(query, 60) as query
        from pg_stat_activity where datname = ${this.dbName} and pid <> pg_backend_pid()
          and backend_type = 'client backend'`;
      this.#samples += 1;
      const apps = new Map<string, { active: number; idleInTx: number; connections: number }>();
      for (const row of rows) {
        // The push hubs' LISTEN connections idle by design: they are not the pool.
        if (row.query.startsWith('listen ')) continue;
        const app = row.app || '(none)';
        const counts = apps.get(app) ?? { active: 0, idleInTx: 0, connections: 0 };
        counts.connections += 1;
        if (row.state === 'active') counts.active += 1;
        if (row.state === 'idle in transaction') counts.idleInTx += 1;
        apps.set(app, counts);
        if (row.state !== 'idle' && row.wait && row.wait !== 'Client:ClientRead') {
          this.#waits.set(row.wait, (this.#waits.get(row.wait) ?? 0) + 1);
        }
      }
      for (const [app, counts] of apps) {
        const series = this.#perApp.get(app) ?? { active: [], idleInTx: [], connections: [] };
        series.active.push(counts.active);
        series.idleInTx.push(counts.idleInTx);
        series.connections.push(counts.connections);
        this.#perApp.set(app, series);
      }
    };
    const loop = () => {
      this.#timer = setTimeout(() => {
        this.#running = tick()
          .catch(() => {})
          .then(() => {
            if (this.#timer) loop();
          });
      }, 100);
    };
    loop();
  }

  async stop() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  report() {
    const mean = (xs: number[], n: number) => round1(xs.reduce((a, b) => a + b, 0) / Math.max(1, n));
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const perProcess = Object.fromEntries(
      [...this.#perApp.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([app, s]) => [
          app,
          {
            connectionsMax: Math.max(...s.connections),
            activeMean: mean(s.active, this.#samples),
            activeP99: percentile(sorted(s.active), 99),
            activeMax: Math.max(...s.active),
            idleInTransactionMean: mean(s.idleInTx, this.#samples),
          },
        ]),
    );
    const waits = Object.fromEntries([...this.#waits.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12));
    const lockWaitSamples = [...this.#waits.entries()]
      .filter(([name]) => name.startsWith('Lock:'))
      .reduce((sum, [, n]) => sum + n, 0);
    return {
      samples: this.#samples,
      everyMs: 100,
      perProcess,
      lockWaitSamples,
      waitEvents: waits,
      note: 'waitEvents counts, over all samples, connections seen waiting on each event (ClientRead excluded)',
    };
  }
}

/** Clock ticks of /proc/<pid>/stat (utime + stime); 0 when the process is gone. */
async function cpuTicksOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Who used the machine's cores during the measured window (Linux /proc; 100 ticks a second): the
 * server processes, PostgreSQL (all its backends), this generator, and the whole machine (the rest
 * is other work on the same host, which the figures then share the cores with).
 */
async function cpuSnapshot(servers: ServerProcess[]) {
  const postgresPids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'postgres') postgresPids.push(Number(entry));
  }
  const machine = (await readFile('/proc/stat', 'utf8').catch(() => 'cpu 0')).split('\n')[0] ?? 'cpu 0';
  const jiffies = machine.trim().split(/\s+/).slice(1).map(Number);
  const idle = (jiffies[3] ?? 0) + (jiffies[4] ?? 0);
  const total = jiffies.reduce((a, b) => a + b, 0);
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    servers: await Promise.all(
      servers.map((s) => (s.child.pid ? cpuTicksOf(s.child.pid) : Promise.resolve(0))),
    ),
    postgres: (await Promise.all(postgresPids.map(cpuTicksOf))).reduce((a, b) => a + b, 0),
    generatorTicks: ((usage.user + usage.system) / 1e6) * 100,
    machineBusy: total - idle,
  };
}

function coresUsed(
  before: Awaited<ReturnType<typeof cpuSnapshot>>,
  after: Awaited<ReturnType<typeof cpuSnapshot>>,
) {
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number) => Math.round((ticks / 100 / seconds) * 100) / 100;
  const servers = after.servers.map((t, i) => cores(t - (before.servers[i] ?? 0)));
  const postgres = cores(after.postgres - before.postgres);
  const generator = cores(after.generatorTicks - before.generatorTicks);
  const machine = cores(after.machineBusy - before.machineBusy);
  return {
    servers,
    postgres,
    generator,
    machine,
    otherWork: Math.round((machine - servers.reduce((a, b) => a + b, 0) - postgres - generator) * 100) / 100,
    note: 'cores busy on average during the measured window (PostgreSQL: every backend, other databases included)',
  };
}

/** The servers' own view: their request log's `ms` per route inside the measured window, and what they logged as warn/error. */
async function serverSide(servers: ServerProcess[], window: { from: number; to: number }) {
  const byRoute = new Map<string, number[]>();
  let warnings = 0;
  let errors = 0;
  const examples: string[] = [];
  for (const server of servers) {
    const text = await readFile(server.logPath, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      let entry: { level?: number; msg?: string; time?: number; method?: string; path?: string; ms?: number };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if ((entry.level ?? 0) >= 40) {
        if ((entry.level ?? 0) >= 50) errors += 1;
        else warnings += 1;
        if (examples.length < 10) examples.push(line.slice(0, 300));
      }
      if (entry.msg !== 'request' || entry.time === undefined || entry.ms === undefined) continue;
      if (entry.time < window.from || entry.time > window.to) continue;
      const key = `${entry.method} ${entry.path}`;
      const list = byRoute.get(key) ?? [];
      list.push(entry.ms);
      byRoute.set(key, list);
    }
  }
  const routes: Record<string, RouteSummary> = {};
  for (const [key, values] of [...byRoute.entries()].sort()) routes[key] = summarize(values);
  return { routes, warnings, errors, examples };
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = readConfig(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage()}`);
    return 2;
  }
  const loadBefore = loadavg();
  const cleanups: Array<() => Promise<void>> = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      for (const step of cleanups.splice(0).reverse()) {
        await step().catch((error: unknown) =>
          log(`cleanup: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    })();
    return cleaning;
  };
  const interrupted = (signal: NodeJS.Signals) => {
    log(`${signal}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  // However long set-up takes, the whole run has a ceiling; past it, clean up and fail.
  const ceilingMs = (120 + config.rampSeconds + config.durationSeconds + 60) * 1000;
  const watchdog = setTimeout(() => {
    log(`the run exceeded ${ceilingMs / 1000} s: cleaning up`);
    void cleanup().then(() => process.exit(2));
  }, ceilingMs);
  watchdog.unref();

  try {
    // ---- the scratch database, migrated as its owner ----
    const admin = postgres(config.adminUrl, { onnotice: () => {}, max: 2 });
    cleanups.push(() => admin.end({ timeout: 5 }));
    const dbName = `keyhold_load_${randomBytes(5).toString('hex')}`;
    const ownerUrl = new URL(config.adminUrl);
    ownerUrl.pathname = `/${dbName}`;
    await admin.unsafe(`create database "${dbName}"`);
    cleanups.push(async () => {
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    });
    await migrate(config.serverRoot, ownerUrl.toString());
    const owner = postgres(ownerUrl.toString(), { onnotice: () => {}, max: 2 });
    cleanups.push(() => owner.end({ timeout: 5 }));

    // ---- the server processes ----
    const logDir = await mkdtemp(path.join(tmpdir(), 'keyhold-load-'));
    cleanups.push(async () => {
      if (config.keepLogs) log(`server logs kept in ${logDir}`);
      else await rm(logDir, { recursive: true, force: true });
    });
    const servers: ServerProcess[] = [];
    cleanups.push(async () => {
      await Promise.all(servers.map(stopServer));
    });
    const serverEnv = (index: number): Record<string, string> => ({
      DATABASE_URL: appRoleUrl(ownerUrl.toString()),
      LOG_LEVEL: config.logLevel,
      // Every device signs in from 127.0.0.1: the per-address budget of the auth routes would refuse most.
      AUTH_RATE_LIMIT_PER_MINUTE: '100000',
      // Room for every device of an account to hold a second session while it signs in again.
      SESSION_MAX_PER_ACCOUNT: String(Math.max(5, 2 * config.devicesPerAccount)),
      // Names its connections in pg_stat_activity (postgres.js reads PGAPPNAME).
      PGAPPNAME: `keyhold-load-${index + 1}`,
    });
    // The first process generates the shared server secrets; the others read them.
    servers.push(
      await startServer(
        config.serverRoot,
        0,
        serverEnv(0),
        config.serverNodeArgs,
        path.join(logDir, 'server-1.log'),
      ),
    );
    servers.push(
      ...(await Promise.all(
        Array.from({ length: config.processes - 1 }, (_, i) =>
          startServer(
            config.serverRoot,
            i + 1,
            serverEnv(i + 1),
            config.serverNodeArgs,
            path.join(logDir, `server-${i + 2}.log`),
          ),
        ),
      )),
    );
    log(`${servers.length} server process(es): ${servers.map((s) => s.url).join(' ')}; database ${dbName}`);

    // ---- accounts and devices, spread over the processes ----
    const recorder = new Recorder();
    const accountCount = Math.ceil(config.devices / config.devicesPerAccount);
    const serverFor = (deviceIndex: number) => servers[deviceIndex % servers.length] as ServerProcess;
    const devices: LoadDevice[] = [];
    cleanups.push(async () => {
      await Promise.all(devices.map((device) => device.stop()));
      for (const device of devices) device.close();
    });
    const setupStarted = performance.now();
    await eachLimited(
      Array.from({ length: accountCount }, (_, a) => a),
      8,
      async (a) => {
        const first = a * config.devicesPerAccount;
        const last = Math.min(config.devices, first + config.devicesPerAccount);
        const account: AccountCredentials = await registerAccount(
          serverFor(first).url,
          config.rates.timeoutMs,
        );
        const own: LoadDevice[] = [];
        // One after another: a login clears the account's guess counter, parallel ones would be delayed.
        for (let i = first; i < last; i++) {
          own.push(await LoadDevice.signIn(i, serverFor(i).url, account, recorder, config.rates));
        }
        devices.push(...own);
        if (config.seedItems > 0) await own[0]?.seed(config.seedItems);
        for (const device of own) await device.catchUp();
      },
    );
    devices.sort((a, b) => a.index - b.index);
    log(
      `${accountCount} accounts, ${devices.length} devices signed in in ${round1((performance.now() - setupStarted) / 1000)} s`,
    );

    // ---- the run: ramp (devices start one by one), then the measured window ----
    const sampler = new ActivitySampler(admin, dbName);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    recorder.counting = true;
    const rampMs = config.rampSeconds * 1000;
    const started = Date.now();
    devices.forEach((device, i) => {
      setTimeout(() => device.start(), (i / devices.length) * rampMs);
    });
    await sleep(rampMs);
    const loadAtStart = loadavg();
    const window = { from: Date.now(), to: 0 };
    const cpuBefore = await cpuSnapshot(servers);
    recorder.measuring = true;
    sampler.start();
    loopDelay.enable();
    log(`measuring for ${config.durationSeconds} s (ramp took ${round1((Date.now() - started) / 1000)} s)`);
    await sleep(config.durationSeconds * 1000);
    recorder.measuring = false;
    window.to = Date.now();
    loopDelay.disable();
    const cpu = coresUsed(cpuBefore, await cpuSnapshot(servers));
    await sampler.stop();
    const loadAtEnd = loadavg();
    await Promise.all(devices.map((device) => device.stop()));
    recorder.counting = false;

    // ---- every device catches up: each must reach its account's revision ----
    await eachLimited(devices, 20, async (device) => {
      await device.catchUp();
    });
    const revisions = new Map(
      (await owner<{ id: string; revision: string }[]>`select id, revision from accounts`).map((row) => [
        row.id,
        Number(row.revision),
      ]),
    );
    let diverged = 0;
    for (const device of devices) {
      if (device.cursor !== revisions.get(device.accountId)) {
        diverged += 1;
        recorder.fail(
          'check',
          'diverged',
          `device ${device.index} at ${device.cursor}, account at ${revisions.get(device.accountId)}`,
        );
      }
    }

    await Promise.all(servers.map(stopServer));
    const server = await serverSide(servers, window);
    if (server.errors > 0)
      recorder.fail('check', 'server-error-log', `${server.errors} error line(s) in the server logs`);

    // ---- the report ----
    const seconds = (window.to - window.from) / 1000;
    const routes = Object.fromEntries(
      ROUTES.map((route) => [route, summarize(recorder.samples[route])]),
    ) as Record<Route, RouteSummary>;
    const requests = ROUTES.reduce((sum, route) => sum + recorder.samples[route].length, 0);
    const missed: string[] = [];
    for (const route of ROUTES) {
      const summary = routes[route];
      if (summary.count === 0) missed.push(`${route}: no sample`);
      else if (summary.p99Ms > config.objectives.p99Ms) {
        missed.push(`${route}: p99 ${summary.p99Ms} ms > ${config.objectives.p99Ms} ms`);
      }
    }
    if (recorder.errorCount > config.objectives.maxErrors) {
      missed.push(`errors: ${recorder.errorCount} > ${config.objectives.maxErrors}`);
    }
    const la = (xs: number[]) => xs.map((x) => Number(x.toFixed(2)));
    const report = {
      name: 'load',
      date: new Date().toISOString(),
      database: 'postgresql',
      serverRoot: config.serverRoot,
      processes: servers.length,
      devices: devices.length,
      accounts: accountCount,
      devicesPerProcess: servers.map((s) => devices.filter((d) => d.baseUrl === s.url).length),
      durationSeconds: round1(seconds),
      rampSeconds: config.rampSeconds,
      rates: config.rates,
      routes,
      alsoMeasured: Object.fromEntries(
        [...recorder.alsoMeasured].map(([name, values]) => [name, summarize(values)]),
      ),
      throughput: {
        requestsPerSecond: round1(requests / seconds),
        byRoute: Object.fromEntries(ROUTES.map((r) => [r, round1(recorder.samples[r].length / seconds)])),
        pushesAcknowledged: devices.reduce((sum, d) => sum + d.pushes, 0),
        streamsOpened: devices.reduce((sum, d) => sum + d.streamsOpened, 0),
        signIns: devices.reduce((sum, d) => sum + d.signIns, 0),
      },
      errors: {
        total: recorder.errorCount,
        byKind: Object.fromEntries(recorder.errors),
        examples: recorder.examples,
        divergedDevices: diverged,
        staleSocketRetries: devices.reduce((sum, d) => sum + d.staleSocketRetries, 0),
      },
      loadAverage: { beforeSetup: la(loadBefore), atStart: la(loadAtStart), atEnd: la(loadAtEnd) },
      cpu,
      generator: {
        eventLoopDelayP99Ms: round1(loopDelay.percentile(99) / 1e6),
        eventLoopDelayMaxMs: round1(loopDelay.max / 1e6),
        note: 'this process (all devices): its own delays add to every latency above',
      },
      serverLog: server,
      databaseActivity: sampler.report(),
      objectives: config.objectives,
      missed,
      ok: missed.length === 0,
    };
    const json = `${JSON.stringify(report, null, 2)}\n`;
    process.stdout.write(json);
    if (config.out) await writeFile(config.out, json);
    if (missed.length > 0) log(`objectives missed: ${missed.join('; ')}`);
    return missed.length === 0 ? 0 : 1;
  } catch (error) {
    log(`the load test failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 2;
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

process.exit(await main());
