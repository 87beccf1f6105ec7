/**
 * One line of a Vault file audit device → the few facts the review needs. Vault writes one JSON
 * object per line, `type` "request" or "response", the two matched by `request.id`. A response
 * line repeats the request and auth objects, so it alone says who did what and how it ended; a
 * request line only needs its id and time (to pair it and to notice requests that never got a
 * response). Values Vault HMACs (client tokens, by default accessors) stay as logged; the client
 * token and request/response data are never kept, so nothing secret can reach a report.
 */

export const HMAC_PREFIX = "hmac-sha256:";

export interface RequestEntry {
  readonly type: "request";
  readonly id: string;
  readonly timeMs: number;
  /**
   * A request the ACL refused. Vault logs it as a request line carrying the error and writes no
   * response line (vault/request_handling.go checks the token before routing), so the request
   * line is the only record of the attempt: it is read in full, as a use that was denied.
   */
  readonly denial?: ResponseEntry;
}

export interface ResponseEntry {
  readonly type: "response";
  readonly id: string;
  readonly timeMs: number;
  /** Token accessor as logged: `hmac-sha256:<hex>` or, with hmac_accessor=false, the accessor. */
  readonly accessor?: string;
  readonly displayName?: string;
  /** auth.policies (token and identity policies). */
  readonly policies: readonly string[];
  /** auth.metadata: token meta, written in plain text. */
  readonly metadata: Readonly<Record<string, string>>;
  /** auth.token_issue_time, ms. */
  readonly tokenIssueMs?: number;
  readonly operation: string;
  readonly path: string;
  readonly remoteAddress?: string;
  readonly namespace?: string;
  /** The request was refused for lack of permission (HTTP 403 "permission denied"). */
  readonly denied: boolean;
  /**
   * Vault logged another error. Its text is not kept: Vault echoes request input in some errors
   * ("error converting input {…}"), which could hold a secret.
   */
  readonly failed: boolean;
}

export type AuditEntry = RequestEntry | ResponseEntry;

export interface EntryProblem {
  readonly problem: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses one line; a problem (said in a few words) when it is not a usable audit entry. */
export function parseEntry(line: string): AuditEntry | EntryProblem {
  const request = requestByPrefix(line);
  if (request !== undefined) return request;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { problem: line.trim() === "" ? "empty line" : "not valid JSON" };
  }
  return entryFromObject(v);
}

export function entryFromObject(v: unknown): AuditEntry | EntryProblem {
  if (!isObj(v)) return { problem: "not a JSON object" };
  const type = v.type;
  if (type !== "request" && type !== "response") {
    return {
      problem:
        type === undefined
          ? "no `type` field"
          : `\`type\` is not request or response (${short(type)})`,
    };
  }
  const timeMs = typeof v.time === "string" ? Date.parse(v.time) : NaN;
  if (!Number.isFinite(timeMs)) return { problem: "`time` missing or not an RFC 3339 time" };
  const req = v.request;
  if (!isObj(req)) return { problem: "no `request` object" };
  const id = req.id;
  if (typeof id !== "string" || id === "") return { problem: "no `request.id`" };
  const auth = isObj(v.auth) ? v.auth : {};
  const resp = isObj(v.response) ? v.response : undefined;
  const err = typeof v.error === "string" ? v.error : "";
  const denied = isDenied(err, auth, resp);
  if (type === "request") {
    if (!denied) return { type, id, timeMs };
    return { type, id, timeMs, denial: useOf(v, req, auth, id, timeMs, true, false) };
  }
  return useOf(v, req, auth, id, timeMs, denied, err !== "" && !denied);
}

/** The facts of one use, from an entry's auth and request objects. */
function useOf(
  v: Obj,
  req: Obj,
  auth: Obj,
  id: string,
  timeMs: number,
  denied: boolean,
  failed: boolean,
): ResponseEntry {
  const meta: Record<string, string> = {};
  if (isObj(auth.metadata))
    for (const [k, val] of Object.entries(auth.metadata))
      if (typeof val === "string") meta[k] = val;
  const issue = typeof auth.token_issue_time === "string" ? Date.parse(auth.token_issue_time) : NaN;
  const accessor = str(auth.accessor) ?? str(req.client_token_accessor);
  const ns = isObj(req.namespace) ? str(req.namespace.path) : undefined;
  return {
    type: "response",
    id,
    timeMs,
    accessor,
    displayName: str(auth.display_name),
    policies: strings(auth.policies),
    metadata: meta,
    tokenIssueMs: Number.isFinite(issue) ? issue : undefined,
    operation: str(req.operation) ?? "",
    path: str(req.path) ?? "",
    remoteAddress: str(req.remote_address),
    namespace: ns,
    denied,
    failed,
  };
}

/**
 * Vault logs a refused request with the error "permission denied" (wrapped as "1 error occurred:
 * * permission denied" by some versions); Vault 1.15+ also says `auth.policy_results.allowed:
 * false`. A raw (log_raw) response may carry the HTTP status.
 */
function isDenied(err: string, auth: Obj, resp: Obj | undefined): boolean {
  if (err.includes("permission denied")) return true;
  if (isObj(auth.policy_results) && auth.policy_results.allowed === false) return true;
  const data = resp && isObj(resp.data) ? resp.data : undefined;
  return data !== undefined && data.http_status_code === 403;
}

const TIME_PREFIX = '{"time":"';
const TYPE_REQUEST = '","type":"request",';
const REQUEST_ID = '"request":{"id":"';

/**
 * Half of all lines are requests, and of a request only its id and time are used (its response
 * repeats everything else). Vault writes them as `{"time":"…","type":"request","auth":{…},
 * "request":{"id":"…",…}…}`, so both are read from the text without parsing the whole line —
 * the review's main saving over a full JSON.parse. The first `"request":{` after the type is the
 * top-level request (auth holds no object under that key; inside JSON strings every quote is
 * escaped, so the pattern cannot come from a value). Anything else — an `error` key, another
 * field order, an escape in the id or time, a line not ending in `}` — takes the full parse. The one thing given
 * up: damage after the id inside a request line that still ends in `}` goes unnoticed; no finding
 * depends on those bytes.
 */
function requestByPrefix(line: string): RequestEntry | undefined {
  if (!line.startsWith(TIME_PREFIX) || line.charCodeAt(line.length - 1) !== 125) return undefined;
  // An error (a denial above all) is read in full. Unescaped, `"error":` can only be a key.
  if (line.includes('"error":')) return undefined;
  const q = line.indexOf('"', TIME_PREFIX.length);
  if (q === -1 || !line.startsWith(TYPE_REQUEST, q)) return undefined;
  const r = line.indexOf(REQUEST_ID, q + TYPE_REQUEST.length);
  if (r === -1) return undefined;
  const idStart = r + REQUEST_ID.length;
  const idEnd = line.indexOf('"', idStart);
  if (idEnd <= idStart) return undefined;
  const id = line.slice(idStart, idEnd);
  const time = line.slice(TIME_PREFIX.length, q);
  if (id.includes("\\") || time.includes("\\")) return undefined;
  const timeMs = Date.parse(time);
  if (!Number.isFinite(timeMs)) return undefined;
  return { type: "request", id, timeMs };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 30 ? s.slice(0, 27) + "…" : s;
}
