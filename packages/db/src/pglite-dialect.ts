import type { PGlite } from '@electric-sql/pglite';
import { type DatabaseConnection, type Driver, PGliteDialect, type TransactionSettings } from 'kysely';

/**
 * Kysely's PGlite driver hands its single connection to every caller at once, so a query
 * issued while another request holds a transaction would run inside that transaction.
 * PGlite has exactly one connection: we queue callers so each query or transaction owns it
 * alone until it is released. (Using `db` instead of `trx` inside a transaction therefore
 * waits forever, exactly as it would with a pool of size one.)
 */
class SerializedDriver implements Driver {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(private readonly inner: Driver) {}

  init() {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return this.inner.acquireConnection();
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(connection);
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    return this.inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection) {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection) {
    return this.inner.rollbackTransaction(connection);
  }
  savepoint: Driver['savepoint'] = (...args) => this.inner.savepoint?.(...args) ?? Promise.resolve();
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (...args) =>
    this.inner.rollbackToSavepoint?.(...args) ?? Promise.resolve();
  releaseSavepoint: Driver['releaseSavepoint'] = (...args) =>
    this.inner.releaseSavepoint?.(...args) ?? Promise.resolve();

  destroy() {
    return this.inner.destroy();
  }

  /** Runs `fn` while holding the one connection, for work that bypasses Kysely (migrations). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const connection = await this.acquireConnection();
    try {
      return await fn();
    } finally {
      await this.releaseConnection(connection);
    }
  }
}

export class SerializedPGliteDialect extends PGliteDialect {
  readonly driver: SerializedDriver;

  constructor(readonly pglite: PGlite) {
    super({ pglite });
    this.driver = new SerializedDriver(super.createDriver());
  }

  override createDriver(): Driver {
    return this.driver;
  }
}
