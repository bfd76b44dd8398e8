// What exec and render share: the source, trust and policy options, and the
// steps from fetch to a checked set of variables (fetch and verify every
// source, parse, --expand, the policy). Defined once so that a file render
// writes is exactly what exec would start the app with.
import type { ParseArgsOptionsConfig } from "node:util";
import { usageError } from "../errors";
import type { Logger } from "../log";
import { chunkCacheState } from "../boot/lazy-load";
import { expandLayers } from "../envfile/expand";
import {
  buildChildEnv,
  type ChildEnv,
  type PolicyOptions,
  type RefusalAction,
} from "../policy/policy";
import { loadSources, type LoadedSource, type SourceLocation } from "../fetch/sources";
import { isFileUri, parseFileUri } from "../fetch/file-source";
import { sealedRoom } from "../sealed/lazy";
import { parseS3Uri, splitUriList } from "../s3/location";
import { execTrustedKeys, type DevOptOuts, type EncryptionPolicy } from "../s3/encryption";
import { readerKeySpecs } from "../aws/settings";
import type { ResolvedAws } from "../aws/resolve";
import type { Deadline } from "../deadline";
import {
  commonOptions,
  keySpecs,
  listValues,
  settingsFrom,
  type CommonValues,
  type Env,
} from "./options";
import { contextPairs } from "../sealed/context";
import { discoveryFrom, openOptions } from "./sealed-options";

