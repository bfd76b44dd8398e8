import { stackFrames } from "../../../src/cli/main";

describe("stackFrames", () => {
  test("keeps only frame lines, never any line of a multi-line message", () => {
    const err = new Error("first line\nCANARY-7f3a second line\n    not at a frame either");
    const frames = stackFrames(err);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.startsWith("at "))).toBe(true);
    expect(frames.join("\n")).not.toContain("CANARY-7f3a");
  });
});

describe("stackFrames cuts the stack at the end of the message", () => {
  test('a message line that looks like a frame ("    at …") is not a frame', () => {
    const err = new Error("first\n    at CANARY-b41c (secret.js:1:1)");
    const frames = stackFrames(err);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.join("\n")).not.toContain("CANARY-b41c");
  });

  test("a message changed after the stack was taken: no frames rather than a guess", () => {
    const err = new Error("first\n    at CANARY-9e0d");
    void err.stack; // V8 writes the stack out on first read, with the message of that moment.
    err.message = "something else";
    expect(stackFrames(err)).toEqual([]);
  });
});
