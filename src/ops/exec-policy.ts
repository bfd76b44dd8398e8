// What exec would accept: the same strict parser and the same refused names
// (with exec's defaults: no --only/--prefix), so a file that uploads is a
// file that starts. Every refused name is reported at once, in words that fit
// the command (upload or verify).
import { parseEnvFile, type ParsedEnv } from "../envfile/parse";
import { checkNames, defaultPolicy, type RefusalAction } from "../policy/policy";

export function checkExecNames(
  where: string,
  vars: ReadonlyMap<string, string>,
  allowNames: ReadonlySet<string>,
  action: RefusalAction,
): void {
  checkNames([{ source: where, vars }], defaultPolicy(allowNames), action);
}

export function parseForExec(
  bytes: Uint8Array,
  where: string,
  maxBytes: number,
  allowNames: ReadonlySet<string>,
): ParsedEnv {
  const parsed = parseEnvFile(bytes, where, maxBytes);
  // Every caller is about to write these bytes (put, set, unset, edit).
  checkExecNames(where, parsed.vars, allowNames, "upload");
  return parsed;
}
