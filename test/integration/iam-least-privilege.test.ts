// Least privilege (issue 13 §6): each command works for an IAM user with
// exactly its policy in test/fixtures/iam/, and a user missing any one action
// of it gets exit 125 and one error line. Against a moto of this file's own
// that enforces IAM. What moto does not check (KMS behind S3, ListObjectsV2
// with a "/" in the prefix, HeadObject of a version as s3:GetObjectVersion)
// the fault proxy answers the way AWS does, to a user who lacks the action.
import { TestAws } from "../support/aws";
import {
  s3AccessDenied,
  s3KmsAccessDenied,
  startFaultProxy,
  kmsAccessDenied,
  type CannedResponse,
  type FaultProxy,
  type FaultRule,
} from "../support/fault-proxy";
import {
  ADMIN_POLICY,
  IamMoto,
  actionsOf,
  credentialEnv,
  loadPolicy,
  withStatement,
  withoutAction,
  type Credentials,
  type PolicyDocument,
} from "../support/iam";
import { generateDataKeyDenied } from "../support/ops";
import { runCli, type CliResult } from "../support/run-cli";

/** The bucket the fixtures' policies name; this file's moto has no other. */
const BUCKET = "s3-kms-env-iam";
const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;
const ALIAS = "alias/s3-kms-env-iam";
/** The request target of the bucket's ListObjectsV2, as the SDK sends it path-style. */
const LIST_PATH = `/${BUCKET}/?list-type=2`;

let moto: IamMoto;
let admin: TestAws;
let key: { keyId: string; arn: string };
let newKey: { keyId: string; arn: string };
const users = new Map<string, Credentials>();

let count = 0;
/**
 * An object key no other test uses. Without "/": history lists versions with
 * the key as prefix, and moto (under enforcement) fails the signature of a
 * listing whose prefix holds a "/".
 */
function freshKey(): string {
  count += 1;
  return `t${count}.env`;
}

function uriOf(objectKey: string): string {
  return `s3://${BUCKET}/${objectKey}`;
}

async function upload(body: string, objectKey = freshKey()): Promise<{ uri: string; v: string }> {
  const { versionId } = await admin.putEnvObject(BUCKET, objectKey, body, {
    sse: "aws:kms",
    kmsKeyId: key.arn,
  });
  return { uri: uriOf(objectKey), v: versionId ?? "" };
}

/** What a scenario hands the test: the command's result and what it acted on. */
interface Run {
  readonly result: CliResult;
  readonly uri: string;
  /** diff's second object: both are read at once, and either refusal may come first. */
  readonly otherUri?: string;
  /** The one object under the prefix (rekey of a prefix). */
  readonly objectUri?: string;
  /** The URI of the version the command read, where it read one by id (rollback). */
  readonly versionUri?: string;
  /** Every version's URI, where the command reads them all at once (history). */
  readonly versionUris?: readonly string[];
  /** The outcome a user with the whole policy must see. */
  expectSuccess(): void | Promise<void>;
}

/** rekey from the test's key to the new one, as `env`'s user through `endpoint`. */
function rekey(uri: string, env: Record<string, string>, endpoint: string): Promise<CliResult> {
  const args = ["rekey", "-q", uri, "--kms-key-id", newKey.arn, "--trusted-kms-key-id", key.arn];
  return runCli(args, { env, endpoint });
}

/** The rekey succeeded: the object holds the same bytes, now under the new key. */
async function expectRekeyed(result: CliResult, objectKey: string): Promise<void> {
  expect(result).toMatchObject({ exitCode: 0, stderr: "" });
  const stored = await admin.getObject(BUCKET, objectKey);
  expect([stored.body, stored.kmsKeyId]).toEqual(["A=1\n", newKey.arn]);
}

interface Scenario {
  /**
   * Uploads what the command needs (as admin) and runs it as `env`'s user
   * through `proxy`, which forwards to moto what no rule answers.
   */
  run(env: Record<string, string>, proxy: FaultProxy): Promise<Run>;
  /** What a failing run prints on stdout (verify reports each object there too). */
  readonly failureStdout?: (uri: string, code: string) => string;
}

const PRINT_GREETING = ["--", "/bin/sh", "-c", 'printf %s "$GREETING"'];

function execScenario(kmsKeyId: () => string): Scenario {
  return {
    async run(env, { url: endpoint }) {
      const { uri } = await upload("GREETING=hello\n");
      const result = await runCli(
        ["exec", "-q", "--kms-key-id", kmsKeyId(), uri, ...PRINT_GREETING],
        {
          env,
          endpoint,
        },
      );
      return {
        result,
        uri,
        expectSuccess: () =>
          expect(result).toMatchObject({ exitCode: 0, stdout: "hello", stderr: "" }),
      };
    },
  };
}

