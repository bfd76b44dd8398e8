// The deployment examples must work as written: the IAM policies name only
// what the tool calls (the runtime one only what exec calls), the Dockerfile
// starts the binary it copies in, the manifests agree with the policy, and
// the linters (hadolint, shellcheck; installed by scripts/setup.sh) pass.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { opsCommands } from "../../src/cli/ops-commands";
import { opsEvent, startEvent, startFailedEvent } from "../../src/audit/event";

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");

/** What `exec` may call: the GET (with ?versionId=), S3's KMS call for it, an alias lookup. */
const EXEC_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt", "kms:DescribeKey"];
/** Everything the tool calls, ops commands included (src/ops/s3-failure.ts names them). */
const TOOL_ACTIONS = [
  ...EXEC_ACTIONS,
  "s3:PutObject",
  "s3:ListBucket",
  "s3:ListBucketVersions",
  "kms:GenerateDataKey",
];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);
const actionsOf = (policy: Policy): string[] => policy.Statement.flatMap((s) => list(s.Action));

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** PyYAML (a moto dependency, so present wherever the tests run) reads the YAML. */
function yamlDocuments(file: string): Record<string, unknown>[] {
  const script =
    "import json,sys,yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))";
  const { status, output } = run(process.env.MOTO_PYTHON ?? "python3", ["-c", script, file]);
  expect(status).toBe(0);
  return JSON.parse(output) as Record<string, unknown>[];
}

describe.each(["examples/kubernetes/iam-policy.json", "examples/ops/iam-policy.json"])(
  "%s",
  (file) => {
    const policy = JSON.parse(read(file)) as Policy;

    test("is an IAM policy that only allows, each action on named resources", () => {
      expect(policy.Version).toBe("2012-10-17");
      for (const statement of policy.Statement) {
        expect(statement.Effect).toBe("Allow");
        expect(list(statement.Resource)).not.toContain("*");
      }
    });

    test("names only actions the tool uses", () => {
      expect(TOOL_ACTIONS).toEqual(expect.arrayContaining(actionsOf(policy)));
    });

    test("lets KMS encrypt and decrypt only on S3's behalf", () => {
      const viaS3 = policy.Statement.filter((s) =>
        list(s.Action).some((a) => a === "kms:Decrypt" || a === "kms:GenerateDataKey"),
      );
      expect(viaS3).not.toHaveLength(0);
      for (const statement of viaS3) {
        expect(statement.Condition?.StringEquals?.["kms:ViaService"]).toMatch(
          /^s3\.[a-z0-9-]+\.amazonaws\.com$/,
        );
      }
    });
  },
);

