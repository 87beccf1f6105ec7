/**
 * Reads every audit log given, as Vault wrote them, into one stream of distinct responses:
 *
 * - Files are grouped into devices (one device's rotated files — `audit.log.2.gz`, `audit.log.1`,
 *   `audit.log` — are one chain, oldest first) and the devices are merged by time.
 * - Vault sends every entry to every audit device and only needs one to succeed, so the complete
 *   picture is the union of the devices: an entry seen in several devices (same `request.id` and
 *   type) counts once. Because the merge is in time order, remembering the ids of the last few
 *   minutes is enough — memory stays flat however long the logs are.
 * - Requests are paired with their responses by `request.id`; either side missing is counted.
 * - A line that is not a usable entry is reported with file:line and skipped, never fatal.
 */
import { basename, dirname, resolve } from "node:path";
import { readLineBatches, type ReadFault } from "./lines";
import { HMAC_PREFIX, parseEntry, type AuditEntry, type ResponseEntry } from "./entry";

export interface LogProblem {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

export interface DeviceInfo {
  /** Name used for the device: its Vault path when known, else the log's file stem. */
  readonly name: string;
  /** Files of the chain, oldest first. */
  readonly files: readonly string[];
  /** Responses whose accessor was HMAC'd, and ones logged raw (hmac_accessor=false). */
  hashedAccessors: number;
  rawAccessors: number;
  entries: number;
}

export interface CollectStats {
  readonly devices: DeviceInfo[];
  lines: number;
  /** Distinct entries after merging devices. */
  requests: number;
  responses: number;
  /** Entries dropped because another device (or a repeated file) already had them. */
  duplicates: number;
  /** Requests with no response in the logs (Vault stopped, or the log was cut). */
  requestsWithoutResponse: number;
  /** Responses whose request is not in the logs (the log starts mid-flight). */
  responsesWithoutRequest: number;
  /** Requests refused by the ACL, logged by Vault as a request line only. */
  denials: number;
  problemCount: number;
  /** Problems by kind, counted. */
  readonly problemKinds: Record<string, number>;
  /** The first problems, each with file:line. */
  readonly problems: LogProblem[];
}

export interface CollectOptions {
  /** Explicit device name for a file (from --device), if any. */
  readonly deviceOf?: (file: string) => string | undefined;
  /** How far apart two copies of one entry may be in time and still be recognised (default 5 min). */
  readonly dedupWindowMs?: number;
  /** How many problems to keep with their file:line (all are counted). */
  readonly keepProblems?: number;
  /** Every distinct response, in time order, with the key of the token that made it. */
  readonly onResponse: (e: ResponseEntry, tokenKey: string | undefined) => void;
  /**
   * Two token keys are the same token: one request was logged by two devices, each with its own
   * HMAC of the accessor (or one raw, one HMAC'd).
   */
  readonly onSameToken?: (a: string, b: string) => void;
  /** Called about once per `progressEvery` lines (default 100,000). */
  readonly onProgress?: (lines: number) => void;
  readonly progressEvery?: number;
}

const RAW_KEY = "raw|";

/**
 * A token's key: its accessor as one device logged it. HMACs are salted per device, so a hashed
 * accessor is only meaningful with its device; a raw accessor is the same everywhere.
 */
export function tokenKeyOf(device: string, accessor: string | undefined): string | undefined {
  if (accessor === undefined) return undefined;
  return accessor.startsWith(HMAC_PREFIX) ? `${device}|${accessor}` : RAW_KEY + accessor;
}

export function splitTokenKey(key: string): { device?: string; accessor: string; raw: boolean } {
  if (key.startsWith(RAW_KEY)) return { accessor: key.slice(RAW_KEY.length), raw: true };
  const bar = key.indexOf("|");
  return { device: key.slice(0, bar), accessor: key.slice(bar + 1), raw: false };
}

/** `audit.log.2.gz` → `audit.log`; `audit.log-20261101.gz` → `audit.log`. */
export function logStem(file: string): string {
  let s = basename(file);
  for (;;) {
    const next = s.replace(/\.gz$/, "").replace(/[.-]\d+$/, "");
    if (next === s || next === "") return s;
    s = next;
  }
}

/** Older first: `.3` before `.2` before `.1` before the live file; dated suffixes by date. */
function rotationOrder(file: string): number {
  const m = /[.-](\d+)(?:\.gz)?$/.exec(basename(file));
  if (!m) return Number.MAX_SAFE_INTEGER;
  const n = Number(m[1]);
  return m[1].length >= 8 ? n : -n; // 20261101 is a date (ascending); 1, 2, 3 are rotation counts
}

export function groupDevices(
  files: readonly string[],
  deviceOf?: (file: string) => string | undefined,
): DeviceInfo[] {
  const byKey = new Map<string, { name: string; files: string[] }>();
  const seen = new Set<string>();
  for (const f of files) {
    const abs = resolve(f);
    if (seen.has(abs)) continue; // the same file twice is read once
    seen.add(abs);
    const explicit = deviceOf?.(f);
    const name = explicit ?? logStem(f);
    const key = explicit !== undefined ? `device:${explicit}` : `${dirname(abs)}/${name}`;
    const d = byKey.get(key) ?? { name, files: [] };
    d.files.push(f);
    byKey.set(key, d);
  }
  // Two directories with an audit.log each are two devices: name them by directory too.
  const stemCount = new Map<string, number>();
  for (const d of byKey.values()) stemCount.set(d.name, (stemCount.get(d.name) ?? 0) + 1);
  const out: DeviceInfo[] = [];
  for (const [key, d] of byKey) {
    const clash = (stemCount.get(d.name) ?? 0) > 1 && !key.startsWith("device:");
    out.push({
      name: clash ? `${basename(dirname(resolve(d.files[0])))}/${d.name}` : d.name,
      files: d.files.sort((a, b) => rotationOrder(a) - rotationOrder(b)),
      hashedAccessors: 0,
      rawAccessors: 0,
      entries: 0,
    });
  }
  return out;
}

interface Slot {
  readonly t: number;
  readonly key: string | undefined;
  /** Registered by a denied request line: its response, if Vault writes one, is no duplicate. */
  readonly denial?: boolean;
}

/** One device's files as a cursor over parsed entries, refilled a batch at a time. */
class DeviceCursor {
  buf: AuditEntry[] = [];
  i = 0;
  private done = false;
  private readonly it: AsyncIterator<AuditEntry[]>;
  constructor(
    readonly device: DeviceInfo,
    stats: CollectStats,
    problem: (p: LogProblem) => void,
    progress: () => void,
  ) {
    this.it = deviceEntries(device, stats, problem, progress);
  }
  async fill(): Promise<boolean> {
    while (this.i >= this.buf.length && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        this.buf = r.value;
        this.i = 0;
      }
    }
    return this.i < this.buf.length;
  }
}

