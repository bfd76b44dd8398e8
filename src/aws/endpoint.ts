// Where a GetObject of a plain bucket goes: the subset of S3's endpoint rules
// (the `smithy.rules#endpointRuleSet` the AWS SDKs generate their resolvers
// from) that applies to a bucket name — region, partition, FIPS, dual-stack,
// a custom endpoint, path or virtual-host style — as one pure function. The
// SDK's own rule engine (~100 KB with S3's decision diagram) stays out of the
// start; test/unit/aws/resolve.test.ts checks this function against
// it, and test/unit/aws/endpoint.test.ts against AWS's published cases.
// Not covered (exec never sends them): ARNs, access points, S3 Express,
// Outposts, Object Lambda, Transfer Acceleration, the legacy global endpoint.
import { S3KmsEnvError } from "../errors";

/** What the rules read; the names are the rule set's parameters. */
export interface S3EndpointParams {
  readonly Region: string | undefined;
  readonly Bucket: string;
  readonly UseFIPS?: boolean | undefined;
  readonly UseDualStack?: boolean | undefined;
  /** A custom endpoint URL (AWS_ENDPOINT_URL…, a profile's endpoint_url). */
  readonly Endpoint?: string | undefined;
  readonly ForcePathStyle?: boolean | undefined;
}

export interface S3Endpoint {
  /** The bucket's URL, as the SDK's resolver returns it: the key's path goes after it. */
  readonly url: string;
  /** True when the bucket is in the path, not the host name. */
  readonly pathStyle: boolean;
  /** The region requests are signed for (us-east-1 for aws-global). */
  readonly signingRegion: string;
}

/** A configuration the rules refuse (AWS_CONFIG), with the rule set's own message. */
function endpointError(ruleMessage: string): S3KmsEnvError {
  return new S3KmsEnvError("AWS_CONFIG", `cannot reach S3 with these settings: ${ruleMessage}`);
}

interface Partition {
  readonly id: string;
  readonly regionRegex: RegExp;
  /** Region names listed in the partition that its regex does not match. */
  readonly extraRegions: readonly string[];
  readonly dnsSuffix: string;
  readonly dualStackDnsSuffix: string;
  readonly supportsFIPS: boolean;
  readonly supportsDualStack: boolean;
}

