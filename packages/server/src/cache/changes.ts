import type { Db, Listening } from "../db/db.js";
import type { Caches, ChangeName } from "./cache.js";

/**
 * How every process hears that something it caches changed. Tables whose rows are cached
 * announce each change themselves (triggers, db/migrations/0003_change_feed.sql): PostgreSQL
 * delivers the NOTIFY to every listening process when the changing transaction commits, so no
 * writer can forget to tell, and no process keeps serving what a committed change replaced.
 * A lost listening connection clears every cache and shortens their lives until it is back.
 *
 * The process that made a change also applies it at once (`caches.changed(…)` after its
 * commit), so its very next request sees it without waiting for its own notification.
 */
export class ChangeFeed {
  private listening: Listening | null = null;

  constructor(
    private readonly db: Db,
    private readonly caches: Caches,
  ) {}

  async start(): Promise<void> {
    if (this.listening) return;
    const { schema } = await this.db.one<{ schema: string }>("SELECT current_schema() AS schema");
    this.listening = await this.db.listen(
      `subtext_changes_${schema}`,
      (payload) => {
        const at = payload.indexOf(":");
        const name = (at < 0 ? payload : payload.slice(0, at)) as ChangeName;
        const key = at < 0 ? "" : payload.slice(at + 1);
        this.caches.changed(name, key === "" ? undefined : key);
      },
      (state) => {
        // Whatever was announced meanwhile is lost: forget everything, when lost and when back.
        this.caches.clear();
        this.caches.setDegraded(state === "lost");
      },
    );
  }

  async stop(): Promise<void> {
    await this.listening?.close();
    this.listening = null;
  }
}
