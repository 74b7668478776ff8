import {
  closeSync,
  existsSync,
  fchmodSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

export type Doc = { sid: string } & Record<string, any>;

/**
 * The emulator's state: named collections of documents keyed by SID, in memory.
 * With a data directory every write is appended to a journal synchronously (so a kill -9 of the
 * emulator loses nothing it answered), and the journal is compacted into a snapshot on start.
 */
export class Store {
  private readonly collections = new Map<string, Map<string, Doc>>();
  private fd: number | null = null;
  private readonly file: string | null;

  constructor(dataDir?: string) {
    this.file = dataDir ? join(dataDir, "emulator.jsonl") : null;
    if (!dataDir || !this.file) return;
    // The journal holds every account's auth token: owner-only, whatever the umask.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (existsSync(this.file)) this.replay(readFileSync(this.file, "utf8"));
    const compacted = `${this.file}.tmp`;
    const fd = openSync(compacted, "w", 0o600);
    fchmodSync(fd, 0o600); // a .tmp left by a crash keeps its old mode when reopened
    for (const [name, docs] of this.collections) {
      for (const doc of docs.values()) writeSync(fd, `${JSON.stringify({ c: name, d: doc })}\n`);
    }
    closeSync(fd);
    renameSync(compacted, this.file);
    this.fd = openSync(this.file, "a", 0o600);
  }

  private replay(text: string) {
    for (const line of text.split("\n")) {
      if (!line) continue;
      let entry: { c: string; d?: Doc; del?: string };
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // a torn last line after a crash
      }
      if (entry.d) this.coll(entry.c).set(entry.d.sid, entry.d);
      else if (entry.del) this.coll(entry.c).delete(entry.del);
    }
  }

  private coll(name: string): Map<string, Doc> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }

  private append(entry: object) {
    if (this.fd !== null) writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  get<T extends Doc>(collection: string, sid: string): T | undefined {
    return this.collections.get(collection)?.get(sid) as T | undefined;
  }

  /** Inserts or replaces a document and journals it. Returns the document. */
  put<T extends Doc>(collection: string, doc: T): T {
    this.coll(collection).set(doc.sid, doc);
    this.append({ c: collection, d: doc });
    return doc;
  }

  /** Applies a partial update and journals the whole document. */
  patch<T extends Doc>(collection: string, sid: string, changes: Partial<T>): T | undefined {
    const doc = this.get<T>(collection, sid);
    if (!doc) return undefined;
    Object.assign(doc, changes);
    this.append({ c: collection, d: doc });
    return doc;
  }

  delete(collection: string, sid: string): boolean {
    const existed = this.collections.get(collection)?.delete(sid) ?? false;
    if (existed) this.append({ c: collection, del: sid });
    return existed;
  }

  /** Documents in insertion order, optionally filtered. */
  list<T extends Doc>(collection: string, filter?: (doc: T) => boolean): T[] {
    const docs = [...(this.collections.get(collection)?.values() ?? [])] as T[];
    return filter ? docs.filter(filter) : docs;
  }

  find<T extends Doc>(collection: string, filter: (doc: T) => boolean): T | undefined {
    for (const doc of this.collections.get(collection)?.values() ?? []) {
      if (filter(doc as T)) return doc as T;
    }
    return undefined;
  }

  clear() {
    this.collections.clear();
    if (this.fd !== null && this.file) {
      closeSync(this.fd);
      this.fd = openSync(this.file, "w", 0o600);
    }
  }

  close() {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
