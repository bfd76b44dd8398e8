// --expand: ${NAME} and $NAME in a value take the value NAME has at that
// point (earlier in the same file, earlier files, or the inherited
// environment). Written here rather than taken from dotenv-expand because
// that package also runs commands for $(…), and no value may ever reach a
// shell. Single- and back-quoted values stay literal; \$ is a literal dollar.
// Errors name the variable, never the reference: what follows a "$" may be
// part of a password that merely contains a dollar sign.
import { S3KmsEnvError, tooLarge } from "../errors";

const REFERENCE = /\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$\{/g;

/**
 * The bytes a file's values may expand to: its --max-size. Doubling through
 * references (B=$A$A, C=$B$B, …) would otherwise build gigabytes from a few
 * kB, so the total is counted before each string is built.
 */
class Budget {
  private used = 0;
  private readonly sizes = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly where: string,
  ) {}

  /** UTF-8 size of a value, remembered: the same value may be referenced many times. */
  sizeOf(value: string): number {
    let size = this.sizes.get(value);
    if (size === undefined) {
      size = Buffer.byteLength(value);
      if (value.length > 64) this.sizes.set(value, size);
    }
    return size;
  }

  spend(name: string, bytes: number): void {
    this.used += bytes;
    if (this.used > this.limit) {
      throw tooLarge(
        `${this.where}: expanding ${name} (--expand) takes the file's values over`,
        this.limit,
      );
    }
  }
}

function undefinedReference(where: string, name: string): S3KmsEnvError {
  return new S3KmsEnvError(
    "PARSE",
    `${where}: ${name} has a $ reference to a variable that is not defined (--expand); ` +
      `single-quote the value or write \\$ if the $ is literal`,
  );
}

/** One value with its references replaced, paying for every piece before joining them. */
function expandOne(
  name: string,
  value: string,
  resolve: (ref: string) => string | undefined,
  budget: Budget,
  where: string,
): string {
  const pieces: string[] = [];
  let last = 0;
  for (const match of value.matchAll(REFERENCE)) {
    const literal = value.slice(last, match.index);
    let piece: string;
    if (match[0] === "\\$") piece = "$";
    else {
      const ref = match[1] ?? match[2];
      if (ref === undefined) {
        throw new S3KmsEnvError("PARSE", `${where}: ${name} has an unterminated \${ in its value`);
      }
      const found = resolve(ref);
      if (found === undefined) throw undefinedReference(where, name);
      piece = found;
    }
    budget.spend(name, budget.sizeOf(literal) + budget.sizeOf(piece));
    pieces.push(literal, piece);
    last = match.index + match[0].length;
  }
  const tail = value.slice(last);
  budget.spend(name, budget.sizeOf(tail));
  pieces.push(tail);
  return pieces.join("");
}

export function expandValues(
  vars: ReadonlyMap<string, string>,
  literal: ReadonlySet<string>,
  lookup: (name: string) => string | undefined,
  where: string,
  maxBytes: number,
): Map<string, string> {
  const out = new Map<string, string>();
  const budget = new Budget(maxBytes, where);
  const resolve = (ref: string): string | undefined => out.get(ref) ?? lookup(ref);
  for (const [name, value] of vars) {
    if (literal.has(name)) {
      budget.spend(name, budget.sizeOf(value));
      out.set(name, value);
    } else {
      out.set(name, expandOne(name, value, resolve, budget, where));
    }
  }
  return out;
}

export interface ExpandableLayer {
  readonly source: string;
  readonly vars: ReadonlyMap<string, string>;
  readonly literal: ReadonlySet<string>;
}

/**
 * Expand every layer in order; a reference sees what the child would see at
 * that point. Each layer's values may expand to at most `maxBytes`.
 */
export function expandLayers<L extends ExpandableLayer>(
  layers: readonly L[],
  inherited: Readonly<Record<string, string | undefined>>,
  precedence: "file" | "env",
  maxBytes: number,
): L[] {
  const fromFiles = new Map<string, string>();
  return layers.map((layer) => {
    const lookup = (name: string): string | undefined =>
      precedence === "env"
        ? (inherited[name] ?? fromFiles.get(name))
        : (fromFiles.get(name) ?? inherited[name]);
    const vars = expandValues(layer.vars, layer.literal, lookup, layer.source, maxBytes);
    for (const [name, value] of vars) fromFiles.set(name, value);
    return { ...layer, vars };
  });
}
