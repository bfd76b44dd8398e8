// The one resolution of the standard AWS settings that exec and the ops
// commands share (aws/settings.ts adds the command line's to them): region, custom endpoints, FIPS, dual-stack, addressing
// style, CA bundle and proxy, from the environment and the shared profile
// files, in the order the AWS SDK for JavaScript v3 reads them (checked row by
// row against the SDK in test/unit/aws/resolve.test.ts). Where we read
// more than the SDK (AWS_DEFAULT_REGION, ca_bundle, s3.addressing_style, the
// proxy variables) it is what the AWS CLI reads. The profile files are parsed
// (by the SDK's own parser) only when one exists or AWS_PROFILE is set: a
// container with only environment variables never loads it.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { S3KmsEnvError } from "../errors";
import { customHostNeedsPathStyle, resolveS3Endpoint, type S3Endpoint } from "./endpoint";

type Env = Readonly<Record<string, string | undefined>>;
type Section = Readonly<Record<string, string | undefined>>;

export type AddressingStyle = "auto" | "path" | "virtual";
export type Service = "s3" | "kms" | "sts";

/** A setting and where it came from ("AWS_REGION", "profile dev", …), for --debug and errors. */
export interface Sourced<T> {
  readonly value: T;
  readonly source: string;
}

export interface ResolvedAws {
  /** AWS_PROFILE, or "default". */
  readonly profile: string;
  /** Whether that profile exists in the config or credentials file. */
  readonly profileFound: boolean;
  /** Whether AWS_PROFILE names it (a missing default profile is normal). */
  readonly profileExplicit: boolean;
  readonly region: Sourced<string> | undefined;
  readonly useFips: Sourced<boolean>;
  readonly useDualstack: Sourced<boolean>;
  /** Custom endpoint URLs by service; absent for AWS's own. */
  readonly endpoints: Readonly<Partial<Record<Service, Sourced<string>>>>;
  readonly addressingStyle: Sourced<AddressingStyle>;
  /** A PEM file of the CAs to trust instead of Node's (AWS_CA_BUNDLE, ca_bundle). */
  readonly caBundle: Sourced<string> | undefined;
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY and their lower-case forms, as set. */
  readonly proxyEnv: Readonly<Record<string, string>>;
}

const PROXY_VARIABLES = ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"].flatMap((v) => [
  v,
  v.toLowerCase(),
]);

export interface ResolveOptions {
  /** --addressing-style (wins over S3_KMS_ENV_ADDRESSING_STYLE and the profile). */
  readonly addressingStyle?: string | undefined;
}

function configError(message: string): S3KmsEnvError {
  return new S3KmsEnvError("AWS_CONFIG", message);
}

/** The SDK's booleanSelector: exactly "true" or "false" (any case), else an error. */
function flag(value: string | undefined, where: string): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw configError(`${where} must be "true" or "false"`);
}

function awsDir(env: Env): string {
  return join(env.HOME || env.USERPROFILE || homedir(), ".aws");
}

export function configFilePath(env: Env): string {
  return env.AWS_CONFIG_FILE || join(awsDir(env), "config");
}

export function credentialsFilePath(env: Env): string {
  return env.AWS_SHARED_CREDENTIALS_FILE || join(awsDir(env), "credentials");
}

/** The shared config and credentials files' sections, by the parser's key ("dev", "services.NAME"). */
export interface SharedFiles {
  readonly config: Readonly<Record<string, Section | undefined>>;
  readonly credentials: Readonly<Record<string, Section | undefined>>;
}

/**
 * Both files, parsed by the SDK's own parser, only when one exists: a
 * container with only environment variables never loads it.
 */
export async function readSharedFiles(env: Env): Promise<SharedFiles> {
  if (!existsSync(configFilePath(env)) && !existsSync(credentialsFilePath(env))) {
    return { config: {}, credentials: {} };
  }
  const { loadSharedConfigFiles } = await import("@smithy/core/config");
  const files = await loadSharedConfigFiles({
    filepath: credentialsFilePath(env),
    configFilepath: configFilePath(env),
  });
  return { config: files.configFile, credentials: files.credentialsFile };
}

/** A profile's settings, config file over credentials file, as the SDK merges them; undefined when neither has it. */
export function profileOf(files: SharedFiles, name: string): Section | undefined {
  const fromConfig = files.config[name];
  const fromCredentials = files.credentials[name];
  return fromConfig || fromCredentials ? { ...fromCredentials, ...fromConfig } : undefined;
}

