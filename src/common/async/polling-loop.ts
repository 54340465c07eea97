export interface PollingLoopOptions<T> {
  /** Milliseconds between rounds; 0 or less: no timer (rounds run only when kicked). */
  intervalMs: number;
  /** One round of work. */
  run: () => Promise<T>;
  /** Where a round's error goes when nobody awaits the round (timer and kick). */
  onError: (err: unknown) => void;
  /** A kick during a round runs another round right after it (work arrived that the round may have missed). */
  rerunWhenKicked?: boolean;
  /** Checked before each round the timer or a kick starts (e.g. not while the instance drains). */
  mayRun?: () => boolean;
}

/**
 * The timer, single-flight and stop of a background loop, in one place: at most one round runs at
 * a time, a stopped loop starts none, and stop() waits for the round in flight (graceful drain).
 * The timer is unref'd: it never keeps the process alive on its own.
 */
export class PollingLoop<T = unknown> {
  private timer?: NodeJS.Timeout;
  private current?: Promise<T>;
  private again = false;
  private halted = false;

  constructor(private readonly options: PollingLoopOptions<T>) {}

  /** True while a round runs. */
  get running(): boolean {
    return this.current !== undefined;
  }

  /** True once stop() was called: a long round may check it to end early. */
  get stopped(): boolean {
    return this.halted;
  }

  start(): void {
    if (this.halted || this.timer || this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => this.kick(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Starts a round soon, without waiting for it; safe to call as often as wanted. */
  kick(): void {
    if (this.halted) return;
    if (this.current) {
      if (this.options.rerunWhenKicked) this.again = true;
      return;
    }
    if (this.options.mayRun && !this.options.mayRun()) return;
    void this.launch().then(
      () => this.afterRound(),
      (err: unknown) => {
        this.options.onError(err);
        this.afterRound();
      },
    );
  }

  /** One round now, unless one is running or the loop is stopped (then undefined); its error rejects. */
  async tryRun(): Promise<T | undefined> {
    if (this.halted || this.current) return undefined;
    return this.launch();
  }

  /** Waits for the round in flight, then runs one more and resolves with its result; its error rejects. */
  async runNow(): Promise<T> {
    while (this.current) await this.current.catch(() => undefined);
    return this.launch();
  }

  /** No more rounds; resolves once the round in flight (if any) has ended. */
  async stop(): Promise<void> {
    this.halted = true;
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.current) await this.current.catch(() => undefined);
  }

  private launch(): Promise<T> {
    const round = this.options.run().finally(() => {
      if (this.current === round) this.current = undefined;
    });
    this.current = round;
    return round;
  }

  private afterRound(): void {
    if (!this.again) return;
    this.again = false;
    this.kick();
  }
}
