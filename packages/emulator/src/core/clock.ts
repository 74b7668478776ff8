/**
 * Emulated time: real time, scaled, plus an offset that `advance` moves forward.
 * now() = anchorEmulated + (Date.now() - anchorReal) * scale.
 */
export class Clock {
  private anchorReal = Date.now();
  private anchorEmulated: number;
  private scaleFactor = 1;
  private readonly listeners = new Set<() => void>();

  constructor(offsetMs = 0) {
    this.anchorEmulated = this.anchorReal + offsetMs;
  }

  now(): number {
    return Math.floor(this.anchorEmulated + (Date.now() - this.anchorReal) * this.scaleFactor);
  }

  get scale() {
    return this.scaleFactor;
  }

  /** Emulated ms ahead of real time (persisted so time never goes backwards across restarts). */
  get offset() {
    return this.now() - Date.now();
  }

  setScale(scale: number) {
    this.rebase(this.now());
    this.scaleFactor = scale;
    this.changed();
  }

  /** Moves emulated time to `ms` if that is in the future. */
  jumpTo(ms: number) {
    if (ms <= this.now()) return;
    this.rebase(ms);
    this.changed();
  }

  /**
   * Calls `listener` whenever time jumps forward or changes pace, so that a program sharing
   * this clock (Subtext's sandbox) runs at once what became due. Returns the unsubscribe.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        console.error("[emulator] clock listener failed:", err);
      }
    }
  }

  private rebase(emulated: number) {
    this.anchorReal = Date.now();
    this.anchorEmulated = emulated;
  }
}
