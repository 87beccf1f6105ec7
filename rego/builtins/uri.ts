/**
 * uri.parse / uri.is_valid: a URI split the way Go's net/url.Parse splits it (OPA calls that
 * function), returning only the parts that are present: scheme (lower-cased), hostname, port,
 * path with raw_path (the escaped form when it differs from Go's default escaping of path, else
 * path), raw_query and fragment (unescaped). `uri.is_valid` is false for "" and for anything
 * url.Parse refuses: control characters, a bad %-escape, a colon in the first segment of a
 * relative reference, a scheme starting with ':', a bad port, invalid host characters.
 * Differs from Go: the bracketed IPv6 host literal is not checked to be an address.
 */
import { BuiltinError, defineAll, operandError } from "./types";
import { RObject, type Value } from "../value";

class URLError extends Error {}

interface ParsedURL {
  scheme: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

type Mode = "path" | "host" | "fragment" | "userinfo";

const isAlnum = (c: string) => /[A-Za-z0-9]/.test(c);

/** Go's shouldEscape for the modes url.Parse uses. */
function shouldEscape(c: string, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  if (mode === "host") return !"-_.~!$&'()*+,;=:[]<>\"".includes(c);
  if ("-_.~".includes(c)) return false;
  if ("$&+,/:;=?@".includes(c)) {
    if (mode === "path") return c === "?";
    if (mode === "userinfo") return c === "@" || c === "/" || c === "?" || c === ":";
    return false; // fragment
  }
  if (mode === "fragment" && "!()*".includes(c)) return false;
  return true;
}

const isHex = (c: string | undefined) => c !== undefined && /[0-9A-Fa-f]/.test(c);

/** Go's unescape: %XX decoding over bytes, refusing malformed escapes (and bad host bytes). */
function unescape(s: string, mode: Mode): string {
  const bytes: number[] = [];
  const utf8 = Buffer.from(s, "utf8");
  for (let i = 0; i < utf8.length; i++) {
    const b = utf8[i];
    const c = String.fromCharCode(b);
    if (c === "%") {
      const h1 = String.fromCharCode(utf8[i + 1] ?? 0);
      const h2 = String.fromCharCode(utf8[i + 2] ?? 0);
      if (!isHex(h1) || !isHex(h2)) {
        const bad = Buffer.from(utf8.subarray(i, Math.min(i + 3, utf8.length))).toString();
        throw new URLError(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      // in a host, %-escapes may only spell non-ASCII bytes (or %25 in an IPv6 zone)
      if (mode === "host" && parseInt(h1, 16) < 8 && h1 + h2 !== "25")
        throw new URLError(`invalid URL escape ${JSON.stringify("%" + h1 + h2)}`);
      bytes.push(parseInt(h1 + h2, 16));
      i += 2;
      continue;
    }
    if (mode === "host" && b < 0x80 && shouldEscape(c, mode))
      throw new URLError(`invalid character ${JSON.stringify(c)} in host name`);
    bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Go's escape(s, encodePath): used only to decide whether RawPath is kept. */
function escapePath(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(b);
    out +=
      b < 0x80 && !shouldEscape(c, "path")
        ? c
        : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

const validOptionalPort = (port: string) => port === "" || /^:\d*$/.test(port);

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) return ["", raw];
      continue;
    }
    if (c === ":") {
      if (i === 0) throw new URLError("missing protocol scheme");
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ["", raw];
  }
  return ["", raw];
}

function parseHost(host: string): string {
  if (host.startsWith("[")) {
    const i = host.lastIndexOf("]");
    if (i < 0) throw new URLError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort))
      throw new URLError(`invalid port ${JSON.stringify(colonPort)} after host`);
  } else {
    const i = host.lastIndexOf(":");
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort))
        throw new URLError(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
  }
  return unescape(host, "host");
}

