import { expandValues } from "../../../src/envfile/expand";

const expand = (
  vars: Record<string, string>,
  inherited: Record<string, string> = {},
  literal: string[] = [],
) =>
  Object.fromEntries(
    expandValues(
      new Map(Object.entries(vars)),
      new Set(literal),
      (n) => inherited[n],
      "s3://b/k",
      1024 * 1024,
    ),
  );

describe("expandValues", () => {
  test("expands ${NAME} from an earlier entry of the same file", () => {
    expect(expand({ USER: "app", URL: "postgres://${USER}@db" })).toEqual({
      USER: "app",
      URL: "postgres://app@db",
    });
  });

  test("expands $NAME from the inherited environment", () => {
    expect(expand({ DIR: "$HOME/data" }, { HOME: "/srv" })).toEqual({ DIR: "/srv/data" });
  });

  test("keeps a single-quoted value literal", () => {
    expect(expand({ P: "a$HOME" }, { HOME: "/srv" }, ["P"])).toEqual({ P: "a$HOME" });
  });

  test("turns \\$ into a literal dollar", () => {
    expect(expand({ P: "cost \\$5" })).toEqual({ P: "cost $5" });
  });

  test("refuses a reference to an undefined name, naming the variable but not the reference", () => {
    expect(() => expand({ DB_PASSWORD: "Xk9$Zq7wLm2pR" })).toThrow(
      "s3://b/k: DB_PASSWORD has a $ reference to a variable that is not defined (--expand); single-quote the value or write \\$ if the $ is literal",
    );
  });

  test("keeps a back-quoted value literal", () => {
    expect(expand({ P: "a$HOME" }, { HOME: "/srv" }, ["P"])).toEqual({ P: "a$HOME" });
  });

  test("refuses an unterminated ${", () => {
    expect(() => expand({ URL: "x${NAME" })).toThrow(
      expect.objectContaining({ code: "PARSE" }) as Error,
    );
  });

  test("never runs $(…): it stays as text", () => {
    expect(expand({ P: "$(echo hi)" })).toEqual({ P: "$(echo hi)" });
  });
});

describe("expandValues bounds the output by the size limit", () => {
  const doubling = (steps: number) => {
    const vars = new Map([["V0", "x"]]);
    for (let i = 1; i <= steps; i++) vars.set(`V${i}`, `$V${i - 1}$V${i - 1}`);
    return vars;
  };

  test("refuses a doubling chain past the limit, naming the variable and the limit", () => {
    expect(() => expandValues(doubling(40), new Set(), () => undefined, "s3://b/k", 1024)).toThrow(
      expect.objectContaining({
        code: "TOO_LARGE",
        message:
          "s3://b/k: expanding V10 (--expand) takes the file's values over the 1024-byte limit; raise --max-size if this is intended",
      }) as Error,
    );
  });

  test("accepts a file whose values expand to exactly the limit", () => {
    // 1 + 2 + 4 + … + 512 = 1023 bytes, plus one more byte for W.
    const vars = doubling(9).set("W", "y");
    expect(expandValues(vars, new Set(), () => undefined, "s3://b/k", 1024).get("V9")).toBe(
      "x".repeat(512),
    );
  });

  test("counts literal values too", () => {
    expect(() =>
      expandValues(new Map([["P", "ab"]]), new Set(["P"]), () => undefined, "s3://b/k", 1),
    ).toThrow(expect.objectContaining({ code: "TOO_LARGE" }) as Error);
  });
});
