// The audit event: one JSON object per exec start (or failed start) and per
// ops write, built from what the command already knows. Names and metadata
// only, never a value: URIs, version ids, KMS key ARNs, variable names (unless
// turned off), counts, an error code, a duration, where it ran and who wrote.
// Plain functions: the caller passes the facts, the clock and the host.
import type { FileLocation } from "../fetch/file-source";
import type { S3Location } from "../s3/location";
import type { HostFacts } from "./host";

export type AuditEventType =
  | "start"
  | "start_failed"
  | "put"
  | "set"
  | "unset"
  | "edit"
  | "rollback"
  | "rekey"
  | "write_failed";

/** The ops commands that write: each write's event has its name. */
export type OpsEventType = Exclude<AuditEventType, "start" | "start_failed" | "write_failed">;

/** One object an event is about. */
export interface AuditSource {
  readonly uri: string;
  /** An S3 object's bucket and key; a file:// source has its path instead. */
  readonly bucket?: string;
  readonly key?: string;
  readonly path?: string;
  /** exec: the version read; ops: the version written. */
  readonly versionId?: string;
  /** Ops: the version that was current before the write, when the command read it. */
  readonly previousVersionId?: string;
  /** rollback: the old version brought back. */
  readonly restoredVersionId?: string;
  readonly kmsKeyArn?: string;
  /** A sealed source's (or object's) sealing key, beside its SSE-KMS key. */
  readonly sealedKmsKeyArn?: string;
  /** rekey: the key the object was under before. */
  readonly previousKmsKeyArn?: string;
  /** rekey of a sealed object: the key it was sealed under before (the one that opened it). */
  readonly previousSealedKmsKeyArn?: string;
}

/** Who made an ops write: STS GetCallerIdentity's answer, or why it is unknown. */
export type Caller =
  | { readonly arn: string; readonly account: string; readonly userId: string }
  | { readonly arn: "unknown"; readonly reason: string };

export interface NameChanges {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export interface AuditEvent {
  readonly event: AuditEventType;
  /** ISO 8601, UTC. */
  readonly time: string;
  readonly version: string;
  readonly host?: string;
  readonly container?: string;
  readonly sources: readonly AuditSource[];
  /** How many variables the start applied, or the written file holds. */
  readonly variables?: number;
  /** The names the start applied, or the written file holds (start, put). */
  readonly names?: readonly string[];
  /** Counts of names added, changed and removed by a write that read the object first. */
  readonly changes?: { readonly added: number; readonly changed: number; readonly removed: number };
  readonly added?: readonly string[];
  readonly changed?: readonly string[];
  readonly removed?: readonly string[];
  /** write_failed: the ops command whose write failed. */
  readonly operation?: OpsEventType;
  /** The error code of a failed start or write. */
  readonly code?: string;
  /** From the process's start to the event, in ms. */
  readonly ms: number;
  readonly caller?: Caller;
}

/** What every event of one run shares. */
export interface AuditContext {
  readonly version: string;
  readonly host: HostFacts;
  /** False when names are treated as sensitive (--audit-no-names): counts only. */
  readonly names: boolean;
  readonly now: () => Date;
  /** ms since the process started. */
  readonly elapsedMs: () => number;
}

/** What exec knows of a source it loaded. */
export interface LoadedFacts {
  readonly source: string;
  readonly versionId: string | undefined;
  readonly kmsKeyArn: string | undefined;
  /** The key a sealed source was sealed under. */
  readonly sealedWith?: string | undefined;
}

function defined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

function common(ctx: AuditContext, event: AuditEventType): Omit<AuditEvent, "sources"> {
  return defined({
    event,
    time: ctx.now().toISOString(),
    version: ctx.version,
    host: ctx.host.host,
    container: ctx.host.container,
    ms: Math.round(ctx.elapsedMs()),
  });
}

/** An s3:// location as an event names it; `facts` adds what reading or writing it told. */
export function auditSource(
  loc: S3Location,
  facts: Omit<AuditSource, "uri" | "bucket" | "key" | "path"> = {},
): AuditSource {
  return defined({
    uri: loc.uri,
    bucket: loc.bucket,
    key: loc.key,
    ...facts,
    versionId: facts.versionId ?? loc.versionId,
  });
}

/** A source of exec's: an S3 object, or a sealed file:// path. */
function startSource(
  loc: S3Location | FileLocation,
  facts: Partial<LoadedFacts> = {},
): AuditSource {
  const sealedKmsKeyArn = facts.sealedWith;
  if (!("path" in loc)) {
    const { versionId, kmsKeyArn } = facts;
    return auditSource(loc, { versionId, kmsKeyArn, sealedKmsKeyArn });
  }
  return defined({ uri: loc.uri, path: loc.path, kmsKeyArn: facts.kmsKeyArn, sealedKmsKeyArn });
}

/** A start: the sources as read, and the names the app got. */
export function startEvent(
  ctx: AuditContext,
  locations: readonly (S3Location | FileLocation)[],
  loaded: readonly LoadedFacts[],
  applied: readonly string[],
): AuditEvent {
  return defined({
    ...common(ctx, "start"),
    sources: locations.map((loc, i) => startSource(loc, loaded[i])),
    variables: applied.length,
    names: ctx.names ? [...applied] : undefined,
  });
}

/** A start that failed with `code`: the sources as asked for. */
export function startFailedEvent(
  ctx: AuditContext,
  locations: readonly (S3Location | FileLocation)[],
  code: string,
): AuditEvent {
  return {
    ...common(ctx, "start_failed"),
    sources: locations.map((loc) => startSource(loc)),
    code,
  };
}

/** What an ops write did. */
export interface OpsWrite {
  readonly sources: readonly AuditSource[];
  readonly variables?: number;
  /** put: every name of the file written (put does not read what it replaces). */
  readonly names?: readonly string[];
  /** set, unset, edit: the names the write added, changed and removed. */
  readonly changes?: NameChanges;
}

export function opsEvent(
  ctx: AuditContext,
  type: OpsEventType,
  write: OpsWrite,
  caller: Caller,
): AuditEvent {
  const { changes } = write;
  return defined({
    ...common(ctx, type),
    sources: write.sources,
    variables: write.variables,
    names: ctx.names && write.names ? [...write.names] : undefined,
    changes: changes && {
      added: changes.added.length,
      changed: changes.changed.length,
      removed: changes.removed.length,
    },
    ...(ctx.names && changes
      ? { added: changes.added, changed: changes.changed, removed: changes.removed }
      : {}),
    caller,
  });
}

/**
 * An ops write that failed with `code` (refused, conflict, denied, …): the
 * objects it was to write, as asked for, and who tried.
 */
export function writeFailedEvent(
  ctx: AuditContext,
  operation: OpsEventType,
  sources: readonly AuditSource[],
  code: string,
  caller: Caller,
): AuditEvent {
  return { ...common(ctx, "write_failed"), operation, sources, code, caller };
}
