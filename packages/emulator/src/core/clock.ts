/**
 * Emulated time: real time, scaled, plus an offset that `advance` moves forward.
 * now() = anchorEmulated + (Date.now() - anchorReal) * scale.
 */
export class Clock {
  private anchorReal = Date.now();
  private anchorEmulated: number;
  private scaleFactor = 1;

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
  }

  /** Moves emulated time to `ms` if that is in the future. */
  jumpTo(ms: number) {
    if (ms > this.now()) this.rebase(ms);
  }

  private rebase(emulated: number) {
    this.anchorReal = Date.now();
    this.anchorEmulated = emulated;
  }
}
