import {
  opsEvent,
  startEvent,
  writeFailedEvent,
  type AuditContext,
} from "../../../src/audit/event";
import { withEmf } from "../../../src/audit/emf";
import { parseS3Uri } from "../../../src/s3/location";
import { emfProblems } from "../../support/emf";

function context(names: boolean): AuditContext {
  return {
    version: "9.9.9",
    host: { host: "web-1", container: undefined },
    names,
    now: () => new Date("2026-11-30T12:00:00.000Z"),
    elapsedMs: () => 41.6,
  };
}

const loc = parseS3Uri("s3://acme-config/prod/api.env");
const caller = {
  arn: "arn:aws:iam::111122223333:user/ops",
  account: "111122223333",
  userId: "AIDA",
};
const changes = { added: ["NEW"], changed: ["DB_PASSWORD"], removed: ["OLD", "OLDER"] };

describe("opsEvent", () => {
  test("names the names added, changed and removed, with their counts and the caller", () => {
    const source = {
      uri: loc.uri,
      bucket: loc.bucket,
      key: loc.key,
      versionId: "v2",
      previousVersionId: "v1",
    };
    expect(
      opsEvent(context(true), "set", { sources: [source], variables: 5, changes }, caller),
    ).toEqual({
      event: "set",
      time: "2026-11-30T12:00:00.000Z",
      version: "9.9.9",
      host: "web-1",
      ms: 42,
      sources: [source],
      variables: 5,
      changes: { added: 1, changed: 1, removed: 2 },
      added: ["NEW"],
      changed: ["DB_PASSWORD"],
      removed: ["OLD", "OLDER"],
      caller,
    });
  });

  test("with names turned off: the counts only", () => {
    const event = opsEvent(context(false), "unset", { sources: [], changes }, caller);
    expect(event.changes).toEqual({ added: 1, changed: 1, removed: 2 });
    expect(event).not.toHaveProperty("added");
    expect(event).not.toHaveProperty("removed");
  });
});

describe("withEmf", () => {
  test("an ops write counts Writes by Operation, as a valid EMF document", () => {
    const doc = withEmf(opsEvent(context(true), "put", { sources: [], names: ["A"] }, caller), 1);
    expect(doc).toMatchObject({ Operation: "put", Writes: 1 });
    expect(emfProblems(doc)).toEqual([]);
  });

  test("a failed write counts WriteFailures by Operation and by ErrorCode, as a valid EMF document", () => {
    const doc = withEmf(writeFailedEvent(context(true), "set", [], "CONFLICT", caller), 1);
    expect(doc).toMatchObject({ Operation: "set", ErrorCode: "CONFLICT", WriteFailures: 1 });
    expect(emfProblems(doc)).toEqual([]);
  });

  test("a Source dimension longer than CloudWatch takes is cut at 1024 characters", () => {
    const long = parseS3Uri(`s3://acme-config/${"k".repeat(1100)}`);
    const doc = withEmf(startEvent(context(true), [long], [], []), 1);
    expect((doc.Source as string).length).toBe(1024);
    expect(emfProblems(doc)).toEqual([]);
  });

  test("the check itself refuses a metric that is missing at the root", () => {
    const doc = withEmf(startEvent(context(true), [loc], [], []), 1) as Record<string, unknown>;
    delete doc.StartMs;
    expect(emfProblems(doc)).toEqual(["metric StartMs has no numeric value at the root"]);
  });
});