const SCENARIOS: Record<string, Scenario> = {
  "exec-key-arn": execScenario(() => key.arn),
  "exec-alias": execScenario(() => ALIAS),
  put: {
    async run(env, { url: endpoint }) {
      const uri = uriOf(freshKey());
      const result = await runCli(["put", "-q", "-", uri, "--kms-key-id", key.arn], {
        env,
        endpoint,
        input: "A=1\n",
      });
      return {
        result,
        uri,
        expectSuccess: async () => {
          expect(result).toMatchObject({ exitCode: 0, stderr: "" });
          const stored = await admin.getObject(BUCKET, uri.slice(`s3://${BUCKET}/`.length));
          expect([stored.body, stored.kmsKeyId]).toEqual(["A=1\n", key.arn]);
        },
      };
    },
  },
  get: {
    async run(env, { url: endpoint }) {
      const { uri } = await upload("A=1\nBB=22\n");
      const result = await runCli(["get", "-q", uri], { env, endpoint });
      return {
        result,
        uri,
        expectSuccess: () =>
          expect(result).toMatchObject({
            exitCode: 0,
            stdout: "A bytes=1\nBB bytes=2\n",
            stderr: "",
          }),
      };
    },
  },
  diff: {
    async run(env, { url: endpoint }) {
      const a = await upload("A=1\n");
      const b = await upload("A=1\n");
      const result = await runCli(["diff", a.uri, b.uri], { env, endpoint });
      return {
        result,
        uri: a.uri,
        otherUri: b.uri,
        expectSuccess: () => expect(result).toMatchObject({ exitCode: 0, stdout: "", stderr: "" }),
      };
    },
  },
  set: updateScenario("A=1\n", ["set", "-q", "URI", "B=2"], "A=1\nB=2\n"),
  unset: updateScenario("A=1\nB=2\n", ["unset", "-q", "URI", "B"], "A=1\n"),
  edit: updateScenario("A=1\n# kept\n", ["edit", "-q", "URI"], "A=2\n# kept\n", {
    EDITOR: "/bin/sed -i s/^A=1$/A=2/",
  }),
  history: {
    async run(env, { url: endpoint }) {
      const objectKey = freshKey();
      const v1 = await upload("A=1\n", objectKey);
      const v2 = await upload("A=2\n", objectKey);
      const result = await runCli(["history", "--json", v1.uri], { env, endpoint });
      return {
        result,
        uri: v1.uri,
        versionUris: [v1, v2].map((v) => `${v.uri}?versionId=${v.v}`),
        expectSuccess: () => {
          expect(result).toMatchObject({ exitCode: 0, stderr: "" });
          const { versions } = JSON.parse(result.stdout) as {
            versions: { versionId: string; kmsKeyArn: string }[];
          };
          expect(versions.map((v) => [v.versionId, v.kmsKeyArn])).toEqual([
            [v2.v, key.arn],
            [v1.v, key.arn],
          ]);
        },
      };
    },
  },
  rollback: {
    async run(env, { url: endpoint }) {
      const objectKey = freshKey();
      const v1 = await upload("A=1\n", objectKey);
      await upload("A=2\n", objectKey);
      const result = await runCli(["rollback", "-q", v1.uri, "--version-id", v1.v], {
        env,
        endpoint,
      });
      return {
        result,
        uri: v1.uri,
        versionUri: `${v1.uri}?versionId=${v1.v}`,
        expectSuccess: async () => {
          expect(result).toMatchObject({ exitCode: 0, stderr: "" });
          const stored = await admin.getObject(BUCKET, objectKey);
          expect([stored.body, stored.kmsKeyId]).toEqual(["A=1\n", key.arn]);
        },
      };
    },
  },
  "rekey-object": {
    async run(env, { url: endpoint }) {
      const objectKey = freshKey();
      const { uri } = await upload("A=1\n", objectKey);
      const result = await rekey(uri, env, endpoint);
      return {
        result,
        uri,
        expectSuccess: () => expectRekeyed(result, objectKey),
      };
    },
  },
  "rekey-prefix": {
    async run(env, proxy) {
      const endpoint = proxy.url;
      count += 1;
      const prefix = `p${count}/`;
      const objectKey = `${prefix}a.env`;
      await upload("A=1\n", objectKey);
      const uri = uriOf(prefix);
      proxy.addRule({
        match: { service: "s3", method: "GET", pathPrefix: LIST_PATH },
        respond: listing(BUCKET, prefix, [objectKey]),
      });
      const result = await rekey(uri, env, endpoint);
      return {
        result,
        uri,
        objectUri: uriOf(objectKey),
        expectSuccess: () => expectRekeyed(result, objectKey),
      };
    },
  },
  verify: {
    failureStdout: (uri, code) => `FAILED ${uri} (code=${code})\n`,
    async run(env, { url: endpoint }) {
      const { uri, v } = await upload("A=1\n");
      const result = await runCli(["verify", uri, "--kms-key-id", key.arn], { env, endpoint });
      return {
        result,
        uri,
        expectSuccess: () =>
          expect(result).toMatchObject({
            exitCode: 0,
            stdout: `ok ${uri} (version=${v} kms=${key.arn} variables=1)\n`,
            stderr: "",
          }),
      };
    },
  },
};