/** The options exec and render both take. */
export const sourceOptions = {
  ...commonOptions,
  "allow-name": { type: "string", multiple: true },
  only: { type: "string", multiple: true },
  prefix: { type: "string", multiple: true },
  require: { type: "string", multiple: true },
  expand: { type: "boolean" },
  "insecure-any-kms-key": { type: "boolean" },
  ...openOptions,
  "require-sealed": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

export interface SourceValues extends CommonValues {
  "allow-name"?: string[] | undefined;
  only?: string[] | undefined;
  prefix?: string[] | undefined;
  require?: string[] | undefined;
  expand?: boolean | undefined;
  "insecure-any-kms-key"?: boolean | undefined;
  context?: string[] | undefined;
  "discovery-account"?: string[] | undefined;
  "require-sealed"?: boolean | undefined;
}

/** The URIs given, else S3_KMS_ENV_URI's; `missing` is the usage message when there are none. */
export function sourcesFrom(
  positionals: readonly string[],
  env: Env,
  missing: string,
): SourceLocation[] {
  const uris = positionals.length > 0 ? positionals : splitUriList(env.S3_KMS_ENV_URI ?? "");
  if (uris.length === 0) throw usageError(missing);
  return uris.map((uri) => (isFileUri(uri) ? parseFileUri(uri) : parseS3Uri(uri)));
}

/** --allow-name, --only, --prefix, --require (with their environment variables). */
export function filterPolicy(
  values: SourceValues,
  env: Env,
): Pick<PolicyOptions, "allowNames" | "only" | "prefixes" | "require"> {
  const only = listValues(values.only, env.S3_KMS_ENV_ONLY);
  return {
    allowNames: new Set(listValues(values["allow-name"], env.S3_KMS_ENV_ALLOW_NAMES)),
    only: only.length > 0 ? new Set(only) : undefined,
    prefixes: listValues(values.prefix, env.S3_KMS_ENV_PREFIX),
    require: listValues(values.require, env.S3_KMS_ENV_REQUIRE),
  };
}

/** Key names as given; undefined: any key (--insecure-any-kms-key). Checked before any lookup. */
export function trustedFrom(values: SourceValues, env: Env): readonly string[] | undefined {
  const optOuts: DevOptOuts = {
    anyKey: values["insecure-any-kms-key"] === true,
    allowUnencrypted: values["insecure-allow-unencrypted"] === true,
  };
  const named = readerKeySpecs(keySpecs(values, env));
  if (optOuts.anyKey && named.length > 0) {
    throw usageError(
      "give either trusted keys (--kms-key-id, S3_KMS_ENV_KMS_KEY_ID) or --insecure-any-kms-key, not both",
    );
  }
  return execTrustedKeys(named, optOuts);
}

export interface CheckRequest {
  readonly locations: readonly SourceLocation[];
  readonly values: SourceValues;
  readonly env: Env;
  readonly policy: PolicyOptions;
  readonly trusted: readonly string[] | undefined;
  /** What `$NAME` sees under --expand besides the files. */
  readonly expandBase: Env;
  /** What the variables go on top of: exec's inherited environment, or nothing (render). */
  readonly inherited: Env;
  /** The wording of a refusal. */
  readonly action: RefusalAction;
}

export interface Checked {
  readonly sources: readonly LoadedSource[];
  readonly child: ChildEnv;
  /** The TLS and proxy settings the fetch used: --notify's POST uses them too. */
  readonly aws: ResolvedAws;
  /** The start's one deadline, which --notify's POST must also keep. */
  readonly deadline: Deadline;
}

// Every run, not once: a development setting that reaches production must show in its logs.
function warnOptOuts(log: Logger, encryption: EncryptionPolicy): void {
  if (encryption.allowUnencrypted) {
    log.warn(
      "--insecure-allow-unencrypted: objects without SSE-KMS are accepted (development only)",
    );
  }
  if (encryption.trustedKeys === undefined) {
    log.warn(
      "no trusted KMS key: objects under any KMS key are accepted, the AWS-managed aws/s3 key " +
        "included, which anyone with s3:PutObject can write under (development only); " +
        "name your key with --kms-key-id or S3_KMS_ENV_KMS_KEY_ID",
    );
  }
}

function warnUncheckedKeys(log: Logger, sources: readonly LoadedSource[]): void {
  for (const s of sources) {
    if (s.kmsKeyArn !== undefined)
      log.warn(`${s.source} is under KMS key ${s.kmsKeyArn}, not checked against a trusted key`);
  }
}

/** Sources fetched, verified, parsed, expanded, and the policy applied. */
export async function loadChecked(req: CheckRequest, log: Logger): Promise<Checked> {
  const settings = await settingsFrom(req.values, req.env, log);
  const encryption: EncryptionPolicy = {
    allowUnencrypted: settings.allowUnencrypted,
    trustedKeys: req.trusted && (await settings.resolveKeys(req.trusted)),
  };
  warnOptOuts(log, encryption);
  // Who may have sealed a source: --discovery-account's accounts, else the trusted keys.
  const sealed = sealedRoom(
    {
      context: contextPairs(req.values.context ?? []),
      maxBytes: settings.s3.maxBytes,
      discovery: discoveryFrom(req.values),
    },
    settings.kms,
  );
  const loaded = await loadSources(req.locations, {
    s3: settings.s3,
    encryption,
    sealed,
    requireSealed: req.values["require-sealed"] === true,
  }).finally(() => sealed.destroy());
  if (encryption.trustedKeys === undefined) warnUncheckedKeys(log, loaded);
  if (loaded.some((s) => s.sealedWith !== undefined))
    log.debug("sealed chunk", { code_cache: chunkCacheState("sealed") });
  const sources = req.values.expand
    ? expandLayers(loaded, req.expandBase, req.policy.precedence, settings.s3.maxBytes)
    : loaded;
  for (const s of sources) {
    if (s.duplicates.length > 0)
      log.warn(`${s.source} sets a name more than once; the last wins`, { names: s.duplicates });
  }
  const child = buildChildEnv(req.inherited, sources, req.policy, req.action);
  if (child.kept.length > 0)
    log.verbose("kept inherited values (--precedence env)", { names: child.kept });
  if (child.filtered.length > 0)
    log.verbose("left out by --only/--prefix", { names: child.filtered });
  return { sources, child, aws: settings.s3.aws, deadline: settings.s3.deadline };
}

/** Each source as the `loaded` line names it: URI, version, KMS key, and the sealing key. */
export function describeSources(sources: readonly LoadedSource[]): string[] {
  return sources.map(
    (s) =>
      `${s.source} version=${s.versionId ?? "-"} kms=${s.kmsKeyArn ?? s.serverSideEncryption ?? "none"}` +
      (s.sealedWith === undefined ? "" : ` sealed=${s.sealedWith}`),
  );
}
