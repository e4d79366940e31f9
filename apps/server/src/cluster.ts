// WEB_CONCURRENCY > 1: a primary process that forks the workers, replaces one that dies, drains
// them all on SIGTERM, and answers /metrics for the whole cluster. Each worker is a full server
// (startServer): its own pool and its own change feed; live sync already crosses processes
// through PostgreSQL's LISTEN/NOTIFY. The workers share the port through node:cluster (the
// primary accepts and hands connections out in turn).
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** What a worker tells the primary. */
type WorkerMessage =
  | { type: 'todo:ready'; url: string }
  | { type: 'todo:scrape'; id: number }
  | { type: 'todo:collected'; id: number; metrics: MetricsJson };

/** What the primary tells a worker. */
type PrimaryMessage =
  | { type: 'todo:shutdown' }
  | { type: 'todo:collect'; id: number }
  | { type: 'todo:scraped'; id: number; text: string };

const isMessage = <T extends { type: string }>(value: unknown): value is T =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

/** How long the primary waits for the workers' series; a worker that does not answer is left out. */
const COLLECT_TIMEOUT_MS = 2_000;

/**
 * Delays before replacing a dead worker: 0.5 s after a first death, doubling with each further
 * death within a minute, up to 30 s, so a worker that crashes on start does not spin the CPU.
 */
export function restartBackoff(now = () => Date.now()) {
  let deaths: number[] = [];
  return (): number => {
    const at = now();
    deaths = [...deaths.filter((time) => at - time < 60_000), at];
    return Math.min(30_000, 500 * 2 ** (deaths.length - 1));
  };
}

export type Supervisor = {
  /** The URL, once every worker of the first set listens. */
  ready: Promise<string>;
  /**
   * Asks every worker to close (each: /readyz 503, then in-flight requests drain) and resolves
   * with the primary's exit code once all have exited: 0 when every one exited cleanly. A
   * worker still running after `timeoutMs` is killed, and the code is 1.
   */
  shutdown(timeoutMs: number): Promise<number>;
};

/**
 * Forks `count` workers (this same program, which sees `cluster.isWorker`) and keeps that many
 * running. The primary holds no database connection and serves no request itself.
 *
 * @example
 * const workers = superviseWorkers({ count: 4, logger });
 * console.log(`serving on ${await workers.ready}`);
 * process.once('SIGTERM', async () => process.exit(await workers.shutdown(20_000)));
 */
export function superviseWorkers({ count, logger }: { count: number; logger: Logger }): Supervisor {
  const aggregate = createCollector(logger);
  const nextDelay = restartBackoff();
  const readyWorkers = new Set<number>();
  const restarts = new Set<NodeJS.Timeout>();
  let stopping = false;
  let markReady: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    markReady = resolve;
  });

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isMessage<WorkerMessage>(message)) return;
      if (message.type === 'todo:ready') {
        readyWorkers.add(worker.id);
        logger.info({ worker: worker.process.pid }, 'worker serving');
        if (readyWorkers.size === count) markReady(message.url);
      } else if (message.type === 'todo:scrape') {
        aggregate().then((text) => send(worker, { type: 'todo:scraped', id: message.id, text }));
      } else if (message.type === 'todo:collected') {
        aggregate.receive(worker, message.id, message.metrics);
      }
    });
    worker.on('exit', (code, signal) => {
      readyWorkers.delete(worker.id);
      if (stopping) return;
      const delay = nextDelay();
      logger.error(
        { worker: worker.process.pid, code, signal, restartInMs: delay },
        'worker died; starting another',
      );
      const timer = setTimeout(() => {
        restarts.delete(timer);
        if (!stopping) fork();
      }, delay);
      restarts.add(timer);
    });
  };
  for (let n = 0; n < count; n++) fork();

  return {
    ready,
    shutdown(timeoutMs) {
      stopping = true;
      for (const timer of restarts) clearTimeout(timer);
      const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
      let clean = true;
      const exits = workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', (code) => {
              if (code !== 0) clean = false;
              resolve();
            });
            send(worker, { type: 'todo:shutdown' });
          }),
      );
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      return Promise.race([Promise.all(exits).then(() => false), timedOut]).then((late) => {
        clearTimeout(timer);
        if (!late) return clean ? 0 : 1;
        for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
        logger.error({ timeoutMs }, 'workers still running after the shutdown timeout: killed');
        return 1;
      });
    },
  };
}

function send(worker: Worker, message: PrimaryMessage) {
  if (worker.isConnected()) worker.send(message);
}

/** The primary's side of a scrape: every live worker's series, summed by prom-client's aggregator. */
function createCollector(logger: Logger) {
  let nextId = 0;
  const pending = new Map<number, (worker: Worker, metrics: MetricsJson) => void>();
  const aggregate = () =>
    new Promise<string>((resolve) => {
      const id = nextId++;
      const workers = Object.values(cluster.workers ?? {}).filter(
        (worker): worker is Worker => worker?.isConnected() === true,
      );
      const answers: MetricsJson[] = [];
      const finish = () => {
        clearTimeout(timer);
        pending.delete(id);
        if (answers.length < workers.length) {
          logger.warn({ answered: answers.length, workers: workers.length }, 'metrics: workers missing');
        }
        AggregatorRegistry.aggregate(answers)
          .metrics()
          .then(resolve, (error: Error) => {
            logger.error({ err: error }, 'metrics: aggregation failed');
            resolve('');
          });
      };
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS);
      pending.set(id, (_worker, metrics) => {
        answers.push(metrics);
        if (answers.length === workers.length) finish();
      });
      for (const worker of workers) send(worker, { type: 'todo:collect', id });
      if (workers.length === 0) finish();
    });
  return Object.assign(aggregate, {
    receive(worker: Worker, id: number, metrics: MetricsJson) {
      pending.get(id)?.(worker, metrics);
    },
  });
}

/**
 * The worker's side: answers the primary's requests for this process's series, and turns a
 * scrape that reached this worker into one of the whole cluster, asked of the primary.
 */
export function workerMetrics(registry: () => Registry | undefined) {
  let nextId = 0;
  const waiting = new Map<number, (text: string) => void>();
  process.on('message', (message: unknown) => {
    if (!isMessage<PrimaryMessage>(message)) return;
    if (message.type === 'todo:collect') {
      const local = registry();
      const answer = local ? local.getMetricsAsJSON() : Promise.resolve([]);
      answer.then((metrics) => workerSend({ type: 'todo:collected', id: message.id, metrics }));
    } else if (message.type === 'todo:scraped') {
      waiting.get(message.id)?.(message.text);
      waiting.delete(message.id);
    }
  });
  return {
    scrape: () =>
      new Promise<string>((resolve) => {
        const id = nextId++;
        // A primary that does not answer (gone, or busy past reason): this worker's own series.
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve(registry()?.metrics() ?? '');
        }, COLLECT_TIMEOUT_MS * 2);
        waiting.set(id, (text) => {
          clearTimeout(timer);
          resolve(text);
        });
        workerSend({ type: 'todo:scrape', id });
      }),
  };
}

/** Calls `stop` when the primary asks this worker to shut down, or goes away. */
export function onPrimaryShutdown(stop: () => void) {
  process.on('message', (message: unknown) => {
    if (isMessage<PrimaryMessage>(message) && message.type === 'todo:shutdown') stop();
  });
  // The primary is gone (killed): nobody will hand this worker connections any more.
  process.on('disconnect', stop);
}

export function workerSend(message: WorkerMessage) {
  if (process.connected) process.send?.(message);
}
