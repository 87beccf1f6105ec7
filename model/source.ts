/**
 * Manifest text → plain value, plus a ManifestSource that finds the line of any field *lazily*.
 *
 * Why this shape: `check` on a 10,000-need manifest must stay within 2× a bare YAML parse, so the
 * happy path pays for nothing it does not need. YAML is read with js-yaml's event parser and the
 * value is constructed from those events — together as fast as `jsYaml.load` — and what locating
 * needs of the events (kinds and source offsets) is kept in typed arrays, the events dropped. Only
 * when a field has an error or a finding does locate() index the sequences on the way to it (each
 * once), and offsets become line:column through a line-start table built on first use. JSON takes
 * the JSON.parse fast path; its events are produced on the first locate() only (JSON is YAML, so
 * the same walker serves both). A manifest in the plain shape most are written in skips js-yaml's
 * scanner: model/yaml-fast-events.ts reads it to the same value and the same index directly.
 */
import type { Event, Schema } from "js-yaml";
import type { ManifestSource } from "./types";
import { fastParseYaml, NODE as EVENT_ID, PLAIN_SCALAR } from "./yaml-fast-events";
import { ManifestError } from "./errors";

/**
 * js-yaml, loaded when a text needs it: a manifest in the plain shape is read without it (see
 * yaml-fast-events.ts), and loading it is ~10 ms of a ~0.3 s `check`.
 */
function jsYaml(): typeof import("js-yaml") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("js-yaml") as typeof import("js-yaml");
}

/** js-yaml's scalar styles (its SCALAR_STYLE), which the index reads from its events. */
const SCALAR_STYLE = { PLAIN: 1, SINGLE_QUOTED: 2, DOUBLE_QUOTED: 3 } as const;

let manifestSchema: Schema | undefined;
/**
 * YAML 1.2 core schema (so `expires: 2027-06-30` stays text and `on`/`no` are not booleans), plus
 * merge keys (`<<: *shared`), which manifests use to share settings between needs.
 */
export function manifestYamlSchema(): Schema {
  if (!manifestSchema) {
    const yaml = jsYaml();
    manifestSchema = yaml.CORE_SCHEMA.withTags(yaml.mergeTag);
  }
  return manifestSchema;
}

export type FieldPath = readonly (string | number)[];
export interface Position {
  line: number;
  column: number;
}

export interface ParsedText {
  readonly value: unknown;
  readonly source: ManifestSource;
}

/** A source with no text behind it (a manifest given as an object): no positions. */
export function objectSource(file: string): ManifestSource {
  return { file, locate: () => undefined };
}

/** Text decoded from bytes, or a one-line issue for what is not text. */
export function decodeManifestBytes(bytes: Uint8Array, file: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw notText(file, `binary data (a NUL byte at offset ${nul})`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw notText(file, "bytes that are not valid UTF-8");
  }
  return text;
}

function notText(file: string, what: string): ManifestError {
  return new ManifestError([
    {
      file,
      field: "",
      message: `is not a text file: it holds ${what}; expected a YAML or JSON manifest`,
    },
  ]);
}

/**
 * Parses manifest text (YAML or JSON, told apart by content). Throws ManifestError with one
 * positioned issue for empty input, non-text, and YAML/JSON syntax errors.
 */
export function parseText(rawText: string, file: string): ParsedText {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  try {
    const firstChar = /\S/.exec(text)?.[0];
    if (firstChar === "{" || firstChar === "[") return parseJsonText(text, file);
    return parseYamlText(text, file);
  } catch (err) {
    // Neither parser accepts raw control characters, so they are looked for only once a parse
    // failed (not on the happy path of a 2 MB manifest): then "binary data" is the better answer.
    throw controlCharacterIssue(text, file) ?? err;
  }
}

