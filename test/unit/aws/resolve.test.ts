// The AWS SDK for JavaScript v3 is the oracle: each row's environment and
// profile files (in a temp HOME of its own) go through our resolution
// (src/aws/resolve.ts + endpoint.ts, what exec uses) and through a real
// S3Client that reads the same environment and files itself and builds a
// signed GetObject, captured by a request handler that never sends it. A
// third column is the S3Client the ops commands build from our settings
// (src/ops/s3-client.ts): it must land where exec does. Rows where we
// deliberately differ from the SDK say why.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { HttpRequest } from "@smithy/types";
import { resolveAwsSettings, s3EndpointFor } from "../../../src/aws/resolve";
import { sdkS3Client } from "../../../src/ops/s3-client";
import { capture, captured, credentials, type Env, withEnv } from "../../support/sdk-oracle";

interface Row {
  readonly name: string;
  readonly env: Env;
  readonly config?: string;
  readonly credentials?: string;
  readonly bucket?: string;
  /** Set where we deliberately differ: why, and what we resolve instead. */
  readonly differs?: { readonly why: string; readonly ours: string };
}

const KEY = "app/prod.env";
const WITH_KEY = `/${KEY}`;

type Outcome = { url: string; signingRegion: string } | { error: true };

function outcomeOf(request: HttpRequest): Outcome {
  const port = request.port === undefined ? "" : `:${request.port}`;
  if (!request.path.endsWith(WITH_KEY)) throw new Error(`unexpected path ${request.path}`);
  const scope = /Credential=[^/]+\/\d+\/([^/]+)\/s3\//.exec(request.headers.authorization ?? "");
  return {
    url: `${request.protocol}//${request.hostname}${port}${request.path.slice(0, -WITH_KEY.length)}`,
    signingRegion: scope?.[1] ?? "?",
  };
}

function send(client: S3Client, bucket: string): Promise<Outcome> {
  return captured(
    client,
    () => client.send(new GetObjectCommand({ Bucket: bucket, Key: KEY })),
    outcomeOf,
  );
}

async function sdk(row: Row, bucket: string): Promise<Outcome> {
  return withEnv(row, () =>
    send(new S3Client({ credentials, maxAttempts: 1, requestHandler: capture }), bucket),
  );
}

async function ours(row: Row, bucket: string): Promise<Outcome> {
  return withEnv(row, async (env) => {
    try {
      const settings = await resolveAwsSettings(env);
      const { url, signingRegion } = s3EndpointFor(settings, bucket);
      // As s3-get.ts sends it: the key goes after the path without its trailing slash.
      return { url: new URL(url).href.replace(/\/$/, ""), signingRegion };
    } catch {
      return { error: true };
    }
  });
}

async function ops(row: Row, bucket: string): Promise<Outcome> {
  return withEnv(row, async (env) => {
    let client: S3Client;
    try {
      const settings = await resolveAwsSettings(env);
      client = await sdkS3Client({
        aws: settings,
        credentials: () => Promise.resolve(credentials),
        timeoutMs: 1000,
        maxAttempts: 1,
      });
    } catch {
      return { error: true };
    }
    // The ops client's own handler would send: swap in the capturing one.
    client.config.requestHandler = capture;
    return send(client, bucket);
  });
}

const DOTS = "config.example.com";
const DASHES = "acme-config-2";
const R = (region: string): Env => ({ AWS_REGION: region });

