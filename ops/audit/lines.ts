/**
 * Streams a log file as batches of lines, never holding the file in memory: a 1 GB audit log is
 * read in 256 KB chunks whatever its size. Gzip is recognised by its magic bytes (rotated logs are
 * often `audit.log.2.gz`, but a renamed file must not be misread), and a gzip stream cut short is
 * reported, not thrown. The last line of a file that does not end in a newline is flagged, so a
 * log cut mid-write (a truncated file) can be told from a complete one.
 */
import { createReadStream, openSync, readSync, closeSync } from "node:fs";
import { createGunzip } from "node:zlib";

export interface LineBatch {
  /** Lines without their "\n" (a "\r" before it is dropped too). */
  readonly lines: string[];
  /** 1-based line number of lines[0]. */
  readonly firstLine: number;
  /** The batch's last line is the file's last and had no newline after it. */
  readonly endsMidLine: boolean;
}

/** What went wrong reading the file itself (not a line in it). */
export interface ReadFault {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const CHUNK = 1 << 18;
const BATCH_LINES = 256;

export function isGzipFile(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    const n = readSync(fd, head, 0, 2, 0);
    return n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Yields the file's lines in batches. A fault in the byte stream (an unreadable file, a corrupt or
 * truncated gzip member) ends the file early: it is passed to `onFault` with the line reached,
 * and the lines read before it are still yielded.
 */
export async function* readLineBatches(
  file: string,
  onFault: (f: ReadFault) => void,
): AsyncGenerator<LineBatch> {
  let gz: boolean;
  try {
    gz = isGzipFile(file);
  } catch (err) {
    onFault({ file, line: 0, message: describeFsError(err) });
    return;
  }
  const raw = createReadStream(file, { highWaterMark: CHUNK });
  const source: NodeJS.ReadableStream = gz ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
  if (gz) raw.on("error", (e) => (source as NodeJS.ReadWriteStream).emit("error", e));
  // Lines are found in the bytes and decoded one by one: cheaper than decoding each chunk to one
  // big string and slicing it (UTF-8 never has a 0x0A byte inside a character).
  let carry: Buffer | undefined;
  let rest = "";
  let lineNo = 1;
  let batch: string[] = [];
  let batchStart = 1;
  try {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      let start = 0;
      if (carry !== undefined) {
        // Finish the line cut by the chunk boundary, copying only its two parts.
        const nl = buf.indexOf(10);
        if (nl === -1) {
          carry = Buffer.concat([carry, buf]);
          continue;
        }
        const head = Buffer.concat([carry, buf.subarray(0, nl)]);
        const end = head.length > 0 && head[head.length - 1] === 13 ? head.length - 1 : head.length;
        batch.push(head.toString("utf8", 0, end));
        lineNo++;
        carry = undefined;
        start = nl + 1;
      }
      let nl = buf.indexOf(10, start);
      while (nl !== -1) {
        const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
        batch.push(buf.toString("utf8", start, end));
        lineNo++;
        start = nl + 1;
        nl = buf.indexOf(10, start);
      }
      if (start < buf.length) carry = buf.subarray(start);
      if (batch.length >= BATCH_LINES) {
        yield { lines: batch, firstLine: batchStart, endsMidLine: false };
        batch = [];
        batchStart = lineNo;
      }
    }
    if (carry !== undefined) rest = carry.toString("utf8");
  } catch (err) {
    const what = gz ? "gzip stream ends early or is corrupt" : "read failed";
    onFault({ file, line: lineNo, message: `${what} (${describeFsError(err)})` });
    // A partial last line before a fault is not a line: it is dropped with the fault reported.
    rest = "";
  }
  if (rest !== "") batch.push(rest);
  if (batch.length > 0) yield { lines: batch, firstLine: batchStart, endsMidLine: rest !== "" };
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return "no such file";
  if (e.code === "EACCES") return "permission denied";
  if (e.code === "EISDIR") return "is a directory";
  if (e.code === "Z_BUF_ERROR" || e.code === "Z_DATA_ERROR") return e.message;
  return e.code ?? e.message;
}
