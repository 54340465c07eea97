/** Thrown by withDeadline when the work outlives its budget (the work itself goes on, unobserved). */
export class DeadlineExceededError extends Error {
  constructor(readonly budgetMs: number) {
    super(`No result within ${budgetMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Settles like `work`, or rejects with DeadlineExceededError after `ms`. For answers that must
 * leave in time (Twilio gives up at 15 s) while a dependency hangs: a late rejection of `work`
 * is swallowed, its late result ignored.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  if (!Number.isFinite(ms)) return work; // no deadline configured
  if (ms <= 0) {
    work.catch(() => undefined);
    return Promise.reject(new DeadlineExceededError(ms));
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(ms)), ms);
    timer.unref();
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** What is left of a request's budget once `elapsedMs` have passed (Fastify's reply.elapsedTime). */
export function remainingMs(budgetMs: number | undefined, elapsedMs: number | undefined): number {
  if (budgetMs === undefined || !Number.isFinite(budgetMs)) return Infinity;
  return Math.max(0, Math.floor(budgetMs - (elapsedMs ?? 0)));
}
