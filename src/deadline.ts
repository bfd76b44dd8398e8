// One deadline per start (--timeout): credentials, the alias lookup, the
// fetch and every retry share it. The SDK's credential providers and retry
// strategy sleep and retry on their own schedules, which it must still cut
// short.

export interface Deadline {
  /** The whole budget, for messages ("within 1500 ms"). */
  readonly timeoutMs: number;
  /** Aborts when the budget is spent. */
  readonly signal: AbortSignal;
  /** What is left of the budget, in ms (0 once spent). */
  remainingMs(): number;
}

/** Starts the clock now. The timer never keeps the process alive on its own. */
export function startDeadline(timeoutMs: number): Deadline {
  const end = Date.now() + timeoutMs;
  return {
    timeoutMs,
    signal: AbortSignal.timeout(Math.ceil(timeoutMs)),
    remainingMs: () => Math.max(0, end - Date.now()),
  };
}

/** `work`, or `late()` as soon as the signal aborts, whichever comes first. */
export function beforeDeadline<T>(
  work: Promise<T>,
  signal: AbortSignal,
  late: () => Error,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(late());
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