/** set, unset, edit: a read-modify-write of one object that keeps its key. */
function updateScenario(
  before: string,
  args: readonly string[],
  after: string,
  extraEnv: Record<string, string> = {},
): Scenario {
  return {
    async run(env, { url: endpoint }) {
      const objectKey = freshKey();
      const { uri } = await upload(before, objectKey);
      const argv = args.map((a) => (a === "URI" ? uri : a));
      const result = await runCli(argv, { env: { ...env, ...extraEnv }, endpoint });
      return {
        result,
        uri,
        expectSuccess: async () => {
          expect(result).toMatchObject({ exitCode: 0, stderr: "" });
          const stored = await admin.getObject(BUCKET, objectKey);
          expect([stored.body, stored.kmsKeyId]).toEqual([after, key.arn]);
        },
      };
    },
  };
}

interface Row {
  readonly policy: string;
  readonly action: string;
  readonly code: string;
  readonly message: (run: Run) => string;
  /** Whether the message names the missing action; false rows are to be fixed in src/. */
  readonly namesAction: boolean;
  /** stdout of the failing run; default: the scenario's failureStdout, else nothing. */
  readonly stdout?: (run: Run) => string;
  /** How AWS answers where moto cannot refuse: the proxy's rule (else moto itself refuses). */
  readonly aws?: () => FaultRule;
  /** The URIs the line may name; default: the run's uri and otherUri. */
  readonly at?: (run: Run) => readonly string[];
}

/** GETs of the test's objects (keys "t…"), not the bucket's ?versioning or listing. */
const s3Get = (respond: CannedResponse): FaultRule => ({
  match: { service: "s3", method: "GET", pathPrefix: `/${BUCKET}/t` },
  respond,
});
const s3Put = (respond: CannedResponse): FaultRule => ({
  match: { service: "s3", method: "PUT" },
  respond,
});

/** S3's ListObjectsV2 answer listing `keys` (moto's own fails the signature of a prefix with "/"). */
function listing(bucket: string, prefix: string, keys: readonly string[]): CannedResponse {
  const contents = keys.map((k) => `<Contents><Key>${k}</Key><Size>4</Size></Contents>`).join("");
  return {
    status: 200,
    headers: { "content-type": "application/xml" },
    body:
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount>` +
      `<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
  };
}

// The error lines, as src/ words them today.
const s3Denied =
  (permission: string) =>
  ({ uri }: Run): string =>
    `${uri}: access denied by S3 (${permission}); check the role's policy and the bucket policy`;
const opsKmsDenied =
  (action: string) =>
  ({ uri }: Run): string =>
    `${uri}: KMS denied ${action}; grant ${action} on the KMS key to this role (IAM policy and key policy)`;
const execKmsDenied = ({ uri }: Run): string =>
  `${uri}: KMS refused to decrypt the object (kms:Decrypt denied on its key); grant kms:Decrypt on the key to this role`;

/** put, set, unset without s3:GetBucketVersioning: refused before anything is written. */
const versioningRow = (policy: string): Row => ({
  policy,
  action: "s3:GetBucketVersioning",
  code: "S3_ACCESS_DENIED",
  message: () =>
    `bucket ${BUCKET}: cannot check that versioning is on (s3:GetBucketVersioning denied); nothing was written. Grant s3:GetBucketVersioning on the bucket, or give --allow-unversioned to write without the check`,
  namesAction: true,
});

/** A row moto refuses by itself: S3's own AccessDenied. */
function s3Row(policy: string, action: string, permission = action): Row {
  return {
    policy,
    action,
    code: "S3_ACCESS_DENIED",
    message: s3Denied(permission),
    namesAction: permission.includes(action),
  };
}

