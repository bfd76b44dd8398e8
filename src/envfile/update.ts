// An env file's text changed the way a person would change it, for set and
// unset: comments, blank lines, `export ` prefixes, quoting and the order of
// untouched lines are kept. A changed value is rewritten in place (the whole
// span of a multi-line value, its `export ` and indentation kept), a new name
// is appended at the end, a removed name's line(s) are deleted (every
// occurrence, duplicates included). Errors name variables, never values.
import type { EnvLayout } from "./parse";
import { quoteValue } from "./serialize";

const PREFIX = /^[ \t]*(?:export[ \t]+)?/;

/** The text that reads as `vars`, made from `layout` with as little change as possible. */
export function updateEnvText(layout: EnvLayout, vars: ReadonlyMap<string, string>): string {
  const { text, spans } = layout;
  const names = new Set(vars.keys());
  const last = new Map<string, number>();
  spans.forEach((span, i) => last.set(span.name, i));
  let out = "";
  let pos = 0;
  spans.forEach((span, i) => {
    out += text.slice(pos, span.start);
    pos = span.start;
    const value = vars.get(span.name);
    if (value === undefined) {
      // Removed: the entry and the newline that ends it.
      pos = Math.min(span.end + 1, text.length);
      return;
    }
    if (last.get(span.name) !== i || layout.vars.get(span.name) === value) return;
    const prefix = PREFIX.exec(text.slice(span.start, span.end))?.[0] ?? "";
    out += `${prefix}${span.name}=${quoteValue(span.name, value, names)}`;
    pos = span.end;
  });
  out += text.slice(pos);
  let added = "";
  for (const [name, value] of vars) {
    if (!layout.vars.has(name)) added += `${name}=${quoteValue(name, value, names)}\n`;
  }
  if (added === "") return out;
  return out === "" || out.endsWith("\n") ? out + added : `${out}\n${added}`;
}
