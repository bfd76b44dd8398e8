// CloudWatch Embedded Metric Format: the `_aws` block that makes CloudWatch
// Logs turn an audit event into metrics when stderr goes there (awslogs,
// Fluent Bit, Lambda-like runtimes), with no API call and no credentials.
// Every metric and dimension named in the block is a member of the event's
// root, as the specification requires. Each directive lists the empty
// dimension set first, so an alarm can watch the total.
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
import type { AuditEvent } from "./event";

export const EMF_NAMESPACE = "s3-kms-env";

// CloudWatch takes dimension values of up to 1024 characters.
const DIMENSION_MAX = 1024;

type Unit = "Count" | "Milliseconds";

interface Metric {
  readonly name: string;
  readonly unit: Unit;
  readonly value: number;
}

function directive(
  timestamp: number,
  dimensions: Readonly<Record<string, string>>,
  metrics: readonly Metric[],
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: EMF_NAMESPACE,
          Dimensions: [[], ...Object.keys(dimensions).map((d) => [d])],
          Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(metrics.map((m) => [m.name, m.value])),
  };
}

/** The sources of a start as one dimension value: their URIs without version, in order. */
export function sourceDimension(event: AuditEvent): string {
  return event.sources
    .map((s) => (s.bucket === undefined ? s.uri : `s3://${s.bucket}/${s.key ?? ""}`))
    .join(",")
    .slice(0, DIMENSION_MAX);
}

/**
 * The event with its metrics: a start gives Starts and StartMs (dimension
 * Source), a failed start StartFailures (dimension ErrorCode), an ops write
 * Writes (dimension Operation), a failed one WriteFailures (dimensions
 * Operation and ErrorCode).
 */
export function withEmf(
  event: AuditEvent,
  timestamp: number,
): AuditEvent & Readonly<Record<string, unknown>> {
  switch (event.event) {
    case "start":
      return {
        ...event,
        ...directive(timestamp, { Source: sourceDimension(event) }, [
          { name: "Starts", unit: "Count", value: 1 },
          { name: "StartMs", unit: "Milliseconds", value: event.ms },
        ]),
      };
    case "start_failed":
      return {
        ...event,
        ...directive(timestamp, { ErrorCode: event.code ?? "UNKNOWN" }, [
          { name: "StartFailures", unit: "Count", value: 1 },
        ]),
      };
    case "write_failed":
      return {
        ...event,
        ...directive(
          timestamp,
          { Operation: event.operation ?? "UNKNOWN", ErrorCode: event.code ?? "UNKNOWN" },
          [{ name: "WriteFailures", unit: "Count", value: 1 }],
        ),
      };
    default:
      return {
        ...event,
        ...directive(timestamp, { Operation: event.event }, [
          { name: "Writes", unit: "Count", value: 1 },
        ]),
      };
  }
}
