/**
 * Where things are in a JSON text: the offset of every object member (its key) and array element,
 * by path, so a finding on a Terraform resource's attribute or on an embedded need's field gets
 * the line a person edits. Built lazily, once per file, and only when a finding needs placing:
 * most checked files have none, and JSON.parse alone is much cheaper than a positioned parse.
 */
import { LineTable } from "../../model/source";

export type JsonPath = readonly (string | number)[];

export interface JsonPosition {
  readonly line: number;
  readonly column: number;
}

/** A scalar string member (`"address": "vault_token.x"`) and the path of the object holding it. */
interface StringMember {
  readonly parent: string;
  readonly parentPath: JsonPath;
  readonly value: string;
}

const SEP = "\u0000";
const keyOf = (path: JsonPath): string => path.map(String).join(SEP);

/** Members whose string values identify things: addresses, URNs, names. */
const ID_KEYS = new Set(["address", "urn", "name"]);

export class JsonIndex {
  private readonly lines: LineTable;
  private readonly at = new Map<string, number>();
  private readonly ids = new Map<string, StringMember[]>();

  constructor(private readonly text: string) {
    this.lines = new LineTable(text);
    this.scan();
  }

  /** Position of the member or element at `path` (its key for members), if it exists. */
  position(path: JsonPath): JsonPosition | undefined {
    const offset = this.at.get(keyOf(path));
    return offset === undefined ? undefined : this.lines.position(offset);
  }

  /** Position of `path`, or of its nearest ancestor that exists (a missing attribute → its resource). */
  nearest(path: JsonPath, floor = 0): JsonPosition | undefined {
    for (let n = path.length; n >= floor; n--) {
      const pos = this.position(path.slice(0, n));
      if (pos && n > 0) return pos;
    }
    return undefined;
  }

  /** Paths of the objects that have `key: value` (key one of address, urn, name), in file order. */
  objectsWith(key: "address" | "urn" | "name", value: string): JsonPath[] {
    return (this.ids.get(`${key}${SEP}${value}`) ?? []).map((m) => m.parentPath);
  }

  private scan(): void {
    const t = this.text;
    let i = 0;
    const ws = () => {
      while (i < t.length) {
        const c = t.charCodeAt(i);
        if (c === 32 || c === 9 || c === 10 || c === 13) i++;
        else break;
      }
    };
    const str = (): string => {
      const start = i;
      i++; // opening quote
      let escaped = false;
      while (i < t.length) {
        const c = t.charCodeAt(i);
        if (c === 92) {
          escaped = true;
          i += 2;
        } else if (c === 34) {
          i++;
          break;
        } else i++;
      }
      const raw = t.slice(start, i);
      return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    };
    const skipScalar = () => {
      while (i < t.length && !/[\s,\]}]/.test(t[i])) i++;
    };
    const value = (path: (string | number)[]): void => {
      ws();
      const c = t[i];
      if (c === "{") {
        i++;
        ws();
        if (t[i] === "}") {
          i++;
          return;
        }
        for (;;) {
          ws();
          const keyAt = i;
          const key = str();
          ws();
          i++; // ':'
          const child = [...path, key];
          this.at.set(keyOf(child), keyAt);
          ws();
          if (ID_KEYS.has(key) && t[i] === '"') {
            const v = str();
            const id = `${key}${SEP}${v}`;
            const list = this.ids.get(id) ?? [];
            list.push({ parent: keyOf(path), parentPath: [...path], value: v });
            this.ids.set(id, list);
          } else {
            value(child);
          }
          ws();
          if (t[i] === ",") {
            i++;
            continue;
          }
          i++; // '}'
          return;
        }
      }
      if (c === "[") {
        i++;
        ws();
        if (t[i] === "]") {
          i++;
          return;
        }
        for (let n = 0; ; n++) {
          ws();
          const child = [...path, n];
          this.at.set(keyOf(child), i);
          value(child);
          ws();
          if (t[i] === ",") {
            i++;
            continue;
          }
          i++; // ']'
          return;
        }
      }
      if (c === '"') {
        str();
        return;
      }
      skipScalar();
    };
    value([]);
  }
}
