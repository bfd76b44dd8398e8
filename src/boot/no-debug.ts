// The proxy agent's `debug` logger, replaced in the build: with DEBUG=* in the
// environment the real one would print the proxy URL, credentials included.
const noop = (): void => {};
export default function debug(): typeof noop {
  return noop;
}