const USERINFO_OK = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf("@");
  if (at >= 0 && !USERINFO_OK.test(authority.slice(0, at)))
    throw new URLError("net/url: invalid userinfo");
  if (at >= 0) unescape(authority.slice(0, at), "userinfo");
  return parseHost(at < 0 ? authority : authority.slice(at + 1));
}

/** Go's url.Parse (viaRequest = false). */
function parseURL(raw: string): ParsedURL {
  const u: ParsedURL = { scheme: "", host: "", path: "", rawPath: "", rawQuery: "", fragment: "" };
  const hash = raw.indexOf("#");
  const frag = hash < 0 ? "" : raw.slice(hash + 1);
  let rest = hash < 0 ? raw : raw.slice(0, hash);
  if ([...rest].some((c) => c < " " || c === "\x7f"))
    throw new URLError("net/url: invalid control character in URL");
  if (rest === "*") {
    u.path = "*";
  } else if (rest !== "") {
    const [scheme, afterScheme] = getScheme(rest);
    u.scheme = scheme.toLowerCase();
    rest = afterScheme;
    if (rest.endsWith("?") && rest.split("?").length === 2) rest = rest.slice(0, -1);
    else {
      const q = rest.indexOf("?");
      if (q >= 0) {
        u.rawQuery = rest.slice(q + 1);
        rest = rest.slice(0, q);
      }
    }
    if (!rest.startsWith("/")) {
      if (u.scheme !== "") {
        // an opaque URI (mailto:x@y): no authority, no path
        if (hash >= 0) u.fragment = unescape(frag, "fragment");
        return u;
      }
      const firstSegment = rest.split("/")[0];
      if (firstSegment.includes(":"))
        throw new URLError("first path segment in URL cannot contain colon");
    }
    if ((u.scheme !== "" || !rest.startsWith("///")) && rest.startsWith("//")) {
      const slash = rest.indexOf("/", 2);
      const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
      rest = slash < 0 ? "" : rest.slice(slash);
      u.host = parseAuthority(authority);
    }
    u.path = unescape(rest, "path");
    u.rawPath = escapePath(u.path) === rest ? "" : rest;
  }
  if (hash >= 0) u.fragment = unescape(frag, "fragment");
  return u;
}

/** Go's URL.Hostname() and URL.Port(). */
function splitHostPort(host: string): [string, string] {
  let hostname = host;
  let port = "";
  const colon = host.lastIndexOf(":");
  if (colon !== -1 && validOptionalPort(host.slice(colon))) {
    hostname = host.slice(0, colon);
    port = host.slice(colon + 1);
  }
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  return [hostname, port];
}

function uriParse([s]: Value[]): Value {
  if (typeof s !== "string") throw operandError("uri.parse", 1, "string", s);
  let u: ParsedURL;
  try {
    u = parseURL(s);
  } catch (e) {
    if (e instanceof URLError)
      throw new BuiltinError(`uri.parse: parse ${JSON.stringify(s)}: ${e.message}`);
    throw e;
  }
  const [hostname, port] = splitHostPort(u.host);
  const out: [string, string][] = [];
  if (u.scheme) out.push(["scheme", u.scheme]);
  if (hostname) out.push(["hostname", hostname]);
  if (port) out.push(["port", port]);
  if (u.path) {
    out.push(["path", u.path]);
    out.push(["raw_path", u.rawPath || u.path]);
  }
  if (u.rawQuery) out.push(["raw_query", u.rawQuery]);
  if (u.fragment) out.push(["fragment", u.fragment]);
  return new RObject(out);
}

function uriIsValid([s]: Value[]): Value {
  if (typeof s !== "string" || s === "") return false;
  try {
    parseURL(s);
    return true;
  } catch (e) {
    if (e instanceof URLError) return false;
    throw e;
  }
}

export const builtins = defineAll([
  { name: "uri.parse", arity: 1, args: [["string"]], impl: uriParse },
  { name: "uri.is_valid", arity: 1, args: [["string"]], impl: uriIsValid },
]);
