/**
 * A minimal HTTP/1.1 server over node:net. Node's own HTTP parser refuses methods it does not
 * know, and Vault clients send `LIST` (the Vault CLI and Go API client do); so the double reads
 * requests itself: request line, headers, a body framed by Content-Length or chunked encoding,
 * keep-alive, one request at a time per connection.
 */
import * as net from "node:net";

export interface RawRequest {
  method: string;
  /** Request target as sent ("/v1/sys/mounts?x=1"). */
  url: string;
  /** Header names lowercased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  remoteAddress: string;
  socket: net.Socket;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  307: "Temporary Redirect",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  412: "Precondition Failed",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

type Handler = (req: RawRequest) => Promise<RawResponse | "drop">;

export function createHttp1Server(handler: Handler): net.Server {
  return net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    let busy = false;
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.on("error", () => socket.destroy());

    const pump = async () => {
      if (busy) return;
      busy = true;
      try {
        while (!closed) {
          const parsed = parse(buf);
          if (parsed === "incomplete") break;
          if (parsed === "bad") {
            socket.end(
              "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return;
          }
          buf = buf.subarray(parsed.consumed);
          const req: RawRequest = {
            ...parsed.req,
            remoteAddress: socket.remoteAddress ?? "127.0.0.1",
            socket,
          };
          const res = await handler(req);
          if (res === "drop") {
            socket.destroy();
            return;
          }
          if (closed) return;
          const keepAlive = (req.headers.connection ?? "").toLowerCase() !== "close";
          const body = res.body ?? "";
          const head = [
            `HTTP/1.1 ${res.status} ${REASONS[res.status] ?? "Status"}`,
            `Date: ${new Date().toUTCString()}`,
            ...Object.entries(res.headers).map(([k, v]) => `${k}: ${v}`),
            ...(res.status === 204 ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]),
            `Connection: ${keepAlive ? "keep-alive" : "close"}`,
          ].join("\r\n");
          socket.write(`${head}\r\n\r\n${res.status === 204 ? "" : body}`);
          if (!keepAlive) {
            socket.end();
            return;
          }
        }
      } finally {
        busy = false;
      }
      if (!closed && parse(buf) !== "incomplete") void pump();
    };

    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      void pump();
    });
  });
}

type Parsed =
  "incomplete" | "bad" | { consumed: number; req: Omit<RawRequest, "remoteAddress" | "socket"> };

function parse(buf: Buffer): Parsed {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return buf.length > 1 << 20 ? "bad" : "incomplete";
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^([A-Za-z-]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0]);
  if (!m) return "bad";
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i <= 0) return "bad";
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  let pos = end + 4;
  let body: Buffer;
  if ((headers["transfer-encoding"] ?? "").toLowerCase().includes("chunked")) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", pos);
      if (lineEnd < 0) return "incomplete";
      const size = parseInt(buf.subarray(pos, lineEnd).toString("latin1").split(";")[0], 16);
      if (Number.isNaN(size)) return "bad";
      pos = lineEnd + 2;
      if (size === 0) {
        // trailers until an empty line
        const trailerEnd = buf.indexOf("\r\n", pos);
        if (trailerEnd < 0) return "incomplete";
        if (trailerEnd === pos) {
          pos += 2;
          break;
        }
        const fullEnd = buf.indexOf("\r\n\r\n", pos);
        if (fullEnd < 0) return "incomplete";
        pos = fullEnd + 4;
        break;
      }
      if (buf.length < pos + size + 2) return "incomplete";
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
    body = Buffer.concat(parts);
  } else {
    const len = parseInt(headers["content-length"] ?? "0", 10);
    if (Number.isNaN(len) || len < 0) return "bad";
    if (buf.length < pos + len) return "incomplete";
    body = Buffer.from(buf.subarray(pos, pos + len));
    pos += len;
  }
  return { consumed: pos, req: { method: m[1].toUpperCase(), url: m[2], headers, body } };
}