const ROWS: Row[] = [
  // Regions and partitions, virtual host.
  { name: "us-east-1", env: R("us-east-1") },
  { name: "eu-west-1", env: R("eu-west-1") },
  { name: "cn-north-1 (aws-cn)", env: R("cn-north-1") },
  { name: "us-gov-west-1 (aws-us-gov)", env: R("us-gov-west-1") },
  { name: "ap-southeast-2", env: R("ap-southeast-2"), bucket: "a-b-c" },
  { name: "aws-global", env: R("aws-global") },
  { name: "us-iso-east-1 (aws-iso)", env: R("us-iso-east-1") },
  { name: "eusc-de-east-1 (aws-eusc)", env: R("eusc-de-east-1") },
  // Bucket names: dots break the TLS wildcard, so path style on https.
  { name: "dots, us-east-1", env: R("us-east-1"), bucket: DOTS },
  { name: "dots, eu-west-1", env: R("eu-west-1"), bucket: DOTS },
  { name: "dots, cn-north-1", env: R("cn-north-1"), bucket: DOTS },
  { name: "dots, us-gov-west-1", env: R("us-gov-west-1"), bucket: DOTS },
  { name: "upper case: path style", env: R("eu-west-1"), bucket: "Acme-Config" },
  { name: "two letters: path style", env: R("eu-west-1"), bucket: "ab" },
  // FIPS and dual-stack, from the environment.
  { name: "FIPS us-east-1", env: { ...R("us-east-1"), AWS_USE_FIPS_ENDPOINT: "true" } },
  { name: "FIPS us-gov-west-1", env: { ...R("us-gov-west-1"), AWS_USE_FIPS_ENDPOINT: "true" } },
  { name: "FIPS cn-north-1", env: { ...R("cn-north-1"), AWS_USE_FIPS_ENDPOINT: "true" } },
  {
    name: "FIPS with dots",
    env: { ...R("us-gov-west-1"), AWS_USE_FIPS_ENDPOINT: "true" },
    bucket: DOTS,
  },
  { name: "dual-stack eu-west-1", env: { ...R("eu-west-1"), AWS_USE_DUALSTACK_ENDPOINT: "true" } },
  {
    name: "dual-stack cn-north-1",
    env: { ...R("cn-north-1"), AWS_USE_DUALSTACK_ENDPOINT: "true" },
  },
  {
    name: "FIPS and dual-stack us-east-1",
    env: { ...R("us-east-1"), AWS_USE_FIPS_ENDPOINT: "true", AWS_USE_DUALSTACK_ENDPOINT: "true" },
  },
  { name: "region fips-us-gov-west-1", env: R("fips-us-gov-west-1") },
  { name: "region us-east-1-fips", env: R("us-east-1-fips") },
  { name: "FIPS false explicitly", env: { ...R("us-east-1"), AWS_USE_FIPS_ENDPOINT: "false" } },
  // Region from profiles.
  { name: "profile region only", env: {}, config: "[default]\nregion = eu-west-1\n" },
  {
    name: "AWS_PROFILE's region",
    env: { AWS_PROFILE: "dev" },
    config: "[default]\nregion = eu-west-1\n[profile dev]\nregion = cn-north-1\n",
  },
  {
    name: "AWS_REGION beats the profile's",
    env: R("us-gov-west-1"),
    config: "[default]\nregion = eu-west-1\n",
  },
  {
    name: "region in the credentials file",
    env: {},
    credentials: "[default]\nregion = eu-west-1\n",
  },
  {
    name: "AWS_CONFIG_FILE elsewhere",
    env: { AWS_CONFIG_FILE: "<HOME>/elsewhere" },
    config: "",
  },
  {
    name: "profile FIPS",
    env: {},
    config: "[default]\nregion = us-gov-west-1\nuse_fips_endpoint = true\n",
  },
  {
    name: "profile dual-stack",
    env: {},
    config: "[default]\nregion = eu-west-1\nuse_dualstack_endpoint = true\n",
  },
  {
    name: "env FIPS false beats profile true",
    env: { AWS_USE_FIPS_ENDPOINT: "false" },
    config: "[default]\nregion = us-east-1\nuse_fips_endpoint = true\n",
  },
  {
    name: "no region anywhere: both refuse",
    env: {},
  },
  {
    name: "AWS_REGION beats AWS_DEFAULT_REGION",
    env: { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "us-east-1" },
  },
  {
    name: "AWS_DEFAULT_REGION only",
    env: { AWS_DEFAULT_REGION: "eu-west-1" },
    differs: {
      why: "the AWS CLI reads AWS_DEFAULT_REGION (after AWS_REGION); the JS SDK does not and fails",
      ours: "https://acme-config-2.s3.eu-west-1.amazonaws.com",
    },
  },
  // Custom endpoints.
  {
    name: "IP endpoint: path style",
    env: { ...R("us-east-1"), AWS_ENDPOINT_URL: "http://127.0.0.1:9000" },
  },
  {
    name: "dotted custom host: virtual",
    env: { ...R("eu-west-1"), AWS_ENDPOINT_URL: "https://s3.example.net" },
  },
  {
    name: "dotted custom host, dotted bucket, https: path",
    env: { ...R("eu-west-1"), AWS_ENDPOINT_URL: "https://s3.example.net" },
    bucket: DOTS,
  },
  {
    name: "dotted custom host, dotted bucket, http: virtual",
    env: { ...R("eu-west-1"), AWS_ENDPOINT_URL: "http://s3.example.net:8080" },
    bucket: DOTS,
  },
  {
    name: "custom endpoint with a path",
    env: { ...R("eu-west-1"), AWS_ENDPOINT_URL: "https://gw.example.net/storage" },
  },
  {
    name: "explicit default port kept",
    env: { ...R("eu-west-1"), AWS_ENDPOINT_URL: "https://s3.example.net:443" },
  },
  {
    name: "single-label host (docker-compose minio)",
    env: { ...R("us-east-1"), AWS_ENDPOINT_URL: "http://minio:9000" },
    differs: {
      why: "the SDK sends acme-config-2.minio:9000, which no resolver answers; the AWS CLI users of MinIO set path style",
      ours: "http://minio:9000/acme-config-2",
    },
  },
  {
    name: "localhost",
    env: { ...R("us-east-1"), AWS_ENDPOINT_URL: "http://localhost:4566" },
    differs: {
      why: "a bucket cannot go in front of localhost (LocalStack's own docs say path style)",
      ours: "http://localhost:4566/acme-config-2",
    },
  },
  {
    name: "a .localhost name",
    env: { ...R("us-east-1"), AWS_ENDPOINT_URL: "http://minio.localhost:9000" },
    differs: {
      why: "*.localhost names are loopback by RFC 6761, but glibc resolves only the ones in /etc/hosts",
      ours: "http://minio.localhost:9000/acme-config-2",
    },
  },
  {
    name: "addressing virtual: the SDK's choice again",
    env: {
      ...R("us-east-1"),
      AWS_ENDPOINT_URL: "http://minio:9000",
      S3_KMS_ENV_ADDRESSING_STYLE: "virtual",
    },
  },
  {
    name: "S3_KMS_ENV_ADDRESSING_STYLE=path on AWS",
    env: { ...R("eu-west-1"), S3_KMS_ENV_ADDRESSING_STYLE: "path" },
    differs: {
      why: "our own switch (the SDK's forcePathStyle has no variable)",
      ours: "https://s3.eu-west-1.amazonaws.com/acme-config-2",
    },
  },
  {
    name: "profile s3 addressing_style = path",
    env: { AWS_ENDPOINT_URL: "https://s3.example.net" },
    config: "[default]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n",
    differs: {
      why: "the AWS CLI reads addressing_style; the JS SDK does not",
      ours: "https://s3.example.net/acme-config-2",
    },
  },
  {
    name: "AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL",
    env: {
      ...R("us-east-1"),
      AWS_ENDPOINT_URL: "http://10.0.0.1:1",
      AWS_ENDPOINT_URL_S3: "http://10.0.0.2:2",
    },
  },
  {
    name: "AWS_ENDPOINT_URL_KMS does not move S3",
    env: { ...R("us-east-1"), AWS_ENDPOINT_URL_KMS: "http://10.0.0.3:3" },
  },
  {
    name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    env: {
      ...R("us-east-1"),
      AWS_ENDPOINT_URL: "http://10.0.0.1:1",
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
    },
  },
  {
    name: "profile endpoint_url",
    env: {},
    config: "[default]\nregion = eu-west-1\nendpoint_url = http://10.0.0.4:4\n",
  },
  {
    name: "profile services section",
    env: { AWS_PROFILE: "local" },
    config:
      "[profile local]\nregion = us-east-1\nservices = loc\n" +
      "[services loc]\ns3 =\n  endpoint_url = http://10.0.0.5:5\nkms =\n  endpoint_url = http://10.0.0.6:6\n",
  },
  {
    name: "services section beats the profile's endpoint_url",
    env: {},
    config:
      "[default]\nregion = us-east-1\nendpoint_url = http://10.0.0.4:4\nservices = loc\n" +
      "[services loc]\ns3 =\n  endpoint_url = http://10.0.0.5:5\n",
  },
  {
    name: "AWS_ENDPOINT_URL beats the services section (the SDK's order)",
    env: { AWS_ENDPOINT_URL: "http://10.0.0.1:1" },
    config:
      "[default]\nregion = us-east-1\nservices = loc\n" +
      "[services loc]\ns3 =\n  endpoint_url = http://10.0.0.5:5\n",
  },
  {
    name: "profile ignore_configured_endpoint_urls",
    env: {},
    config:
      "[default]\nregion = us-east-1\nendpoint_url = http://10.0.0.4:4\nignore_configured_endpoint_urls = true\n",
  },
  {
    name: "custom endpoint and FIPS: both refuse",
    env: {
      ...R("us-east-1"),
      AWS_ENDPOINT_URL: "https://s3.example.net",
      AWS_USE_FIPS_ENDPOINT: "true",
    },
  },
  {
    name: "custom endpoint and dual-stack: both refuse",
    env: {
      ...R("us-east-1"),
      AWS_ENDPOINT_URL: "https://s3.example.net",
      AWS_USE_DUALSTACK_ENDPOINT: "true",
    },
  },
  {
    name: "custom endpoint, cn-north-1 signing region",
    env: { ...R("cn-north-1"), AWS_ENDPOINT_URL: "https://s3.example.net" },
    bucket: DASHES,
  },
  {
    name: "custom endpoint, aws-global signs for us-east-1",
    env: { ...R("aws-global"), AWS_ENDPOINT_URL: "https://s3.example.net" },
  },
];

