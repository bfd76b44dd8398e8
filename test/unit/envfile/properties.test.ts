import fc from "fast-check";
import {
  checkParse,
  checkSerialize,
  envFile,
  text,
  values,
} from "../../support/envfile-properties";

// Bounded here; scripts/fuzz-parse.mjs runs the same properties for longer.
const RUNS = { numRuns: 3000, seed: 13 };

describe("env-file properties (fast-check)", () => {
  test("a file built from NAME=value lines is read as dotenv reads it, or refused by line number", () => {
    fc.assert(
      fc.property(envFile, (file) => void checkParse(file)),
      RUNS,
    );
  });

  test("arbitrary text is read as dotenv reads it, or refused by line number", () => {
    fc.assert(
      fc.property(text, (file) => void checkParse(file)),
      RUNS,
    );
  });

  test("what the serializer writes reads back identically, with and without --expand", () => {
    fc.assert(
      fc.property(values, (vars) => void checkSerialize(vars)),
      RUNS,
    );
  });
});
