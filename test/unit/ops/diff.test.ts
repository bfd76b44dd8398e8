import { diffVars, isSame } from "../../../src/ops/diff";

const env = (o: Record<string, string>) => new Map(Object.entries(o));

describe("diffVars", () => {
  test("sorts names into added, removed and changed, and counts the rest", () => {
    const diff = diffVars(
      env({ KEEP: "1", OLD: "x", MOD: "a" }),
      env({ MOD: "b", KEEP: "1", NEW: "y" }),
    );
    expect(diff).toEqual({ added: ["NEW"], removed: ["OLD"], changed: ["MOD"], unchanged: 1 });
    expect(isSame(diff)).toBe(false);
  });

  test("treats the same variables in another order as the same", () => {
    expect(isSame(diffVars(env({ A: "1", B: "2" }), env({ B: "2", A: "1" })))).toBe(true);
  });

  test("sees an emptied value as a change", () => {
    expect(diffVars(env({ A: "1" }), env({ A: "" })).changed).toEqual(["A"]);
  });

  test("lists names in code-point order", () => {
    expect(diffVars(env({}), env({ b: "", B: "", a_1: "", A: "" })).added).toEqual([
      "A",
      "B",
      "a_1",
      "b",
    ]);
  });
});
