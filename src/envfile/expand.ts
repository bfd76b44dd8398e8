// --expand: ${NAME} and $NAME in a value take the value NAME has at that
// point (earlier in the same file, earlier files, or the inherited
// environment). Written here rather than taken from dotenv-expand because
// that package also runs commands for $(…), and no value may ever reach a
// shell. Single- and back-quoted values stay literal; \$ is a literal dollar.
// Errors name the variable, never the reference: what follows a "$" may be
// part of a password that merely contains a dollar sign.
import { EnvFileError } from "../errors";

const REFERENCE = /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\{/g;

export function expandValues(
  vars: ReadonlyMap<string, string>,
  literal: ReadonlySet<string>,
  lookup: (name: string) => string | undefined,
  where: string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of vars) {
    if (literal.has(name)) {
      out.set(name, value);
      continue;
    }
    const expanded = value.replace(REFERENCE, (match, braced?: string, bare?: string) => {
      if (match === "\\$") return "$";
      const ref = braced ?? bare;
      if (ref === undefined) {
        throw new EnvFileError("PARSE", `${where}: ${name} has an unterminated \${ in its value`);
      }
      const found = out.get(ref) ?? lookup(ref);
      if (found === undefined) {
        throw new EnvFileError(
          "PARSE",
          `${where}: ${name} has a $ reference to a variable that is not defined (--expand); ` +
            `single-quote the value or write \\$ if the $ is literal`,
        );
      }
      return found;
    });
    out.set(name, expanded);
  }
  return out;
}

export interface ExpandableLayer {
  readonly source: string;
  readonly vars: ReadonlyMap<string, string>;
  readonly literal: ReadonlySet<string>;
}

/** Expand every layer in order; a reference sees what the child would see at that point. */
export function expandLayers<L extends ExpandableLayer>(
  layers: readonly L[],
  inherited: Readonly<Record<string, string | undefined>>,
  precedence: "file" | "env",
): L[] {
  const fromFiles = new Map<string, string>();
  return layers.map((layer) => {
    const lookup = (name: string): string | undefined =>
      precedence === "env"
        ? (inherited[name] ?? fromFiles.get(name))
        : (fromFiles.get(name) ?? inherited[name]);
    const vars = expandValues(layer.vars, layer.literal, lookup, layer.source);
    for (const [name, value] of vars) fromFiles.set(name, value);
    return { ...layer, vars };
  });
}
