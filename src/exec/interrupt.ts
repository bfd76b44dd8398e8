// Until the app runs, a termination signal must end the start at once. As
// PID 1 (a container's entrypoint) the kernel drops every signal that has no
// handler, so without these listeners `docker stop` during a slow fetch would
// wait for the whole --timeout. SIGQUIT is here too: its default action dumps
// core, and by then the process may hold the secrets.
import { InterruptedError } from "../errors";

export const INTERRUPTING = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR2"] as const;

export interface StartGuard {
  /** Settles like `work`, or rejects with INTERRUPTED (exit 128+N) once a signal arrives. */
  race<T>(work: Promise<T>): Promise<T>;
  /**
   * Stops listening. Not needed before execve, which resets handled signals
   * to their defaults; call it after --spawn's forwarders are in place, so no
   * moment is left in which a signal has its default action.
   */
  release(): void;
}

export function guardStart(): StartGuard {
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = (signal) =>
      reject(
        new InterruptedError(
          signal,
          `interrupted by ${signal} before the app started; it was not started`,
        ),
      );
  });
  // A signal after the guard's work is done must not become an unhandled rejection.
  interrupted.catch(() => {});
  for (const s of INTERRUPTING) process.on(s, onSignal);
  return {
    race: (work) => Promise.race([work, interrupted]),
    release: () => {
      for (const s of INTERRUPTING) process.off(s, onSignal);
    },
  };
}