function expandHome(row: Row): Row {
  const config = row.env.AWS_CONFIG_FILE;
  if (config !== "<HOME>/elsewhere") return row;
  // A config file outside ~/.aws, written by the row itself.
  const dir = mkdtempSync(path.join(tmpdir(), "s3-kms-env-oracle-cfg-"));
  const file = path.join(dir, "elsewhere");
  writeFileSync(file, "[default]\nregion = cn-north-1\n");
  return { ...row, env: { ...row.env, AWS_CONFIG_FILE: file } };
}

test("the matrix has at least 40 rows", () => {
  expect(ROWS.length).toBeGreaterThanOrEqual(40);
});

describe.each(ROWS.map((row) => [row.name, expandHome(row)] as const))("%s", (_name, row) => {
  const bucket = row.bucket ?? DASHES;

  test("exec's resolution agrees with the SDK (or differs as documented)", async () => {
    const [mine, theirs] = [await ours(row, bucket), await sdk(row, bucket)];
    if (row.differs) {
      expect(mine).toMatchObject({ url: row.differs.ours });
      expect(theirs).not.toEqual(mine);
    } else {
      expect(mine).toEqual(theirs);
    }
  });

  test("the ops client lands where exec does", async () => {
    expect(await ops(row, bucket)).toEqual(await ours(row, bucket));
  });
});