interface ProfileFiles {
  readonly profile: Section;
  readonly found: boolean;
  /** Any section of the config file, by the parser's key ("services.NAME"). */
  readonly sections: Readonly<Record<string, Section | undefined>>;
}

async function readProfile(env: Env, name: string): Promise<ProfileFiles> {
  const files = await readSharedFiles(env);
  const profile = profileOf(files, name);
  return { profile: profile ?? {}, found: profile !== undefined, sections: files.config };
}

/** AWS_REGION (the SDK), AWS_DEFAULT_REGION (the CLI; the SDK ignores it), the profile's region. */
function regionFrom(env: Env, profile: Section, profileName: string): Sourced<string> | undefined {
  if (env.AWS_REGION) return { value: env.AWS_REGION, source: "AWS_REGION" };
  if (env.AWS_DEFAULT_REGION)
    return { value: env.AWS_DEFAULT_REGION, source: "AWS_DEFAULT_REGION" };
  if (profile.region) return { value: profile.region, source: `profile ${profileName}` };
  return undefined;
}

/** A setting from the environment, else the profile, else its default; as the SDK's loadConfig. */
function booleanSetting(
  env: Env,
  variable: string,
  profile: Section,
  key: string,
  profileName: string,
): Sourced<boolean> {
  const fromEnv = flag(env[variable], variable);
  if (fromEnv !== undefined) return { value: fromEnv, source: variable };
  const fromProfile = flag(profile[key], `${key} in profile ${profileName}`);
  if (fromProfile !== undefined) return { value: fromProfile, source: `profile ${profileName}` };
  return { value: false, source: "default" };
}

function checkedUrl(value: string, where: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {
    // Reported below.
  }
  throw configError(`${where} is not an http(s) URL`);
}

/**
 * The SDK's order (getEndpointFromConfig): AWS_ENDPOINT_URL_<SERVICE>, then
 * AWS_ENDPOINT_URL, then the profile's services section, then its
 * endpoint_url; none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or the
 * profile's ignore_configured_endpoint_urls) is true.
 */
function endpointFor(
  service: Service,
  env: Env,
  files: ProfileFiles,
  profileName: string,
): Sourced<string> | undefined {
  const variable = `AWS_ENDPOINT_URL_${service.toUpperCase()}`;
  const fromEnv = env[variable]
    ? { value: env[variable], source: variable }
    : env.AWS_ENDPOINT_URL
      ? { value: env.AWS_ENDPOINT_URL, source: "AWS_ENDPOINT_URL" }
      : undefined;
  if (fromEnv) return { value: checkedUrl(fromEnv.value, fromEnv.source), source: fromEnv.source };
  const { profile } = files;
  if (profile.services) {
    const section = files.sections[`services.${profile.services}`];
    if (!section) {
      throw configError(
        `profile ${profileName} names services section "${profile.services}", which is not in the config file`,
      );
    }
    const url = section[`${service}.endpoint_url`];
    if (url) {
      const source = `services ${profile.services} (profile ${profileName})`;
      return { value: checkedUrl(url, `${service} endpoint_url in ${source}`), source };
    }
  }
  if (profile.endpoint_url) {
    const source = `profile ${profileName}`;
    return { value: checkedUrl(profile.endpoint_url, `endpoint_url in ${source}`), source };
  }
  return undefined;
}

const STYLES: readonly string[] = ["auto", "path", "virtual"];

function style(value: string, where: string): AddressingStyle {
  if (!STYLES.includes(value)) throw configError(`${where} must be auto, path or virtual`);
  return value as AddressingStyle;
}

/** --addressing-style, S3_KMS_ENV_ADDRESSING_STYLE, the profile's `s3 = addressing_style` (the CLI's). */
function addressingFrom(
  options: ResolveOptions,
  env: Env,
  profile: Section,
  profileName: string,
): Sourced<AddressingStyle> {
  if (options.addressingStyle !== undefined) {
    return {
      value: style(options.addressingStyle, "--addressing-style"),
      source: "--addressing-style",
    };
  }
  const fromEnv = env.S3_KMS_ENV_ADDRESSING_STYLE;
  if (fromEnv) {
    return {
      value: style(fromEnv, "S3_KMS_ENV_ADDRESSING_STYLE"),
      source: "S3_KMS_ENV_ADDRESSING_STYLE",
    };
  }
  const fromProfile = profile["s3.addressing_style"];
  if (fromProfile) {
    const source = `profile ${profileName}`;
    return { value: style(fromProfile, `s3 addressing_style in ${source}`), source };
  }
  return { value: "auto", source: "default" };
}

