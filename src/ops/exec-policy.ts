// What exec would accept: the same strict parser and the same refused names
// (with exec's defaults: no --only/--prefix), so a file that uploads is a
// file that starts.
import { parseEnvFile, type ParsedEnv } from "../envfile/parse";
import { checkNames, defaultPolicy } from "../policy/policy";

export function checkExecNames(
  where: string,
  vars: ReadonlyMap<string, string>,
  allowNames: ReadonlySet<string>,
): void {
  checkNames([{ source: where, vars }], defaultPolicy(allowNames));
}

export function parseForExec(
  bytes: Uint8Array,
  where: string,
  maxBytes: number,
  allowNames: ReadonlySet<string>,
): ParsedEnv {
  const parsed = parseEnvFile(bytes, where, maxBytes);
  checkExecNames(where, parsed.vars, allowNames);
  return parsed;
}
