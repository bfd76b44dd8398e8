// Where exec's lean KMS Decrypt goes (src/aws/kms-decrypt.ts, KMS's rules in
// src/aws/endpoint.ts) must be where the SDK's own KMS client sends it: for
// every combination of partition, FIPS, dual-stack and a custom endpoint
// (the rule parameters), and for the settings that feed them (environment
// and profile, read by our resolution and by the SDK itself). The SDK's
// client builds a signed Decrypt that a capturing handler never sends.
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import type { HttpRequest } from "@smithy/types";
import { resolveKmsEndpoint } from "../../../src/aws/endpoint";
import { kmsEndpointFor } from "../../../src/aws/kms-decrypt";
import { resolveSettings } from "../../../src/aws/settings";
import { capture, captured, credentials, type Setting, withEnv } from "../../support/sdk-oracle";

type Outcome = { url: string; signingRegion: string } | { error: true };

function outcomeOf(request: HttpRequest): Outcome {
  const port = request.port === undefined ? "" : `:${request.port}`;
  const scope = /Credential=[^/]+\/\d+\/([^/]+)\/kms\//.exec(request.headers.authorization ?? "");
  return {
    url: `${request.protocol}//${request.hostname}${port}${request.path}`,
    signingRegion: scope?.[1] ?? "?",
  };
}

function sdkSends(client: KMSClient): Promise<Outcome> {
  return captured(
    client,
    () => client.send(new DecryptCommand({ CiphertextBlob: new Uint8Array([1, 2, 3]) })),
    outcomeOf,
  );
}

/** Ours: the URL the Decrypt is posted to, signed for the client's region. */
function oursFor(run: () => { url: URL; region: string }): Outcome {
  try {
    const { url, region } = run();
    return { url: url.href, signingRegion: region };
  } catch {
    return { error: true };
  }
}

const REGIONS = [
  "us-east-1",
  "eu-central-1",
  "cn-north-1",
  "us-gov-west-1",
  "us-iso-east-1",
  "us-isob-east-1",
  "eu-isoe-west-1",
  "us-isof-south-1",
  "eusc-de-east-1",
  "xx-unknown-9",
];
const ENDPOINTS = [undefined, "http://127.0.0.1:4566", "https://kms.internal.example:8443"];

const GRID = REGIONS.flatMap((region) =>
  [false, true].flatMap((fips) =>
    [false, true].flatMap((dualStack) =>
      ENDPOINTS.map((endpoint) => ({ region, fips, dualStack, endpoint })),
    ),
  ),
);

test.each(GRID)(
  "the rules agree with the SDK's client: $region fips=$fips dual-stack=$dualStack endpoint=$endpoint",
  async ({ region, fips, dualStack, endpoint }) => {
    const theirs = await sdkSends(
      new KMSClient({
        region,
        useFipsEndpoint: fips,
        useDualstackEndpoint: dualStack,
        ...(endpoint === undefined ? {} : { endpoint }),
        credentials,
        maxAttempts: 1,
        requestHandler: capture,
      }),
    );
    const ours = oursFor(() => ({
      url: resolveKmsEndpoint({
        Region: region,
        UseFIPS: fips,
        UseDualStack: dualStack,
        Endpoint: endpoint,
      }),
      region,
    }));
    expect(ours).toEqual(theirs);
  },
);

test("the grid names FIPS, dual-stack and both the way AWS publishes them", () => {
  const url = (fips: boolean, dualStack: boolean): string =>
    resolveKmsEndpoint({ Region: "us-west-2", UseFIPS: fips, UseDualStack: dualStack }).href;
  expect([url(false, false), url(true, false), url(false, true), url(true, true)]).toEqual([
    "https://kms.us-west-2.amazonaws.com/",
    "https://kms-fips.us-west-2.amazonaws.com/",
    "https://kms.us-west-2.api.aws/",
    "https://kms-fips.us-west-2.api.aws/",
  ]);
});

interface Row extends Setting {
  readonly name: string;
}

const R = (region: string, more: Record<string, string> = {}) => ({ AWS_REGION: region, ...more });
const KMS_URL = "http://127.0.0.1:4566";
const ANY_URL = "http://127.0.0.1:5000";

const ROWS: Row[] = [
  { name: "region only", env: R("eu-west-1") },
  { name: "AWS_ENDPOINT_URL_KMS", env: R("eu-west-1", { AWS_ENDPOINT_URL_KMS: KMS_URL }) },
  { name: "AWS_ENDPOINT_URL", env: R("eu-west-1", { AWS_ENDPOINT_URL: ANY_URL }) },
  {
    name: "AWS_ENDPOINT_URL_KMS wins over AWS_ENDPOINT_URL",
    env: R("eu-west-1", { AWS_ENDPOINT_URL: ANY_URL, AWS_ENDPOINT_URL_KMS: KMS_URL }),
  },
  {
    name: "AWS_ENDPOINT_URL_S3 is not for KMS",
    env: R("eu-west-1", { AWS_ENDPOINT_URL_S3: ANY_URL }),
  },
  {
    name: "profile endpoint_url",
    env: {},
    config: "[default]\nregion = ap-south-1\nendpoint_url = https://local.example:9000\n",
  },
  {
    name: "profile services section, kms",
    env: {},
    config:
      "[default]\nregion = ap-south-1\nservices = local\n\n" +
      "[services local]\nkms =\n  endpoint_url = http://127.0.0.1:4599\n",
  },
  {
    name: "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    env: R("eu-west-1", {
      AWS_ENDPOINT_URL_KMS: KMS_URL,
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true",
    }),
  },
  { name: "AWS_USE_FIPS_ENDPOINT", env: R("us-east-2", { AWS_USE_FIPS_ENDPOINT: "true" }) },
  {
    name: "AWS_USE_DUALSTACK_ENDPOINT",
    env: R("us-east-2", { AWS_USE_DUALSTACK_ENDPOINT: "true" }),
  },
  {
    name: "FIPS and dual-stack",
    env: R("us-east-2", { AWS_USE_FIPS_ENDPOINT: "true", AWS_USE_DUALSTACK_ENDPOINT: "true" }),
  },
  {
    name: "profile use_fips_endpoint and use_dualstack_endpoint",
    env: {},
    config:
      "[default]\nregion = us-gov-west-1\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n",
  },
  { name: "a FIPS region name", env: R("us-east-1-fips") },
  { name: "dual-stack in China", env: R("cn-northwest-1", { AWS_USE_DUALSTACK_ENDPOINT: "true" }) },
  {
    name: "FIPS with a custom endpoint is refused",
    env: R("us-east-1", { AWS_USE_FIPS_ENDPOINT: "true", AWS_ENDPOINT_URL: ANY_URL }),
  },
];

test.each(ROWS.map((row) => [row.name, row] as const))(
  "settings: %s — exec's Decrypt goes where the SDK's client sends it",
  async (_name, row) => {
    const theirs = await withEnv(row, () =>
      sdkSends(new KMSClient({ credentials, maxAttempts: 1, requestHandler: capture })),
    );
    const ours = await withEnv(row, async (env) => {
      const settings = await resolveSettings(env, {
        timeoutMs: 1000,
        maxBytes: 1024,
        allowUnencrypted: false,
        keys: { flag: [], env: [], trusted: [] },
      });
      return oursFor(() => ({ url: kmsEndpointFor(settings.kms), region: settings.kms.region }));
    });
    expect(ours).toEqual(theirs);
  },
);
