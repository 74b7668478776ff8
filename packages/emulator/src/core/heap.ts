/** A binary min-heap ordered by `due`, ties broken by insertion order (FIFO). */
export class DueHeap<T extends { due: number }> {
  private items: { item: T; seq: number }[] = [];
  private seq = 0;

  get size() {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0]?.item;
  }

  toArray(): T[] {
    return this.items.map((e) => e.item);
  }

  push(item: T) {
    this.items.push({ item, seq: this.seq++ });
    let i = this.items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): T | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (!top || !last) return undefined;
    if (this.items.length > 0) {
      this.items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.items.length && this.less(l, m)) m = l;
        if (r < this.items.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.item;
  }

  /** Removes every item matching the predicate; returns them. */
  removeWhere(predicate: (item: T) => boolean): T[] {
    const removed: T[] = [];
    const kept: T[] = [];
    for (const { item } of this.items.sort((a, b) => a.seq - b.seq))
      (predicate(item) ? removed : kept).push(item);
    this.items = [];
    for (const item of kept) this.push(item);
    return removed;
  }

  private less(a: number, b: number) {
    const x = this.items[a];
    const y = this.items[b];
    return x.item.due < y.item.due || (x.item.due === y.item.due && x.seq < y.seq);
  }

  private swap(a: number, b: number) {
    const t = this.items[a];
    this.items[a] = this.items[b];
    this.items[b] = t;
  }
}