describe("Kubernetes example", () => {
  const policy = JSON.parse(read("examples/kubernetes/iam-policy.json")) as Policy;
  const [deployment] = yamlDocuments("examples/kubernetes/deployment.yaml") as [
    { spec: { template: { spec: Record<string, unknown> } } },
  ];
  const [serviceAccount] = yamlDocuments("examples/kubernetes/service-account.yaml") as [
    { metadata: { name: string } },
  ];
  const pod = deployment.spec.template.spec as {
    serviceAccountName: string;
    containers: { env: { name: string; value: string }[] }[];
  };
  const env = Object.fromEntries(pod.containers[0]?.env.map((e) => [e.name, e.value]) ?? []);

  test("the runtime policy allows exec and nothing that writes", () => {
    expect(EXEC_ACTIONS).toEqual(expect.arrayContaining(actionsOf(policy)));
  });

  test("the pod runs as the service account that carries the role", () => {
    expect(pod.serviceAccountName).toBe(serviceAccount.metadata.name);
  });

  test("the policy grants exactly the object and the key the pod reads", () => {
    const uri = env.S3_KMS_ENV_URI ?? "";
    const resources = policy.Statement.flatMap((s) => list(s.Resource));
    expect(uri).toMatch(/^s3:\/\//);
    expect(resources).toEqual(
      expect.arrayContaining([`arn:aws:s3:::${uri.slice(5)}`, env.S3_KMS_ENV_KMS_KEY_ID]),
    );
  });
});

describe("Kubernetes render example (init container writes a file in memory)", () => {
  interface Mount {
    name: string;
    mountPath: string;
    readOnly?: boolean;
  }
  interface Container {
    command?: string[];
    args?: string[];
    env?: { name: string; value: string }[];
    volumeMounts?: Mount[];
  }
  const [deployment] = yamlDocuments("examples/kubernetes/render-deployment.yaml") as [
    { spec: { template: { spec: Record<string, unknown> } } },
  ];
  const pod = deployment.spec.template.spec as {
    serviceAccountName: string;
    volumes: { name: string; emptyDir?: { medium?: string } }[];
    initContainers: Container[];
    containers: Container[];
  };
  const [init] = pod.initContainers;
  const [app] = pod.containers;
  const command = init?.command ?? [];
  const output = command[command.indexOf("-o") + 1] ?? "";
  const mountOf = (c: Container | undefined): Mount | undefined =>
    c?.volumeMounts?.find((m) => output.startsWith(`${m.mountPath}/`));

  test("the init container renders one trusted object to a file, with the release binary", () => {
    expect(command.slice(0, 2)).toEqual(["/s3-kms-env", "render"]);
    expect(command.filter((a) => a.startsWith("s3://"))).toHaveLength(1);
    expect(command).not.toContain("--allow-disk");
    expect(Object.keys(opsCommands)).toContain(command[1]);
    const env = Object.fromEntries(init?.env?.map((e) => [e.name, e.value]) ?? []);
    expect(env.S3_KMS_ENV_KMS_KEY_ID).toMatch(/^arn:aws:kms:[^:]+:\d{12}:key\/[0-9a-f-]+$/);
  });

  test("the file goes to an in-memory emptyDir that the app mounts read-only", () => {
    const mount = mountOf(init);
    expect(mount).toBeDefined();
    const volume = pod.volumes.find((v) => v.name === mount?.name);
    expect(volume?.emptyDir?.medium).toBe("Memory");
    expect(mountOf(app)).toEqual({ ...mount, readOnly: true });
  });

  test("the app reads the file the init container wrote", () => {
    expect(app?.args).toContain(output);
  });

  test("runs as the service account of the other example", () => {
    const [serviceAccount] = yamlDocuments("examples/kubernetes/service-account.yaml") as [
      { metadata: { name: string } },
    ];
    expect(pod.serviceAccountName).toBe(serviceAccount.metadata.name);
  });
});

describe("Dockerfile.example", () => {
  const dockerfile = read("Dockerfile.example");
  const instruction = (name: string): string[] =>
    dockerfile
      .split("\n")
      .filter((line) => line.startsWith(`${name} `))
      .map((line) => line.slice(name.length + 1));

  test("its ENTRYPOINT starts, with exec --, the binary the build stage made", () => {
    const copies = instruction("COPY").filter((c) => c.includes("s3-kms-env-linux-x64"));
    expect(copies).toHaveLength(1);
    const [from, source, target] = copies[0]?.split(/\s+/) ?? [];
    expect([from, source]).toEqual(["--from=build", "/src/dist/s3-kms-env-linux-x64"]);
    const entrypoints = instruction("ENTRYPOINT");
    expect(entrypoints).toHaveLength(1);
    expect(JSON.parse(entrypoints[0] ?? "")).toEqual([target, "exec", "--"]);
    expect(target).toBe("/usr/local/bin/s3-kms-env");
  });

  test("names the trusted KMS key by ARN, without which exec refuses to start", () => {
    // A continuation line of the ENV instruction.
    expect(dockerfile).toMatch(
      /^\s*S3_KMS_ENV_KMS_KEY_ID=arn:aws:kms:[^:]+:\d{12}:key\/[0-9a-f-]+ \\$/m,
    );
  });

  test("builds the binary with the project's script, and its app image has no Node", () => {
    expect(instruction("RUN")).toContain("npm run build:binary");
    expect(instruction("FROM").at(-1)).not.toMatch(/node/);
  });

  test("its app image gets libatomic, which the binary needs and slim images lack", () => {
    expect(dockerfile).toMatch(/apt-get install [^\n]*libatomic1=/);
  });

  test("passes hadolint", () => {
    expect(run("hadolint", ["Dockerfile.example"])).toEqual({ status: 0, output: "" });
  });
});

describe("Dockerfile.release", () => {
  const lines = read("Dockerfile.release")
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"));

  test("holds only the release binary of each architecture, at /s3-kms-env, on scratch", () => {
    expect(lines).toEqual([
      "ARG TARGETARCH",
      "FROM scratch AS release-amd64",
      "COPY --chmod=0755 release/s3-kms-env-linux-x64 /s3-kms-env",
      "FROM scratch AS release-arm64",
      "COPY --chmod=0755 release/s3-kms-env-linux-arm64 /s3-kms-env",
      "FROM release-${TARGETARCH}",
    ]);
  });

  test("its build context is the two binaries that npm run release makes", () => {
    const ignore = read("Dockerfile.release.dockerignore")
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("#"));
    expect(ignore).toEqual([
      "*",
      "!release/s3-kms-env-linux-x64",
      "!release/s3-kms-env-linux-arm64",
    ]);
    const release = read("scripts/release.mjs");
    expect(release).toContain('const ARCHES = ["x64", "arm64"];');
    expect(release).toContain("`${name}-linux-${arch}`");
  });

  test("passes hadolint", () => {
    expect(run("hadolint", ["Dockerfile.release"])).toEqual({ status: 0, output: "" });
  });
});

