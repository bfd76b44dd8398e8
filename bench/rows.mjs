// The commands the start-up benchmark compares. Each row turns an app command
// (`/bin/true` for timing, `sleep` for the resident-memory check) into the
// argv that starts it through one tool; rows whose tool is missing are skipped
// with a note. Peers are never built here: give a path (CHAMBER=…, SOPS=…).
// Set-up runs asynchronously: the counting proxy lives in this process.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { BINARY, BUNDLE, KMS_ALIAS, NODE, envFileBody, envFileVariables } from "./setup.mjs";

const run = (file, args, options) =>
  promisify(execFile)(file, args, { timeout: 60_000, ...options });

/** The Python AWS CLI, past pyenv's shim (a bash script whose own start-up would count in the row). */
function awsCli() {
  if (process.env.AWS_CLI) return process.env.AWS_CLI;
  const which = (argv) => spawnSync(argv[0], argv.slice(1), { encoding: "utf8" }).stdout?.trim();
  const found = which(["sh", "-c", "command -v aws"]);
  if (!found?.includes("/shims/")) return found || undefined;
  return which(["pyenv", "which", "aws"]) || undefined;
}

/** The tool's own rows: the bundle on Node 26, the single binary, the spawn fallback. */
export function ownRows(ctx) {
  const exec =
    (prefix, flags = []) =>
    // The trusted key as an ARN, as production pins it: no DescribeKey.
    (app) => [...prefix, "exec", "--kms-key-id", ctx.keyArn, ...flags, ctx.uri, "--", ...app];
  return [
    {
      id: "bundle",
      name: "s3-kms-env (bundle, node 26)",
      fetches: true,
      argv: exec([NODE, BUNDLE]),
    },
    {
      id: "binary",
      name: "s3-kms-env (single binary)",
      fetches: true,
      argv: exec([BINARY]),
      skip: existsSync(BINARY)
        ? undefined
        : "dist/s3-kms-env-linux-x64 missing: npm run build:binary",
    },
    {
      id: "spawn",
      name: "s3-kms-env --spawn (bundle)",
      fetches: true,
      argv: exec([NODE, BUNDLE], ["--spawn"]),
    },
    {
      // The audit event POSTed, signed, to a receiver on loopback (http) before the app starts.
      id: "notify",
      name: "s3-kms-env --notify (bundle)",
      fetches: true,
      argv: exec([NODE, BUNDLE], ["--notify", ctx.notifyUrl]),
      env: { S3_KMS_ENV_NOTIFY_SECRET: "bench-signing-key" },
    },
    sealedRow(ctx, "sealed", "bundle", [NODE, BUNDLE]),
    sealedRow(ctx, "sealed-binary", "single binary", [BINARY]),
  ];
}

/** The same file sealed (put --client-side): one KMS Decrypt and the Encryption SDK per start. */
function sealedRow(ctx, id, form, prefix) {
  const uri = `${ctx.uri.replace(/\.env$/, "")}.sealed.env`;
  return {
    id,
    name: `s3-kms-env, sealed object (${form})`,
    fetches: true,
    argv: (app) => [...prefix, "exec", "--kms-key-id", ctx.keyArn, uri, "--", ...app],
    skip:
      prefix[0] === BINARY && !existsSync(BINARY)
        ? "dist/s3-kms-env-linux-x64 missing: npm run build:binary"
        : undefined,
    async prepare() {
      const plain = path.join(ctx.scratch, "sealed-input.env");
      writeFileSync(plain, envFileBody());
      const put = ["put", "-q", "--client-side", "--allow-unversioned", "--kms-key-id"];
      await run(NODE, [BUNDLE, ...put, ctx.keyArn, plain, uri], { env: ctx.env });
      rmSync(plain);
    },
  };
}

/**
 * The floor of any Node client: one bare, unsigned GET of the object with
 * node:http or node:https and nothing else (no SDK, signing, parsing or
 * execve), so our rows' distance from it is what s3-kms-env itself costs.
 */
