import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Catches `db.query()` (or a nested `db.tx()`) issued inside a `db.tx()` callback. On PGlite,
 * which has one connection, that waits for the transaction that is waiting for it: a silent
 * deadlock. On PostgreSQL it would run outside the transaction. Both are bugs, so both
 * engines refuse it with a message that names the fix.
 */
interface OpenTx {
  owner: object;
  open: boolean;
}

const current = new AsyncLocalStorage<OpenTx>();

export function runInTxScope<T>(owner: object, fn: () => Promise<T>): Promise<T> {
  const scope: OpenTx = { owner, open: true };
  return current.run(scope, () => fn().finally(() => (scope.open = false)));
}

export function assertNotInsideTx(owner: object, what: string): void {
  const scope = current.getStore();
  if (scope?.open && scope.owner === owner) {
    throw new Error(`${what} called inside db.tx(): use the transaction handle passed to the callback`);
  }
}