describe("compose (Rancher) example", () => {
  test("runs an init as PID 1 to reap the app's orphans", () => {
    const [compose] = yamlDocuments("examples/rancher/docker-compose.yml") as [
      { services: Record<string, { init?: boolean; environment?: Record<string, string> }> },
    ];
    for (const service of Object.values(compose.services)) {
      expect(service.init).toBe(true);
      expect(service.environment?.S3_KMS_ENV_URI).toMatch(/^s3:\/\//);
      expect(service.environment?.S3_KMS_ENV_KMS_KEY_ID).toMatch(/^arn:aws:kms:.*:key\//);
    }
  });
});

describe("ops scripts", () => {
  const scripts = readdirSync(path.join(ROOT, "examples/ops"))
    .filter((f) => f.endsWith(".sh"))
    .map((f) => `examples/ops/${f}`);

  test("there are upload and rotate scripts, and they pass shellcheck", () => {
    expect(scripts).toEqual(
      expect.arrayContaining(["examples/ops/upload.sh", "examples/ops/rotate.sh"]),
    );
    expect(run("shellcheck", scripts)).toEqual({ status: 0, output: "" });
  });

  test("they use only commands the tool has", () => {
    const commands = scripts.flatMap((file) =>
      [...read(file).matchAll(/^\s*s3-kms-env (\w+)/gm)].map((m) => m[1]),
    );
    expect(commands.length).toBeGreaterThan(0);
    expect(Object.keys(opsCommands)).toEqual(expect.arrayContaining(commands));
  });
});

describe("Splunk dashboard", () => {
  const xml = read("examples/splunk/s3-kms-env-dashboard.xml");
  const dashboard = new XMLParser({ ignoreAttributes: false }).parse(xml) as {
    dashboard: { label: string; fieldset: { input: { "@_token": string }[] } };
  };
  const queries = [...xml.matchAll(/<query>([\s\S]*?)<\/query>/g)].map((m) => m[1] ?? "");

  /** Every field an event can have, as Splunk's spath names them (arrays as name{}). */
  function eventFields(): Set<string> {
    const ctx = {
      version: "1",
      host: { host: "h", container: "c" },
      names: true,
      now: () => new Date(),
      elapsedMs: () => 1,
    };
    const loc = { bucket: "b", key: "k", versionId: undefined, uri: "s3://b/k" };
    const source = {
      uri: "",
      bucket: "",
      key: "",
      versionId: "",
      previousVersionId: "",
      kmsKeyArn: "",
    };
    const changes = { added: ["A"], changed: [], removed: [] };
    const caller = { arn: "arn", account: "1", userId: "u" };
    const events = [
      startEvent(ctx, [loc], [{ source: loc.uri, versionId: "v", kmsKeyArn: "k" }], ["A"]),
      startFailedEvent(ctx, [loc], "NO_SUCH_KEY"),
      opsEvent(ctx, "set", { sources: [source], changes }, caller),
    ];
    return new Set(
      events.flatMap((e) => [
        ...Object.entries(e).map(([k, v]) => (Array.isArray(v) ? `${k}{}` : k)),
        ...Object.keys(source),
        ...Object.keys(caller).map((k) => `caller.${k}`),
      ]),
    );
  }

  test("is well-formed Simple XML with a label, and every token it uses is an input", () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(dashboard.dashboard.label).toMatch(/s3-kms-env/);
    const inputs = dashboard.dashboard.fieldset.input.map((i) => i["@_token"]);
    const used = [...xml.matchAll(/\$(\w+)(?:\.\w+)?\$/g)].map((m) => m[1]);
    expect(inputs).toEqual(expect.arrayContaining([...new Set(used)]));
  });

  test("its searches read s3-kms-env's events, by event types that exist", () => {
    expect(queries.length).toBeGreaterThan(0);
    const types = ["start", "start_failed", "put", "set", "unset", "edit", "rollback", "rekey"];
    for (const query of queries) {
      expect(query).toMatch(/^sourcetype=s3-kms-env\n/);
      const named = [...query.matchAll(/event(?:=| IN \()([^)\n]*)/g)].flatMap((m) =>
        (m[1] ?? "").split(/,\s*/).map((t) => t.replace(/"/g, "").trim()),
      );
      expect(types).toEqual(expect.arrayContaining(named));
    }
  });

  test("the fields its tables show are fields of the events", () => {
    const fields = eventFields();
    const computed = ["_time", "last", "last_start", "starts", "count", "caller"];
    let checked = 0;
    for (const query of queries) {
      const shown = [...query.matchAll(/\| (?:table|stats [^\n]*? BY) ([^\n|]+)/g)].flatMap((m) =>
        (m[1] ?? "").trim().split(/\s+/),
      );
      const unknown = shown.filter((f) => !fields.has(f) && !computed.includes(f));
      expect(unknown).toEqual([]);
      checked += shown.length;
    }
    expect(checked).toBeGreaterThanOrEqual(16);
  });
});
