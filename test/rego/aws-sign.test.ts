/**
 * providers.aws.sign_req against AWS's published SigV4 test suite vector "get-vanilla"
 * (credentials AKIDEXAMPLE, region us-east-1, service "service", 2015-08-30T12:36:00Z), plus the
 * request-shape rules OPA's signer follows.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const cfg = {
  aws_access_key: "AKIDEXAMPLE",
  aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  aws_service: "service",
  aws_region: "us-east-1",
};
const T = "1440938160000000000"; // 2015-08-30T12:36:00Z in ns

function sign(req: unknown, config: unknown = cfg, strict = false): Record<string, unknown> {
  const rs = compile([])
    .prepare(`x := providers.aws.sign_req(input.req, input.cfg, ${T})`)
    .eval({ input: { req, cfg: config }, strictBuiltinErrors: strict });
  return rs[0]?.bindings.x as Record<string, unknown>;
}

describe("providers.aws.sign_req", () => {
  it("produces AWS's get-vanilla signature", () => {
    const out = sign({ method: "GET", url: "https://example.amazonaws.com/" });
    expect(out.method).toBe("GET");
    expect(out.headers).toEqual({
      Authorization:
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request," +
        "SignedHeaders=host;x-amz-date," +
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
      host: "example.amazonaws.com",
      "x-amz-date": "20150830T123600Z",
    });
  });

  it("signs request headers (not user-agent), keeps them, and adds s3's payload hash and a session token", () => {
    const out = sign(
      {
        method: "put",
        url: "https://b.s3.amazonaws.com/k",
        headers: { "Content-Type": "text/plain", "User-Agent": "x" },
        raw_body: "hello",
      },
      { ...cfg, aws_service: "s3", aws_session_token: "tok" },
    );
    const h = out.headers as Record<string, string>;
    expect(h["Content-Type"]).toBe("text/plain");
    expect(h["User-Agent"]).toBe("x");
    expect(h["x-amz-content-sha256"]).toBe(createHash("sha256").update("hello").digest("hex"));
    expect(h["x-amz-security-token"]).toBe("tok");
    expect(h.Authorization).toContain(
      "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,",
    );
  });

  it("signs the body: a different body gives a different signature", () => {
    const a = sign({ method: "POST", url: "https://e.example/", body: { a: 1 } });
    const b = sign({ method: "POST", url: "https://e.example/", body: { a: 2 } });
    const c = sign({ method: "POST", url: "https://e.example/", raw_body: '{"a":1}' });
    const auth = (r: Record<string, unknown>) =>
      (r.headers as Record<string, string>).Authorization;
    expect(auth(a)).not.toBe(auth(b));
    expect(auth(a)).toBe(auth(c)); // body is signed as its compact JSON text
  });

  it("names a missing configuration key", () => {
    const { aws_region: _omit, ...partial } = cfg;
    expect(() => sign({ method: "GET", url: "https://e.example/" }, partial, true)).toThrow(
      /providers\.aws\.sign_req: aws_config is missing required key 'aws_region'/,
    );
  });
});
