// Racing work against an AbortSignal deadline: the SDK's credential
// providers and retry strategy sleep and retry on their own schedules, which
// a caller's deadline must still cut short.

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
