/**
 * IP address literals as Vault reads them in CIDR lists (Go's net.ParseIP / net.ParseCIDR): an
 * IPv4 address in dotted decimal, or an IPv6 address in RFC 4291 text form — no zone (`%eth0`),
 * which Go's ParseCIDR refuses. Written here rather than taken from node:net, which `check` would
 * otherwise load at every start for two predicates (and whose isIPv6 accepts a zone).
 */

/** Four decimal fields 0–255 without leading zeros (Go rejects `010.1.1.1` since 1.17). */
export function isIPv4Literal(s: string): boolean {
  const parts = s.split(".");
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return false;
  }
  return true;
}

/**
 * Eight groups of one to four hex digits separated by `:`, where one `::` stands for one or more
 * zero groups, and the last two groups may be written as an IPv4 address.
 */
export function isIPv6Literal(s: string): boolean {
  let text = s;
  let groups = 0;
  // an embedded IPv4 address counts as two groups
  const lastColon = text.lastIndexOf(":");
  if (lastColon >= 0 && text.indexOf(".", lastColon) > lastColon) {
    if (!isIPv4Literal(text.slice(lastColon + 1))) return false;
    text = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  for (const half of halves) {
    if (half === "") continue;
    for (const g of half.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      groups++;
    }
  }
  return halves.length === 2 ? groups <= 7 : groups === 8;
}