/** Control characters other than tab/newline/CR are never in a manifest: binary that decoded. */
function controlCharacterIssue(text: string, file: string): ManifestError | undefined {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const ctl = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (!ctl) return undefined;
  const { line, column } = new LineTable(text).position(ctl.index);
  const code = ctl[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase();
  return new ManifestError([
    {
      file,
      line,
      column,
      field: "",
      message: `is not a text file: control character U+${code}; expected a YAML or JSON manifest`,
    },
  ]);
}

function parseJsonText(text: string, file: string): ParsedText {
  try {
    const value: unknown = JSON.parse(text);
    return { value, source: new EventSource(file, text, undefined) };
  } catch (err) {
    // A flow-style YAML document also starts with `{`: accept it unless the file says it is JSON.
    let yamlError: ManifestError | undefined;
    try {
      const parsed = parseYamlText(text, file);
      if (!/\.json$/i.test(file)) return parsed;
    } catch (e) {
      if (e instanceof ManifestError) yamlError = e;
    }
    // V8's JSON messages sometimes quote the whole input: keep only the reason, and take the
    // position from the message when it has one, else from the YAML parser's view of the error.
    const msg = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(msg);
    const reason = msg
      .replace(/, (\.\.\.)?".*" is not valid JSON$/s, "")
      .replace(/\s*\(line \d+ column \d+\)/, "")
      .replace(/,? (in JSON )?at position \d+/, "")
      .replace(/ in JSON$/, "");
    let line = yamlError?.issues[0]?.line;
    let column = yamlError?.issues[0]?.column;
    if (at) ({ line, column } = new LineTable(text).position(Math.min(Number(at[1]), text.length)));
    return throwIssue(file, line, column, `JSON syntax error: ${reason}`);
  }
}

function parseYamlText(text: string, file: string): ParsedText {
  const fast = fastParseYaml(text);
  if (fast) {
    const { kind, start, end, valueStart } = fast.index;
    return {
      value: fast.value,
      source: new EventSource(
        file,
        text,
        new EventIndex(kind, start, end, valueStart),
        new LineTable(fast.lineStarts),
      ),
    };
  }
  let events: Event[];
  let docs: unknown[];
  try {
    const yaml = jsYaml();
    events = yaml.parseEvents(text, { filename: file });
    docs = yaml.constructFromEvents(events, {
      source: text,
      filename: file,
      schema: manifestYamlSchema(),
    });
  } catch (err) {
    if (err instanceof jsYaml().YAMLException) {
      const mark = err.mark;
      const line = mark ? mark.line + 1 : undefined;
      const column = mark ? mark.column + 1 : undefined;
      return throwIssue(file, line, column, `YAML syntax error: ${err.reason}`);
    }
    throw err;
  }
  if (docs.length > 1) {
    const second = events.findIndex((e, i) => i > 0 && e.type === EVENT_ID.DOCUMENT);
    const start = second >= 0 ? nodeStart(events[second + 1]) : -1;
    const pos = start >= 0 ? new LineTable(text).position(start) : undefined;
    return throwIssue(
      file,
      pos?.line,
      pos?.column,
      `holds ${docs.length} YAML documents; a manifest is one document (remove the "---" separators)`,
    );
  }
  return {
    value: docs[0] ?? null,
    source: new EventSource(file, text, EventIndex.fromEvents(text, events)),
  };
}

function throwIssue(
  file: string,
  line: number | undefined,
  column: number | undefined,
  message: string,
): never {
  throw new ManifestError([{ file, line, column, field: "", message }]);
}

/** Offset → 1-based line:column, through a table of line starts built once. */
export class LineTable {
  /** Offset where each line starts (a typed array: 100,000 lines are no work for the collector). */
  private readonly starts: Int32Array;
  /**
   * The line starts of `text`, or the table a scanner already found (0, then the offset after
   * each line feed): yaml-fast-events.ts passes every line anyway, and searching a 10,000-need
   * manifest for them again cost ~9 ms of its check.
   */
  constructor(text: string | Int32Array) {
    if (typeof text !== "string") {
      this.starts = text;
      return;
    }
    let lines = 1;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
    const starts = new Int32Array(lines);
    let n = 1;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts[n++] = i + 1;
    this.starts = starts;
  }
  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
}

/** Where a node (collection, scalar or alias) starts in the text, counting its anchor or tag. */
function nodeStart(e: Event | undefined): number {
  if (!e) return -1;
  let start: number;
  switch (e.type) {
    case EVENT_ID.SEQUENCE:
    case EVENT_ID.MAPPING:
      start = e.start;
      break;
    case EVENT_ID.SCALAR:
      // Quoted scalars' value starts after the quote; show the quote, where the token begins.
      start =
        e.style === SCALAR_STYLE.SINGLE_QUOTED || e.style === SCALAR_STYLE.DOUBLE_QUOTED
          ? e.valueStart - 1
          : e.valueStart;
      break;
    case EVENT_ID.ALIAS:
      return e.anchorStart - 1; // the `*`
    default:
      return -1;
  }
  if (e.anchorStart >= 1 && e.anchorStart - 1 < start) start = e.anchorStart - 1;
  if (e.tagStart >= 0 && e.tagStart < start) start = e.tagStart;
  return start;
}

/** Sequences up to about this long are walked to an item rather than indexed. */
const SHORT_SEQUENCE = 16;

/**
 * The js-yaml events reduced to what locating needs, in typed arrays: per event its kind, where
 * its node starts, and (collections) the index of its closing POP or (plain scalars) the end of
 * its text; a key written otherwise (quoted, block) is kept decoded. The events themselves —
 * 300,000 objects of six shapes for 10,000 needs, 34 MB the collector would keep tracing — are
 * dropped, and every lookup reads flat numbers instead of objects of mixed shapes.
 */
export class EventIndex {
  /** Keys of mappings not written as plain scalars, decoded, by event index. */
  readonly otherKeys = new Map<number, string>();

  constructor(
    readonly kind: Uint8Array,
    readonly start: Int32Array,
    /** Collections: index of the matching POP. Plain scalars: end offset of the text. */
    readonly end: Int32Array,
    /** Plain scalars: start offset of the text (the node may start earlier, at an anchor or tag). */
    readonly valueStart: Int32Array,
  ) {}

  static fromEvents(text: string, events: readonly Event[]): EventIndex {
    const n = events.length;
    const index = new EventIndex(
      new Uint8Array(n),
      new Int32Array(n),
      new Int32Array(n),
      new Int32Array(n),
    );
    const { kind, start, end, valueStart } = index;
    // Open collections, and for each whether it is a mapping and how many nodes it holds so far
    // (a mapping's even-numbered nodes are its keys).
    const open: number[] = [];
    const counts: number[] = [];
    for (let k = 0; k < n; k++) {
      const e = events[k];
      const t = e.type;
      if (t === EVENT_ID.POP) {
        kind[k] = t;
        end[open.pop() as number] = k;
        counts.pop();
        if (counts.length) counts[counts.length - 1]++;
        continue;
      }
      start[k] = nodeStart(e);
      const depth = counts.length;
      const isKey =
        depth > 0 && kind[open[depth - 1]] === EVENT_ID.MAPPING && (counts[depth - 1] & 1) === 0;
      if (t === EVENT_ID.SCALAR) {
        if (e.style === SCALAR_STYLE.PLAIN) {
          kind[k] = t | PLAIN_SCALAR;
          valueStart[k] = e.valueStart;
          end[k] = e.valueEnd;
        } else {
          kind[k] = t;
          if (isKey) index.otherKeys.set(k, jsYaml().getScalarValue(text, e));
        }
      } else {
        kind[k] = t;
      }
      if (t === EVENT_ID.DOCUMENT || t === EVENT_ID.SEQUENCE || t === EVENT_ID.MAPPING) {
        open.push(k);
        counts.push(0);
      } else if (depth > 0) {
        counts[depth - 1]++;
      }
    }
    return index;
  }

  type(i: number): number {
    return this.kind[i] & ~PLAIN_SCALAR;
  }

  /** Index of the event after the node starting at `i`. */
  skip(i: number): number {
    const t = this.kind[i];
    return t === EVENT_ID.SEQUENCE || t === EVENT_ID.MAPPING ? this.end[i] + 1 : i + 1;
  }
}

/**
 * Locates fields in the index of the events. Each long sequence on a located path is indexed
 * once, so many lookups in one 10,000-item sequence cost one pass over it, not one pass per
 * lookup; short sequences and the small mappings inside are scanned without building anything.
 */
class EventSource implements ManifestSource {
  private index: EventIndex | undefined;
  private failed = false;
  private lines: LineTable | undefined;
  /** Event index of each item, per long sequence looked into. */
  private readonly items = new Map<number, Int32Array>();

  constructor(
    readonly file: string,
    private readonly text: string,
    index: EventIndex | undefined,
    lines?: LineTable,
  ) {
    this.index = index;
    this.lines = lines;
  }

  locate(path: FieldPath): Position | undefined {
    const index = this.loadIndex();
    if (!index) return undefined;
    // Event 0 is the document; the root node follows it.
    let at = 1;
    if (at >= index.kind.length) return undefined;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const t = index.type(at);
      if (t === EVENT_ID.SEQUENCE) {
        if (typeof seg !== "number") return undefined;
        const item = Number.isInteger(seg) && seg >= 0 ? this.item(index, at, seg) : undefined;
        if (item === undefined) return undefined;
        at = item;
      } else if (t === EVENT_ID.MAPPING) {
        const keyAt = this.keyIn(index, at, String(seg));
        if (keyAt < 0) return undefined;
        // A mapping member is shown at its key: that is where a person looks for `ttl:`.
        if (i === path.length - 1) return this.position(index.start[keyAt]);
        at = index.skip(keyAt);
      } else {
        return undefined;
      }
    }
    return this.position(index.start[at]);
  }

  private position(offset: number): Position | undefined {
    if (offset < 0) return undefined;
    this.lines ??= new LineTable(this.text);
    return this.lines.position(offset);
  }

  private loadIndex(): EventIndex | undefined {
    if (this.index || this.failed) return this.index;
    try {
      this.index = EventIndex.fromEvents(
        this.text,
        jsYaml().parseEvents(this.text, { filename: this.file }),
      );
    } catch {
      this.failed = true; // e.g. JSON that YAML cannot read: positions are then unknown
    }
    return this.index;
  }

  /**
   * The event index of item `n` of the sequence at `at`, or undefined. Long sequences (the 10,000
   * needs) are indexed once, so each lookup is O(1); short ones (a need's paths) are walked.
   */
  private item(index: EventIndex, at: number, n: number): number | undefined {
    let items = this.items.get(at);
    if (!items) {
      const end = index.end[at];
      if (n < SHORT_SEQUENCE) {
        let k = at + 1;
        for (let i = 0; i < n && k < end; i++) k = index.skip(k);
        return k < end ? k : undefined;
      }
      let count = 0;
      for (let k = at + 1; k < end; k = index.skip(k)) count++;
      items = new Int32Array(count);
      count = 0;
      for (let k = at + 1; k < end; k = index.skip(k)) items[count++] = k;
      this.items.set(at, items);
    }
    return n < items.length ? items[n] : undefined;
  }

  /**
   * The event index of `key` among the keys of the mapping at `at`, or -1. Mappings are small (a
   * need has a dozen keys): they are scanned, plain keys compared in place in the text.
   */
  private keyIn(index: EventIndex, at: number, key: string): number {
    const end = index.end[at];
    for (let k = at + 1; k < end; k = index.skip(index.skip(k))) {
      const t = index.kind[k];
      if (t === (EVENT_ID.SCALAR | PLAIN_SCALAR)) {
        const from = index.valueStart[k];
        if (index.end[k] - from === key.length && this.text.startsWith(key, from)) return k;
      } else if (t === EVENT_ID.SCALAR && index.otherKeys.get(k) === key) {
        return k;
      }
    }
    return -1;
  }
}