// From @aws-sdk/core's partitions.js (util-endpoints), in its order: the
// unit test compares partitionOf with the SDK's partition() so drift shows.
const PARTITIONS: readonly Partition[] = [
  p("aws", /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/, ["aws-global"], "amazonaws.com", "api.aws"),
  p(
    "aws-cn",
    /^cn-\w+-\d+$/,
    ["aws-cn-global"],
    "amazonaws.com.cn",
    "api.amazonwebservices.com.cn",
  ),
  p("aws-eusc", /^eusc-(de)-\w+-\d+$/, [], "amazonaws.eu", "api.amazonwebservices.eu"),
  p("aws-iso", /^us-iso-\w+-\d+$/, ["aws-iso-global"], "c2s.ic.gov", "api.aws.ic.gov"),
  p("aws-iso-b", /^us-isob-\w+-\d+$/, ["aws-iso-b-global"], "sc2s.sgov.gov", "api.aws.scloud"),
  p(
    "aws-iso-e",
    /^eu-isoe-\w+-\d+$/,
    ["aws-iso-e-global"],
    "cloud.adc-e.uk",
    "api.cloud-aws.adc-e.uk",
  ),
  p("aws-iso-f", /^us-isof-\w+-\d+$/, ["aws-iso-f-global"], "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
  p("aws-us-gov", /^us-gov-\w+-\d+$/, ["aws-us-gov-global"], "amazonaws.com", "api.aws"),
];

function p(
  id: string,
  regionRegex: RegExp,
  extraRegions: string[],
  dnsSuffix: string,
  dualStackDnsSuffix: string,
): Partition {
  return {
    id,
    regionRegex,
    extraRegions,
    dnsSuffix,
    dualStackDnsSuffix,
    supportsFIPS: true,
    supportsDualStack: true,
  };
}

/** The partition of a region, as the SDK's partition(): listed names, then regexes, then aws. */
export function partitionOf(region: string): Partition {
  return (
    PARTITIONS.find((part) => part.extraRegions.includes(region)) ??
    PARTITIONS.find((part) => part.regionRegex.test(region)) ??
    (PARTITIONS[0] as Partition)
  );
}

const HOST_LABEL = /^(?!.*-$)(?!-)[a-zA-Z0-9-]{1,63}$/;
const IPV4 =
  /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/;

function isIpAddress(host: string): boolean {
  return IPV4.test(host) || (host.startsWith("[") && host.endsWith("]"));
}

/** aws.isVirtualHostableS3Bucket: a DNS-safe bucket name (with dots, when allowed). */
export function isVirtualHostableBucket(bucket: string, allowSubDomains = false): boolean {
  if (allowSubDomains) return bucket.split(".").every((label) => isVirtualHostableBucket(label));
  return (
    HOST_LABEL.test(bucket) &&
    bucket.length >= 3 &&
    bucket.length <= 63 &&
    bucket === bucket.toLowerCase() &&
    !isIpAddress(bucket)
  );
}

/** The rules' uriEncode: encodeURIComponent plus !'()*. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

interface ParsedUrl {
  readonly scheme: string;
  readonly authority: string;
  readonly path: string;
  readonly normalizedPath: string;
  readonly isIp: boolean;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/** The rules' parseURL: http(s) only, no query; an explicit default port is kept. */
function parseUrl(value: string): ParsedUrl | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.search) return undefined;
  const scheme = url.protocol.slice(0, -1);
  const defaultPort = DEFAULT_PORTS[scheme];
  if (defaultPort === undefined) return undefined;
  const explicitDefault =
    url.href.includes(`${url.host}:${defaultPort}`) || value.includes(`${url.host}:${defaultPort}`);
  // The rule set's path is the URL's as written: none for "http://host" (WHATWG says "/").
  const path = url.pathname === "/" && !value.endsWith("/") ? "" : url.pathname;
  return {
    scheme,
    authority: `${url.host}${explicitDefault ? `:${defaultPort}` : ""}`,
    path,
    normalizedPath: url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`,
    isIp: isIpAddress(url.hostname),
  };
}

/** S3's endpoint rules for a plain bucket: the URL of the bucket, or the rules' error. */
export function resolveS3Endpoint(params: S3EndpointParams): S3Endpoint {
  const { Region: region, Bucket: bucket, Endpoint: endpoint } = params;
  const fips = params.UseFIPS === true;
  const dualStack = params.UseDualStack === true;
  if (!region) throw endpointError("A region must be set when sending requests to S3.");
  if (endpoint !== undefined && fips) {
    throw endpointError("A custom endpoint cannot be combined with FIPS");
  }
  if (endpoint !== undefined && dualStack) {
    throw endpointError("Cannot set dual-stack in combination with a custom endpoint.");
  }
  const partition = partitionOf(region);
  const url = endpoint === undefined ? undefined : parseUrl(endpoint);
  if (endpoint !== undefined && url === undefined) {
    throw endpointError(`Custom endpoint \`${endpoint}\` was not a valid URI`);
  }
  if (!HOST_LABEL.test(region)) {
    throw endpointError("Invalid region: region was not a valid DNS name.");
  }
  // S3's rules refuse FIPS in China whatever the partition table says.
  if (fips && (!partition.supportsFIPS || partition.id === "aws-cn")) {
    throw endpointError("Partition does not support FIPS");
  }
  if (dualStack && !partition.supportsDualStack) {
    throw endpointError("S3 does not support Dual-stack");
  }
  const global = region === "aws-global";
  const signingRegion = global ? "us-east-1" : region;
  const virtual =
    params.ForcePathStyle !== true &&
    !(url?.isIp ?? false) &&
    (isVirtualHostableBucket(bucket) ||
      (url?.scheme === "http" && isVirtualHostableBucket(bucket, true)));
  if (url) {
    return virtual
      ? {
          url: `${url.scheme}://${bucket}.${url.authority}${url.path}`,
          pathStyle: false,
          signingRegion,
        }
      : {
          url: `${url.scheme}://${url.authority}${url.normalizedPath}${uriEncode(bucket)}`,
          pathStyle: true,
          signingRegion,
        };
  }
  const host =
    global && !fips && !dualStack
      ? `s3.${partition.dnsSuffix}`
      : `s3${fips ? "-fips" : ""}${dualStack ? ".dualstack" : ""}.${signingRegion}.${partition.dnsSuffix}`;
  return virtual
    ? { url: `https://${bucket}.${host}`, pathStyle: false, signingRegion }
    : { url: `https://${host}/${uriEncode(bucket)}`, pathStyle: true, signingRegion };
}

