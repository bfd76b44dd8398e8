import { stackFrames } from "../../src/cli/run";

describe("stackFrames", () => {
  test("keeps only frame lines, never any line of a multi-line message", () => {
    const err = new Error("first line\nCANARY-7f3a second line\n    not at a frame either");
    const frames = stackFrames(err);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.startsWith("at "))).toBe(true);
    expect(frames.join("\n")).not.toContain("CANARY-7f3a");
  });
});
