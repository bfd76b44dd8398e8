// A moto server of its own that enforces IAM policies, and IAM users with
// exactly the policies the least-privilege tests give them.
//
// moto checks nothing until told to: every user and policy is created first
// (unsigned IAM calls are fine then), after which POST /moto-api/reset-auth
// with "0" turns enforcement on for every request that follows. From then on
// fixtures need credentials of their own: the admin user's.
import { readFileSync } from "node:fs";
import path from "node:path";
import { startMoto, type MotoServer } from "./moto";

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
}

export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

const FIXTURES = path.resolve(__dirname, "../fixtures/iam");

/** test/fixtures/iam/<name>.json */
export function loadPolicy(name: string): PolicyDocument {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as PolicyDocument;
}

/** Every action the policy allows, in the order written. */
export function actionsOf(policy: PolicyDocument): string[] {
  return policy.Statement.flatMap((s) => s.Action);
}

/** The policy without one action (a statement left with none is dropped). */
export function withoutAction(policy: PolicyDocument, action: string): PolicyDocument {
  if (!actionsOf(policy).includes(action)) throw new Error(`the policy has no ${action}`);
  return {
    ...policy,
    Statement: policy.Statement.map((s) => ({
      ...s,
      Action: s.Action.filter((a) => a !== action),
    })).filter((s) => s.Action.length > 0),
  };
}

/** The policy with one more statement. */
export function withStatement(policy: PolicyDocument, statement: PolicyStatement): PolicyDocument {
  return { ...policy, Statement: [...policy.Statement, statement] };
}

export const ADMIN_POLICY: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["*"], Resource: "*" }],
};

// Before enforcement moto reads only the service out of the Authorization
// header's credential scope; nothing is verified.
const UNSIGNED_IAM =
  "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";

async function iamCall(url: string, params: Record<string, string>): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: UNSIGNED_IAM,
    },
    body: new URLSearchParams({ ...params, Version: "2010-05-08" }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`IAM ${params.Action} failed (${response.status}): ${text}`);
  return text;
}

function xmlField(xml: string, name: string): string {
  const value = new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`no ${name} in ${xml}`);
  return value;
}

export class IamMoto {
  private users = 0;
  private enforcing = false;

  private constructor(private readonly server: MotoServer) {}

  static async start(): Promise<IamMoto> {
    return new IamMoto(await startMoto());
  }

  get url(): string {
    return this.server.url;
  }

  /** An IAM user whose only permissions are `policy` (an inline policy); its access key. */
  async user(policy: PolicyDocument): Promise<Credentials> {
    if (this.enforcing) throw new Error("create users before enforce(): IAM calls are unsigned");
    this.users += 1;
    const UserName = `user-${this.users}`;
    await iamCall(this.url, { Action: "CreateUser", UserName });
    await iamCall(this.url, {
      Action: "PutUserPolicy",
      UserName,
      PolicyName: "policy",
      PolicyDocument: JSON.stringify(policy),
    });
    const key = await iamCall(this.url, { Action: "CreateAccessKey", UserName });
    return {
      accessKeyId: xmlField(key, "AccessKeyId"),
      secretAccessKey: xmlField(key, "SecretAccessKey"),
    };
  }

  /** From now on every request is checked against its signer's policies. */
  async enforce(): Promise<void> {
    const response = await fetch(`${this.url}/moto-api/reset-auth`, { method: "POST", body: "0" });
    await response.text();
    if (!response.ok) throw new Error(`reset-auth failed (${response.status})`);
    this.enforcing = true;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}

/** The environment that makes the CLI sign as `user`. */
export function credentialEnv(user: Credentials): Record<string, string> {
  return { AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: user.secretAccessKey };
}