/**
 * Where our "auto" addressing style departs from the SDK's: a custom
 * endpoint named by a host name a bucket cannot be put in front of — a
 * single label (http://minio:9000, docker-compose service names),
 * `localhost` or a `.localhost` name — gets path style. The SDK would send
 * `bucket.minio:9000`, which no resolver answers. IP endpoints are path
 * style in the rules already.
 */
export function customHostNeedsPathStyle(endpoint: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (hostname.endsWith(".")) hostname = hostname.slice(0, -1);
  return (
    !hostname.includes(".") ||
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    isIpAddress(hostname)
  );
}

/**
 * A service's regional AWS URL, for what depends only on scheme and host
 * (TLS, proxy and NO_PROXY): the SDK's client picks the exact host itself.
 */
export function awsServiceUrl(service: "s3" | "kms" | "sts", region: string): URL {
  return new URL(`https://${service}.${region}.${partitionOf(region).dnsSuffix}`);
}

/** What KMS's endpoint rules read; the names are the rule set's parameters. */
export interface KmsEndpointParams {
  readonly Region: string | undefined;
  readonly UseFIPS?: boolean | undefined;
  readonly UseDualStack?: boolean | undefined;
  /** A custom endpoint URL (AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, a profile's endpoint_url). */
  readonly Endpoint?: string | undefined;
}

/** A configuration KMS's rules refuse (AWS_CONFIG), with the rule set's own message. */
function kmsEndpointError(ruleMessage: string): S3KmsEnvError {
  return new S3KmsEnvError("AWS_CONFIG", `cannot reach KMS with these settings: ${ruleMessage}`);
}

/**
 * KMS's endpoint rules (the SDK's client-kms endpoint/bdd.js), whole: a
 * custom endpoint as given, else kms[-fips].REGION. and the partition's
 * DNS suffix, its dual-stack one with UseDualStack (no `.dualstack` label,
 * unlike S3). test/unit/aws/kms-endpoint.test.ts checks it against the
 * SDK's own resolver.
 */
export function resolveKmsEndpoint(params: KmsEndpointParams): URL {
  const { Region: region, Endpoint: endpoint } = params;
  const fips = params.UseFIPS === true;
  const dualStack = params.UseDualStack === true;
  if (endpoint !== undefined) {
    if (fips)
      throw kmsEndpointError("Invalid Configuration: FIPS and custom endpoint are not supported");
    if (dualStack) {
      throw kmsEndpointError(
        "Invalid Configuration: Dualstack and custom endpoint are not supported",
      );
    }
    return new URL(endpoint);
  }
  if (!region) throw kmsEndpointError("Invalid Configuration: Missing Region");
  const partition = partitionOf(region);
  const suffix = dualStack ? partition.dualStackDnsSuffix : partition.dnsSuffix;
  return new URL(`https://kms${fips ? "-fips" : ""}.${region}.${suffix}`);
}