async function* deviceEntries(
  device: DeviceInfo,
  stats: CollectStats,
  problem: (p: LogProblem) => void,
  progress: () => void,
): AsyncGenerator<AuditEntry[]> {
  for (const file of device.files) {
    const onFault = (f: ReadFault) => problem({ file: f.file, line: f.line, problem: f.message });
    for await (const batch of readLineBatches(file, onFault)) {
      const out: AuditEntry[] = [];
      const last = batch.lines.length - 1;
      for (let k = 0; k <= last; k++) {
        const line = batch.lines[k];
        stats.lines++;
        const e = parseEntry(line);
        if ("problem" in e) {
          const cut = k === last && batch.endsMidLine;
          problem({
            file,
            line: batch.firstLine + k,
            problem: cut ? "file ends mid-line (truncated)" : e.problem,
          });
          continue;
        }
        out.push(e);
      }
      progress();
      if (out.length > 0) yield out;
    }
  }
}

export async function collect(
  files: readonly string[],
  opts: CollectOptions,
): Promise<CollectStats> {
  const devices = groupDevices(files, opts.deviceOf);
  const stats: CollectStats = {
    devices,
    lines: 0,
    requests: 0,
    responses: 0,
    duplicates: 0,
    requestsWithoutResponse: 0,
    responsesWithoutRequest: 0,
    denials: 0,
    problemCount: 0,
    problemKinds: {},
    problems: [],
  };
  const keep = opts.keepProblems ?? 200;
  const problem = (p: LogProblem) => {
    stats.problemCount++;
    stats.problemKinds[p.problem] = (stats.problemKinds[p.problem] ?? 0) + 1;
    if (stats.problems.length < keep) stats.problems.push(p);
  };
  const every = opts.progressEvery ?? 100_000;
  let nextProgress = every;
  const progress = () => {
    if (opts.onProgress && stats.lines >= nextProgress) {
      nextProgress = stats.lines + every;
      opts.onProgress(stats.lines);
    }
  };
  const window = opts.dedupWindowMs ?? 5 * 60_000;
  // Entries seen in the last `window`, in (merged) time order: "q<id>" for requests, "s<id>" for
  // responses. The oldest are dropped as time moves on.
  const seen = new Map<string, Slot>();
  // Requests still waiting for their response, oldest first.
  const pending = new Map<string, number>();
  let nextSweep = -Infinity;

  const cursors: DeviceCursor[] = [];
  for (const d of devices) {
    const c = new DeviceCursor(d, stats, problem, progress);
    if (await c.fill()) cursors.push(c);
  }
  while (cursors.length > 0) {
    let best = 0;
    for (let k = 1; k < cursors.length; k++)
      if (cursors[k].buf[cursors[k].i].timeMs < cursors[best].buf[cursors[best].i].timeMs) best = k;
    const c = cursors[best];
    const e = c.buf[c.i++];
    accept(e, c.device);
    if (c.i >= c.buf.length && !(await c.fill())) cursors.splice(best, 1);
  }
  stats.requestsWithoutResponse += pending.size;
  return stats;

  function keyOf(e: ResponseEntry, device: DeviceInfo): string | undefined {
    if (e.accessor === undefined) return undefined;
    if (e.accessor.startsWith(HMAC_PREFIX)) device.hashedAccessors++;
    else device.rawAccessors++;
    return tokenKeyOf(device.name, e.accessor);
  }

  function accept(e: AuditEntry, device: DeviceInfo): void {
    device.entries++;
    const t = e.timeMs;
    // Forget what is too old to have a copy still coming (checked once a second of log time).
    if (t >= nextSweep) {
      nextSweep = t + 1000;
      for (const [k, slot] of seen) {
        if (slot.t >= t - window) break;
        seen.delete(k);
      }
      for (const [k, pt] of pending) {
        if (pt >= t - window) break;
        pending.delete(k);
        stats.requestsWithoutResponse++;
      }
    }
    if (e.type === "request") {
      const k = "q" + e.id;
      const prior = seen.get(k);
      if (prior !== undefined) {
        stats.duplicates++;
        const key = e.denial && keyOf(e.denial, device);
        if (prior.key !== undefined && key !== undefined && prior.key !== key)
          opts.onSameToken?.(prior.key, key);
        return;
      }
      stats.requests++;
      if (e.denial === undefined) {
        seen.set(k, { t, key: undefined });
        pending.set(e.id, t);
        return;
      }
      // Refused by the ACL: Vault writes no response for it, so the request line is the use.
      const key = keyOf(e.denial, device);
      seen.set(k, { t, key });
      seen.set("s" + e.id, { t, key, denial: true });
      stats.denials++;
      opts.onResponse(e.denial, key);
      return;
    }
    const tokenKey = keyOf(e, device);
    const k = "s" + e.id;
    const prior = seen.get(k);
    if (prior?.denial) {
      // A Vault that also logs a response for a refused request: paired, already counted.
      seen.set(k, { t, key: prior.key });
      stats.responses++;
      return;
    }
    if (prior !== undefined) {
      stats.duplicates++;
      if (prior.key !== undefined && tokenKey !== undefined && prior.key !== tokenKey)
        opts.onSameToken?.(prior.key, tokenKey);
      return;
    }
    seen.set(k, { t, key: tokenKey });
    if (!pending.delete(e.id)) stats.responsesWithoutRequest++;
    stats.responses++;
    opts.onResponse(e, tokenKey);
  }
}
