/**
 * Loading a manifest: file or text or object → the typed model, or a ManifestError holding every
 * issue, each positioned at `file:line:column` with its field path.
 */
import { readFileSync, statSync } from "node:fs";
import type { Manifest, ManifestSource } from "./types";
import { ManifestError, fieldPath, type ManifestIssue } from "./errors";
import {
  decodeManifestBytes,
  objectSource,
  parseText,
  type FieldPath,
  type ParsedText,
  type Position,
} from "./source";
import { normaliseManifest, type RawIssue } from "./normalise";

/** Reads a manifest file (YAML or JSON, told apart by content). Throws ManifestError. */
export function loadManifest(file: string): Manifest {
  let bytes: Buffer;
  try {
    if (statSync(file).isDirectory()) {
      throw new ManifestError([
        {
          file,
          field: "",
          message: "is a directory; expected a manifest file (access-needs.yaml)",
        },
      ]);
    }
    bytes = readFileSync(file);
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : `cannot be read (${code ?? "I/O error"})`;
    throw new ManifestError([{ file, field: "", message: why }]);
  }
  return parseManifestText(decodeManifestBytes(bytes, file), file);
}

/** Parses manifest text; `file` names it in messages. Throws ManifestError. */
export function parseManifestText(text: string, file: string): Manifest {
  const { value, source } = parseText(text, file);
  return build(value, source);
}

/**
 * {@link parseManifestText}, also handing back the document as parsed, before normalising: what
 * the Pulumi component takes as a manifest object when there is no file to give it (standard
 * input), without reading the text twice.
 */
export function parseManifestDocument(
  text: string,
  file: string,
): { manifest: Manifest; document: unknown } {
  const { value, source } = parseText(text, file);
  return { manifest: build(value, source), document: value };
}

/**
 * Validates a manifest given as a value (the Pulumi component accepts one). Issues name the field
 * but carry no line, since there is no text behind the object.
 */
export function parseManifestObject(obj: unknown, sourceName: string): Manifest {
  return build(obj, objectSource(sourceName));
}

/** The model of text already parsed with its positions ({@link parseText}): `parseManifestText`'s second half. */
export function manifestFromParsed(parsed: ParsedText): Manifest {
  return build(parsed.value, parsed.source);
}

function build(value: unknown, source: ManifestSource): Manifest {
  const { manifest, issues } = normaliseManifest(value);
  if (!manifest) throw new ManifestError(positionIssues(issues, source));
  return { version: 1, ...manifest, source };
}

/** The position of `path`, or of its nearest ancestor that exists (a missing field → its parent). */
export function locateNearest(source: ManifestSource, path: FieldPath): Position | undefined {
  for (let n = path.length; n >= 0; n--) {
    const pos = source.locate(n === path.length ? path : path.slice(0, n));
    if (pos) return pos;
  }
  return undefined;
}

function positionIssues(raw: readonly RawIssue[], source: ManifestSource): ManifestIssue[] {
  const issues = raw.map((r, order) => {
    const pos = locateNearest(source, r.path);
    return {
      order,
      issue: { file: source.file, ...(pos ?? {}), field: fieldPath(r.path), message: r.message },
    };
  });
  // File order reads best; issues without a position keep the order they were found in.
  issues.sort((a, b) => {
    const la = a.issue.line ?? Infinity;
    const lb = b.issue.line ?? Infinity;
    if (la !== lb) return la - lb;
    const ca = a.issue.column ?? 0;
    const cb = b.issue.column ?? 0;
    return ca !== cb ? ca - cb : a.order - b.order;
  });
  return issues.map((x) => x.issue);
}