function bareGetRow(ctx) {
  const script =
    "const u = new URL(process.env.AWS_ENDPOINT_URL + process.argv[1]);" +
    'require(u.protocol === "https:" ? "node:https" : "node:http").get(u, (r) => r.resume());';
  return {
    name: "node: bare GET, no SDK (floor)",
    fetches: true,
    // It starts no app: nothing to measure beside one.
    launchesApp: false,
    argv: () => [NODE, "-e", script, ctx.uri.replace(/^s3:\//, "")],
  };
}

/** The classic entrypoint script: the AWS CLI prints the file, the shell evals it. */
function shellRow(ctx) {
  const aws = awsCli();
  const script = 'set -a; eval "$(aws s3 cp "$1" -)"; set +a; shift; exec "$@"';
  return {
    name: "sh + aws s3 cp + eval",
    fetches: true,
    trust: "aws-cli",
    argv: (app) => ["/bin/sh", "-c", script, "sh", ctx.uri, ...app],
    // The CLI v1 reads AWS_DEFAULT_REGION, not AWS_REGION.
    env: aws && {
      PATH: `${path.dirname(aws)}:${ctx.env.PATH}`,
      AWS_DEFAULT_REGION: ctx.env.AWS_REGION,
    },
    skip: aws ? undefined : "aws CLI not found (set AWS_CLI=/path/to/aws)",
  };
}

/** chamber's S3+KMS backend: the same variables written with `chamber import`. */
function chamberRow(ctx, chamber) {
  const env = {
    CHAMBER_SECRET_BACKEND: "s3-kms",
    CHAMBER_S3_BUCKET: ctx.bucket,
    CHAMBER_KMS_KEY_ALIAS: KMS_ALIAS.replace(/^alias\//, ""),
  };
  return {
    fetches: true,
    trust: "go",
    argv: (app) => [chamber, "exec", "bench-app", "--", ...app],
    env,
    async prepare() {
      const file = path.join(ctx.scratch, "chamber.json");
      writeFileSync(file, JSON.stringify(envFileVariables()));
      await run(chamber, ["import", "bench-app", file], { env: { ...ctx.env, ...env } });
      rmSync(file);
    },
  };
}

/** sops: a local dotenv file whose data key KMS unwraps (one KMS call, no S3). */
function sopsRow(ctx, sops) {
  const sealed = path.join(ctx.scratch, "sops.env");
  return {
    fetches: true,
    trust: "go",
    // sops runs its command string through /bin/sh -c.
    argv: (app) => [sops, "exec-env", sealed, app.join(" ")],
    async prepare() {
      const plain = path.join(ctx.scratch, "plain.env");
      writeFileSync(plain, envFileBody());
      const types = ["--input-type", "dotenv", "--output-type", "dotenv"];
      await run(sops, ["encrypt", "--kms", ctx.keyArn, ...types, "--output", sealed, plain], {
        env: ctx.env,
      });
      rmSync(plain);
    },
  };
}

function peerRows(ctx) {
  const peers = [
    ["CHAMBER", "chamber exec", chamberRow],
    ["SOPS", "sops exec-env", sopsRow],
  ];
  return peers.map(([variable, name, row]) => {
    const file = process.env[variable];
    if (!file) return { name, skip: `set ${variable}=/path/to/${name.split(" ")[0]} to compare` };
    return { name, ...row(ctx, path.resolve(file)) };
  });
}

/**
 * Each row that fetches, once per scheme (`scheme` and the endpoint and CA
 * settings in `env`); the others once, without a scheme.
 */
export function perScheme(ctx, rows, schemes) {
  return rows.flatMap((row) =>
    !row.fetches
      ? [row]
      : schemes.map((scheme) => ({
          ...row,
          scheme,
          env: { ...row.env, ...ctx.schemeEnv(scheme, row.trust) },
        })),
  );
}

/** Every row, in table order, each fetching row per scheme; `skip` holds why a row cannot run here. */
export function benchRows(ctx, schemes = ["https", "http"]) {
  return perScheme(
    ctx,
    [
      { name: "/bin/true", fetches: false, argv: (app) => app },
      { name: "node -e 0 (node 26)", fetches: false, argv: () => [NODE, "-e", "0"] },
      bareGetRow(ctx),
      ...ownRows(ctx),
      shellRow(ctx),
      ...peerRows(ctx),
    ],
    schemes,
  );
}
