// The CloudWatch Embedded Metric Format specification as a check: its
// document structure as a JSON schema (validated by ajv), and the rules a
// schema cannot express (every dimension key and metric name is a member of
// the root; dimension values are strings, metric values numbers).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
import Ajv from "ajv";

/** The units the specification allows (CloudWatch's StandardUnit). */
const UNITS = [
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
];

const NAME = { type: "string", minLength: 1, maxLength: 255 };

export const EMF_SCHEMA = {
  type: "object",
  required: ["_aws"],
  properties: {
    _aws: {
      type: "object",
      required: ["Timestamp", "CloudWatchMetrics"],
      additionalProperties: false,
      properties: {
        Timestamp: { type: "integer", minimum: 0 },
        CloudWatchMetrics: {
          type: "array",
          items: {
            type: "object",
            required: ["Namespace", "Dimensions", "Metrics"],
            additionalProperties: false,
            properties: {
              Namespace: { type: "string", minLength: 1, maxLength: 1024, pattern: "^[^\\s].*$" },
              Dimensions: {
                type: "array",
                items: { type: "array", maxItems: 30, items: NAME },
              },
              Metrics: {
                type: "array",
                maxItems: 100,
                items: {
                  type: "object",
                  required: ["Name"],
                  additionalProperties: false,
                  properties: {
                    Name: NAME,
                    Unit: { enum: UNITS },
                    StorageResolution: { enum: [1, 60] },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(EMF_SCHEMA);

interface Directive {
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly { readonly Name: string }[];
}

const isNumber = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);

/** Every way `doc` breaks the specification; [] for a valid EMF document. */
export function emfProblems(doc: unknown): string[] {
  if (!validate(doc)) {
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
  }
  const root = doc as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: readonly Directive[] };
  };
  return root._aws.CloudWatchMetrics.flatMap((d) => [
    ...d.Dimensions.flat()
      .filter((key) => {
        const value = root[key];
        return typeof value !== "string" || value.length > 1024;
      })
      .map((key) => `dimension ${key} is not a string of at most 1024 characters at the root`),
    ...d.Metrics.filter(
      ({ Name }) =>
        !isNumber(root[Name]) &&
        !(Array.isArray(root[Name]) && (root[Name] as unknown[]).every(isNumber)),
    ).map(({ Name }) => `metric ${Name} has no numeric value at the root`),
  ]);
}

/** The `_aws` block s3-kms-env writes: one directive, over the total and one dimension. */
export function emfBlock(
  dimensions: string | readonly string[],
  metrics: readonly (readonly [name: string, unit: string])[],
): Record<string, unknown> {
  return {
    Timestamp: expect.any(Number) as number,
    CloudWatchMetrics: [
      {
        Namespace: "s3-kms-env",
        Dimensions: [[], ...[dimensions].flat().map((d) => [d])],
        Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
      },
    ],
  };
}