const kmsDecryptRow = (policy: string, rule = () => s3Get(s3KmsAccessDenied(key.arn))): Row => ({
  policy,
  action: "kms:Decrypt",
  code: "KMS_ACCESS_DENIED",
  message: policy.startsWith("exec") ? execKmsDenied : opsKmsDenied("kms:Decrypt"),
  namesAction: true,
  aws: rule,
});
const kmsGenerateRow = (policy: string, keyArn = () => key.arn): Row => ({
  policy,
  action: "kms:GenerateDataKey",
  code: "KMS_ACCESS_DENIED",
  message: opsKmsDenied("kms:GenerateDataKey"),
  namesAction: true,
  aws: () => s3Put(generateDataKeyDenied(keyArn())),
});

const ROWS: Row[] = [
  s3Row("exec-key-arn", "s3:GetObject"),
  kmsDecryptRow("exec-key-arn"),
  s3Row("exec-alias", "s3:GetObject"),
  kmsDecryptRow("exec-alias"),
  {
    policy: "exec-alias",
    action: "kms:DescribeKey",
    code: "KMS_ACCESS_DENIED",
    message: () =>
      `cannot resolve ${ALIAS}: kms:DescribeKey denied; pass the key ARN instead of an alias`,
    namesAction: true,
    // moto refuses DescribeKey with an XML body the JSON client cannot read.
    aws: () => ({
      match: { service: "kms", target: "TrentService.DescribeKey" },
      respond: kmsAccessDenied(key.arn, "kms:DescribeKey"),
    }),
  },
  s3Row("put", "s3:PutObject"),
  kmsGenerateRow("put"),
  versioningRow("put"),
  versioningRow("set"),
  versioningRow("unset"),
  s3Row("get", "s3:GetObject"),
  kmsDecryptRow("get"),
  s3Row("diff", "s3:GetObject"),
  kmsDecryptRow("diff"),
  ...["set", "unset", "edit"].flatMap((command) => [
    s3Row(command, "s3:GetObject"),
    s3Row(command, "s3:PutObject"),
    kmsDecryptRow(command),
    kmsGenerateRow(command),
  ]),
  s3Row("history", "s3:ListBucketVersions"),
  {
    // AWS refuses HeadObject?versionId without s3:GetObjectVersion (a HEAD answer has no body).
    ...s3Row("history", "s3:GetObjectVersion"),
    // One HeadObject per version, several at once: the first refusal names its version.
    at: (run) => run.versionUris ?? [],
    aws: () => ({ match: { service: "s3", method: "HEAD" }, respond: s3AccessDenied() }),
  },
  {
    ...s3Row("rollback", "s3:GetObjectVersion"),
    message: (run) => s3Denied("s3:GetObjectVersion")({ ...run, uri: run.versionUri ?? "" }),
  },
  s3Row("rollback", "s3:GetObject"),
  s3Row("rollback", "s3:PutObject", "s3:GetObject and s3:PutObject"),
  {
    ...kmsDecryptRow("rollback"),
    message: (run) => opsKmsDenied("kms:Decrypt")({ ...run, uri: run.versionUri ?? "" }),
  },
  kmsGenerateRow("rollback"),
  s3Row("rekey-object", "s3:GetObject"),
  s3Row("rekey-object", "s3:PutObject", "s3:GetObject and s3:PutObject"),
  // The copy is where S3 asks KMS to decrypt under the old key and encrypt under the new.
  kmsDecryptRow("rekey-object", () => s3Put(s3KmsAccessDenied(key.arn))),
  kmsGenerateRow("rekey-object", () => newKey.arn),
  // Under a prefix each object's failure is a stdout line with its code only
  // (its warning names the action, but -q drops warnings); stderr sums up.
  ...[
    s3Row("rekey-prefix", "s3:GetObject"),
    s3Row("rekey-prefix", "s3:PutObject", "s3:GetObject and s3:PutObject"),
    kmsDecryptRow("rekey-prefix", () => s3Put(s3KmsAccessDenied(key.arn))),
    kmsGenerateRow("rekey-prefix", () => newKey.arn),
  ].map((row): Row => ({
    ...row,
    code: "REKEY_INCOMPLETE",
    message: ({ uri }) =>
      `1 of 1 objects under ${uri} are not under the new key; fix them and run rekey again (done ones are skipped)`,
    namesAction: false,
    stdout: ({ objectUri }) => `failed ${objectUri ?? ""} (code=${row.code})\n`,
  })),
  {
    ...s3Row("rekey-prefix", "s3:ListBucket"),
    aws: () => ({
      match: { service: "s3", method: "GET", pathPrefix: LIST_PATH },
      respond: s3AccessDenied(),
    }),
  },
  s3Row("verify", "s3:GetObject"),
  kmsDecryptRow("verify"),
  {
    policy: "verify",
    action: "kms:DescribeKey",
    code: "KMS_ACCESS_DENIED",
    message: () =>
      `cannot check whether AWS manages ${key.arn}: kms:DescribeKey denied; allow it on the key, so verify can tell an AWS-managed key from yours`,
    namesAction: true,
    // moto refuses DescribeKey with an XML body the JSON client cannot read.
    aws: () => ({
      match: { service: "kms", target: "TrentService.DescribeKey" },
      respond: kmsAccessDenied(key.arn, "kms:DescribeKey"),
    }),
  },
];