/** Region names such as fips-us-gov-west-1 or us-east-1-fips: the SDK strips "fips" and turns FIPS on. */
function fipsRegion(region: string): string | undefined {
  if (region.startsWith("fips-")) return region.slice(5);
  if (region.endsWith("-fips")) return region.slice(0, -5);
  return undefined;
}

export async function resolveAwsSettings(
  env: Env,
  options: ResolveOptions = {},
): Promise<ResolvedAws> {
  const profileName = env.AWS_PROFILE || "default";
  const files = await readProfile(env, profileName);
  const { profile } = files;
  const rawRegion = regionFrom(env, profile, profileName);
  const realRegion = rawRegion && fipsRegion(rawRegion.value);
  const region = realRegion && rawRegion ? { ...rawRegion, value: realRegion } : rawRegion;
  let useFips = booleanSetting(
    env,
    "AWS_USE_FIPS_ENDPOINT",
    profile,
    "use_fips_endpoint",
    profileName,
  );
  if (realRegion && rawRegion)
    useFips = { value: true, source: `${rawRegion.source} (a FIPS region name)` };
  const ignoreEndpoints = booleanSetting(
    env,
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    profile,
    "ignore_configured_endpoint_urls",
    profileName,
  ).value;
  const endpoints: Partial<Record<Service, Sourced<string>>> = {};
  if (!ignoreEndpoints) {
    for (const service of ["s3", "kms", "sts"] as const) {
      const found = endpointFor(service, env, files, profileName);
      if (found) endpoints[service] = found;
    }
  }
  const caBundle = env.AWS_CA_BUNDLE
    ? { value: env.AWS_CA_BUNDLE, source: "AWS_CA_BUNDLE" }
    : profile.ca_bundle
      ? { value: profile.ca_bundle, source: `profile ${profileName}` }
      : undefined;
  return {
    profile: profileName,
    profileFound: files.found,
    profileExplicit: Boolean(env.AWS_PROFILE),
    region,
    useFips,
    useDualstack: booleanSetting(
      env,
      "AWS_USE_DUALSTACK_ENDPOINT",
      profile,
      "use_dualstack_endpoint",
      profileName,
    ),
    endpoints,
    addressingStyle: addressingFrom(options, env, profile, profileName),
    caBundle,
    proxyEnv: Object.fromEntries(
      PROXY_VARIABLES.flatMap((v) => (env[v] === undefined ? [] : [[v, env[v]]])),
    ),
  };
}

/** Whether requests use path style before the rules have their say (the SDK's forcePathStyle). */
export function forcePathStyle(settings: ResolvedAws): boolean {
  const style = settings.addressingStyle.value;
  if (style !== "auto") return style === "path";
  const endpoint = settings.endpoints.s3?.value;
  return endpoint !== undefined && customHostNeedsPathStyle(endpoint);
}

/** AWS_PROFILE names a profile that neither file has. */
export function profileMissing(profile: string): S3KmsEnvError {
  return new S3KmsEnvError(
    "NO_PROFILE",
    `AWS_PROFILE=${profile}: no such profile in the AWS config or credentials file; ` +
      `check the name, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE`,
  );
}

/** The region, or NO_REGION naming every place it could have come from. */
export function requireRegion(settings: ResolvedAws): string {
  if (settings.region) return settings.region.value;
  if (settings.profileExplicit && !settings.profileFound) throw profileMissing(settings.profile);
  throw new S3KmsEnvError(
    "NO_REGION",
    `no AWS region configured: set AWS_REGION, or region in profile ${settings.profile}`,
  );
}

/** Where a bucket's requests go: S3's endpoint rules with our settings. */
export function s3EndpointFor(settings: ResolvedAws, bucket: string): S3Endpoint {
  return resolveS3Endpoint({
    Region: requireRegion(settings),
    Bucket: bucket,
    UseFIPS: settings.useFips.value,
    UseDualStack: settings.useDualstack.value,
    Endpoint: settings.endpoints.s3?.value,
    ForcePathStyle: forcePathStyle(settings),
  });
}
