// Reading S3's error answer on exec's lean path: the XML body (the parser is
// loaded only on an error) and the bucket's region header, classified by the
// one table in s3/errors.ts.
import type { Readable } from "node:stream";
import type { HeaderBag } from "@smithy/types";
import { S3KmsEnvError } from "../errors";
import { readSmall } from "../aws/lean-call";
import { classifyS3Error } from "../s3/errors";
import type { S3Location } from "../s3/location";

interface S3ErrorBody {
  readonly code: string | undefined;
  readonly message: string;
}

async function parseErrorBody(text: string): Promise<S3ErrorBody> {
  if (text.trim() === "") return { code: undefined, message: "" };
  const { XMLParser } = await import("fast-xml-parser");
  try {
    const doc = new XMLParser({ parseTagValue: false }).parse(text) as {
      Error?: { Code?: unknown; Message?: unknown };
    };
    const code = typeof doc.Error?.Code === "string" ? doc.Error.Code : undefined;
    const message = typeof doc.Error?.Message === "string" ? doc.Error.Message : "";
    return { code, message };
  } catch {
    return { code: undefined, message: "" };
  }
}

export async function s3ErrorFromResponse(
  status: number,
  headers: HeaderBag,
  stream: Readable,
  loc: S3Location,
): Promise<S3KmsEnvError> {
  const body = await parseErrorBody(await readSmall(stream));
  const { code, message } = classifyS3Error(
    {
      code: body.code,
      status,
      message: body.message,
      bucketRegion: headers["x-amz-bucket-region"],
    },
    {
      uri: loc.uri,
      bucket: loc.bucket,
      versionId: loc.versionId,
      action: "GetObject",
      caller: "exec",
    },
  );
  return new S3KmsEnvError(code, message);
}
