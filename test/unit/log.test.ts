import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger, serverText } from "../../src/log";

describe("serverText", () => {
  test.each([
    ["NoSuchKey", "NoSuchKey"],
    ["a\nb\r\tc", "a?b??c"],
    ["\u001b[2Jcleared", "?[2Jcleared"],
    ["caf\u00e9 \u202e", "caf? ?"],
    ["x".repeat(64), "x".repeat(64)],
    ["x".repeat(65), `${"x".repeat(61)}...`],
  ])("%j → %j", (text, shown) => {
    expect(serverText(text)).toBe(shown);
  });
});

describe("the text logger writes one line whatever it is given", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-log-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function logged(write: (log: ReturnType<typeof createLogger>) => void): string {
    const file = path.join(dir, `${Math.random()}.log`);
    const fd = openSync(file, "w");
    try {
      write(createLogger("text", "info", fd));
    } finally {
      closeSync(fd);
    }
    return readFileSync(file, "utf8");
  }

  test("a newline in the message is escaped", () => {
    expect(logged((log) => log.error("one\ns3-kms-env: loaded 9 variables"))).toBe(
      "s3-kms-env: error: one\\ns3-kms-env: loaded 9 variables\n",
    );
  });

  test("control characters in a field value are escaped", () => {
    expect(logged((log) => log.info("loaded", { sources: ["s3://b/k\u001b[2J\r"] }))).toBe(
      "s3-kms-env: loaded (sources=s3://b/k\\u001b[2J\\u000d)\n",
    );
  });
});

describe("audit events", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-audit-log-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function logged(format: "text" | "json", level: "quiet" | "info"): string {
    const file = path.join(dir, `${Math.random()}.log`);
    const fd = openSync(file, "w");
    try {
      createLogger(format, level, fd).audit("info", "loaded 1 variable", { event: "start" });
    } finally {
      closeSync(fd);
    }
    return readFileSync(file, "utf8");
  }

  test("in json, one object, even with --quiet", () => {
    expect(logged("json", "quiet")).toBe(
      '{"level":"info","msg":"loaded 1 variable","event":"start"}\n',
    );
  });

  test("in text, nothing: the human line is the caller's", () => {
    expect(logged("text", "info")).toBe("");
  });
});
