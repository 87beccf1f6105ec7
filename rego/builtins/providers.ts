/**
 * `providers.aws.sign_req(request, aws_config, time_ns)`: AWS Signature Version 4 over an
 * http.send-style request object, returning the request with its headers extended by
 * `Authorization`, `host`, `x-amz-date` (and `x-amz-content-sha256` for s3/glacier,
 * `x-amz-security-token` with a session token), computed the way OPA's SignV4 does: every request
 * header except authorization / user-agent / x-amzn-trace-id is signed; the payload is
 * `raw_body`, else `body` as compact JSON, else empty (or UNSIGNED-PAYLOAD when
 * `disable_payload_signing`). Pure computation: nothing is sent.
 * Differs from OPA: the canonical path is the URL's path as WHATWG URL escapes it (Go's
 * EscapedPath may escape a few characters differently).
 */
import { createHash, createHmac } from "node:crypto";
import { Decimal, RObject, isNumber, type Value } from "../value";
import { BuiltinError, defineAll, operandError } from "./types";
import { marshalJSON } from "./encoding";

const NAME = "providers.aws.sign_req";
const IGNORED_HEADERS = new Set(["authorization", "user-agent", "x-amzn-trace-id"]);

function field(obj: RObject, key: string, what: string, required: boolean): string | undefined {
  const v = obj.get(key);
  if (v === undefined) {
    if (required) throw new BuiltinError(`${NAME}: ${what} is missing required key '${key}'`);
    return undefined;
  }
  if (typeof v !== "string")
    throw new BuiltinError(`${NAME}: ${what} key '${key}' must be a string`);
  return v;
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) =>
  createHmac("sha256", key).update(data).digest();

function signRequest(args: Value[]): Value {
  const [req, cfg, ts] = args;
  if (!(req instanceof RObject)) throw operandError(NAME, 1, "object", req);
  if (!(cfg instanceof RObject)) throw operandError(NAME, 2, "object", cfg);
  if (!isNumber(ts)) throw operandError(NAME, 3, "number", ts);

  const accessKey = field(cfg, "aws_access_key", "aws_config", true) as string;
  const secretKey = field(cfg, "aws_secret_access_key", "aws_config", true) as string;
  const service = field(cfg, "aws_service", "aws_config", true) as string;
  const region = field(cfg, "aws_region", "aws_config", true) as string;
  const sessionToken = field(cfg, "aws_session_token", "aws_config", false);
  const unsigned = cfg.get("disable_payload_signing") === true;
  // OPA signs the method exactly as written (`"get"` stays lower case) and the path as Go's
  // URL.EscapedPath gives it: empty for `http://example.com`, where WHATWG URL says "/".
  const method = field(req, "method", "request", true) as string;
  const rawUrl = field(req, "url", "request", true) as string;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new BuiltinError(`${NAME}: request url is not a valid URL`);
  }
  const hasPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(rawUrl);

  const rawBody = field(req, "raw_body", "request", false);
  const body = req.get("body");
  const payload = rawBody ?? (body === undefined ? "" : marshalJSON(body));
  const payloadHash = unsigned ? "UNSIGNED-PAYLOAD" : sha256Hex(payload);

  const when = new Date(Number(BigInt(ts instanceof Decimal ? ts.toNumber() : ts) / 1_000_000n));
  const iso = when
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = iso.slice(0, 8);

  const awsHeaders: Record<string, string> = { host: url.host, "x-amz-date": iso };
  if (service === "s3" || service === "glacier") awsHeaders["x-amz-content-sha256"] = payloadHash;
  if (sessionToken) awsHeaders["x-amz-security-token"] = sessionToken;

  const headers = req.get("headers");
  if (headers !== undefined && !(headers instanceof RObject))
    throw new BuiltinError(`${NAME}: request headers must be an object`);
  const toSign = new Map<string, string>(Object.entries(awsHeaders));
  const original: [Value, Value][] = [];
  for (const [k, v] of headers instanceof RObject ? headers.entries() : []) {
    original.push([k, v]);
    const name = String(k).toLowerCase();
    if (!IGNORED_HEADERS.has(name)) toSign.set(name, typeof v === "string" ? v : marshalJSON(v));
  }
  const names = [...toSign.keys()].sort();
  const canonical = [
    method,
    hasPath ? url.pathname : "",
    url.search.replace(/^\?/, ""),
    ...names.map((n) => `${n}:${toSign.get(n)}`),
    "",
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSignText = ["AWS4-HMAC-SHA256", iso, scope, sha256Hex(canonical)].join("\n");
  let key: Buffer = hmac("AWS4" + secretKey, day);
  for (const part of [region, service, "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSignText).digest("hex");

  const signed = new RObject([
    ...original,
    [
      "Authorization",
      `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope},SignedHeaders=${names.join(";")},Signature=${signature}`,
    ],
    ...Object.entries(awsHeaders),
  ]);
  return new RObject([...[...req.entries()].filter(([k]) => k !== "headers"), ["headers", signed]]);
}

export const builtins = defineAll([{ name: NAME, arity: 3, impl: signRequest }]);
