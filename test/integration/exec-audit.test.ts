// exec's audit events (--log-format json): one JSON object per start and per
// failed start, names and metadata only, that CloudWatch Logs reads as an
// Embedded Metric Format document.
import { ExecFixture, runExec } from "../support/exec";
import { containerField, eventHead } from "../support/audit";
import { emfBlock, emfProblems } from "../support/emf";
import type { CliResult } from "../support/run-cli";

let fx: ExecFixture;

beforeAll(async () => {
  fx = await ExecFixture.create("exec-audit");
});

afterAll(() => fx.destroy());

/** stderr's lines, each parsed as JSON. */
function jsonLines(result: CliResult): Record<string, unknown>[] {
  return result.stderr
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const JSON_LOGS = ["--log-format", "json"];

describe("a start", () => {
  test.concurrent("is one JSON event with its sources, names, host and metrics", async () => {
    const { uri, versionId } = await fx.putVersion("DB_USERNAME=app\nDB_PASSWORD=secret\n");
    const result = await runExec({ flags: JSON_LOGS, sources: [uri], env: { HOSTNAME: "web-1" } });
    expect(result.exitCode).toBe(0);
    const [event, ...rest] = jsonLines(result);
    expect(rest).toEqual([]);
    const ms = event?.ms as number;
    const key = uri.slice(`s3://${fx.bucket}/`.length);
    expect(event).toEqual({
      level: "info",
      msg: "loaded 2 variables",
      event: "start",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as string,
      version: "0.2.0",
      host: "web-1",
      ...containerField(),
      sources: [{ uri, bucket: fx.bucket, key, versionId, kmsKeyArn: fx.kmsKey.arn }],
      variables: 2,
      names: ["DB_USERNAME", "DB_PASSWORD"],
      ms,
      Source: uri,
      Starts: 1,
      StartMs: ms,
      _aws: emfBlock("Source", [
        ["Starts", "Count"],
        ["StartMs", "Milliseconds"],
      ]),
    });
    expect(ms).toBeGreaterThan(0);
  });

  test.concurrent("validates as a CloudWatch Embedded Metric Format document", async () => {
    const uri = await fx.put("A=1\n");
    const result = await runExec({ flags: JSON_LOGS, sources: [uri] });
    expect(result.exitCode).toBe(0);
    const [event] = jsonLines(result);
    expect(emfProblems(event)).toEqual([]);
  });

  test.concurrent("with --audit-no-names: the count, not the names", async () => {
    const uri = await fx.put("DB_USERNAME=app\nDB_PASSWORD=secret\n");
    const result = await runExec({ flags: [...JSON_LOGS, "--audit-no-names"], sources: [uri] });
    const [event] = jsonLines(result);
    expect(event).toMatchObject({ event: "start", variables: 2 });
    expect(event).not.toHaveProperty("names");
  });

  test.concurrent("with two sources: both, in order, and one Source dimension", async () => {
    const first = await fx.put("A=1\n");
    const second = await fx.put("B=2\n");
    const result = await runExec({ flags: JSON_LOGS, sources: [first, second] });
    const [event] = jsonLines(result);
    expect(event).toMatchObject({
      sources: [{ uri: first }, { uri: second }],
      names: ["A", "B"],
      Source: `${first},${second}`,
    });
  });

  test.concurrent("--quiet still writes the event: an audit trail has no log level", async () => {
    const uri = await fx.put("A=1\n");
    const result = await runExec({ flags: [...JSON_LOGS, "--quiet"], sources: [uri] });
    expect(jsonLines(result)).toEqual([expect.objectContaining({ event: "start" })]);
  });

  test.concurrent("in text format: the human line only, no event", async () => {
    const uri = await fx.put("A=1\n");
    const result = await runExec({ sources: [uri] });
    expect(result.stderr).toMatch(/^s3-kms-env: loaded 1 variable \(sources=.* ms=\d+\)\n$/);
  });
});

describe("a failed start", () => {
  test.concurrent(
    "is a start_failed event with the code and the sources asked for, then the error",
    async () => {
      const uri = `s3://${fx.bucket}/exec-audit/missing.env`;
      const result = await runExec({ flags: JSON_LOGS, sources: [uri] });
      expect(result.exitCode).toBe(125);
      const [event, error, ...rest] = jsonLines(result);
      expect(rest).toEqual([]);
      expect(event).toEqual({
        ...eventHead("error", "start failed", "start_failed"),
        sources: [{ uri, bucket: fx.bucket, key: "exec-audit/missing.env" }],
        code: "NO_SUCH_KEY",
        ErrorCode: "NO_SUCH_KEY",
        StartFailures: 1,
        _aws: emfBlock("ErrorCode", [["StartFailures", "Count"]]),
      });
      expect(emfProblems(event)).toEqual([]);
      expect(error).toMatchObject({ level: "error", code: "NO_SUCH_KEY" });
    },
  );

  test.concurrent("a command that is not found is a failed start too", async () => {
    const uri = await fx.put("A=1\n");
    const result = await runExec({
      flags: JSON_LOGS,
      sources: [uri],
      command: ["no-such-command-audit"],
    });
    expect(result.exitCode).toBe(127);
    expect(jsonLines(result)[0]).toMatchObject({
      event: "start_failed",
      code: "COMMAND_NOT_FOUND",
      ErrorCode: "COMMAND_NOT_FOUND",
    });
  });
});