/** Moto's own deviations from AWS that a policy must cover to pass on moto; none are AWS needs. */
const MOTO_ONLY: Record<string, PolicyDocument["Statement"]> = {
  // moto authorizes HeadObject as s3:GetObject, with or without versionId;
  // AWS asks for s3:GetObjectVersion when a version is named.
  history: [
    { Sid: "MotoOnlyHeadVersion", Effect: "Allow", Action: ["s3:GetObject"], Resource: OBJECTS },
  ],
};

function policyFor(name: string): PolicyDocument {
  const extra = MOTO_ONLY[name] ?? [];
  return extra.reduce(withStatement, loadPolicy(name));
}

const rowLabel = (row: Pick<Row, "policy" | "action">): string =>
  `${row.policy} without ${row.action}`;

beforeAll(async () => {
  moto = await IamMoto.start();
  const adminUser = await moto.user(ADMIN_POLICY);
  for (const name of Object.keys(SCENARIOS)) users.set(name, await moto.user(policyFor(name)));
  for (const row of ROWS) {
    users.set(rowLabel(row), await moto.user(withoutAction(policyFor(row.policy), row.action)));
  }
  await moto.enforce();
  admin = new TestAws({ endpoint: moto.url, credentials: adminUser });
  await admin.createBucket(BUCKET, { versioning: true });
  key = await admin.createKmsKey({ description: "iam" });
  newKey = await admin.createKmsKey({ description: "iam new" });
  await admin.createAlias(ALIAS, key.keyId);
}, 60_000);

afterAll(async () => {
  admin?.destroy();
  await moto?.stop();
});

async function viaProxy<T>(
  rules: FaultRule[],
  body: (proxy: FaultProxy) => Promise<T>,
): Promise<T> {
  const proxy = await startFaultProxy(moto.url);
  try {
    for (const rule of rules) proxy.addRule(rule);
    return await body(proxy);
  } finally {
    await proxy.close();
  }
}

describe("a user with exactly the command's policy succeeds", () => {
  test.concurrent.each(Object.keys(SCENARIOS))("%s", async (name) => {
    const scenario = SCENARIOS[name]!;
    const user = users.get(name)!;
    const run = await viaProxy([], (proxy) => scenario.run(credentialEnv(user), proxy));
    await run.expectSuccess();
  });
});

test("every action of every policy has a missing-action row", () => {
  const rowsOf = (name: string): string[] =>
    ROWS.filter((row) => row.policy === name).map((row) => row.action);
  for (const name of Object.keys(SCENARIOS)) {
    expect({ name, actions: rowsOf(name).sort() }).toEqual({
      name,
      actions: actionsOf(loadPolicy(name)).sort(),
    });
  }
});

describe("a user missing one action fails with exit 125 and one error line", () => {
  const title = (row: Row): string =>
    `${rowLabel(row)}: ${row.code}${row.namesAction ? "" : " (the message does not name the action)"}`;
  test.concurrent.each(ROWS.map((row) => [title(row), row] as const))("%s", async (_title, row) => {
    const scenario = SCENARIOS[row.policy]!;
    const user = users.get(rowLabel(row))!;
    const run = await viaProxy(row.aws ? [row.aws()] : [], (proxy) =>
      scenario.run(credentialEnv(user), proxy),
    );
    const at = row.at?.(run) ?? [run.uri, ...(run.otherUri ? [run.otherUri] : [])];
    const lines = at.map(
      (uri) => `s3-kms-env: error: ${row.message({ ...run, uri })} (code=${row.code})\n`,
    );
    const { stderr, ...rest } = run.result;
    expect(rest).toEqual({
      exitCode: 125,
      signal: null,
      stdout: row.stdout?.(run) ?? scenario.failureStdout?.(run.uri, row.code) ?? "",
      timedOut: false,
    });
    expect(lines).toContain(stderr);
    const message = row.message(run);
    expect(message.includes(row.action)).toBe(row.namesAction);
  });
});
