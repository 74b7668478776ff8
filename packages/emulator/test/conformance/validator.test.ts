import { describe, expect, it } from "vitest";
import { type Exchange, twilioOpenApi } from "./oai.js";

// Null when the documents are absent: skipped then, as conformance.test.ts reports.
// Left out of the run without the documents (vitest.config.ts).
const oai = twilioOpenApi()!;
const AC = "AC0123456789abcdef0123456789abcdef";
const SM = "SM0123456789abcdef0123456789abcdef";
const MESSAGE_URL = `https://api.twilio.com/2010-04-01/Accounts/${AC}/Messages/${SM}.json`;

/** Twilio's own "fetch" example of a Message, the baseline every broken variant starts from. */
function message(): Record<string, unknown> {
  const example = [...oai.examples()].find((e) => e.operation === "FetchMessage" && e.status === 200);
  return structuredClone(example!.body) as Record<string, unknown>;
}

const fetched = (body: unknown, status = 200): Exchange => ({
  method: "GET",
  url: MESSAGE_URL,
  status,
  body,
});
const errorsOf = (exchange: Exchange) => oai.check(exchange)?.errors ?? [];

/**
 * Named examples in Twilio's documents that break their own schema (sloppy SIDs, omitted fields).
 * None is an operation the product uses with these values; each still fails, so the list stays true.
 */
const EXAMPLE_DEFECTS = [
  "ListDependentPhoneNumber", // trunk_sid "APaaa…a5" where the pattern is ^TK…
  "ListBrandVetting", // brand_vetting_sid "VT12445353"
  "CreateBrandVetting",
  "FetchBrandVetting",
  "CreateChallengePasskeys", // service_sid of 33 characters, entity_sid ""
  "UpdateChallengePasskeys",
  "FetchLookupPhoneNumberOverrides", // omits overridden_by_account_sid
  "CreateLookupPhoneNumberOverrides",
  "UpdateLookupPhoneNumberOverrides",
  "FetchDomainDnsValidation", // omits domain_sid
  "CreateToken", // ice_servers entries without url/username/credential
];

describe("the conformance validator", () => {
  it("accepts Twilio's own example of a fetched Message", () => {
    expect(oai.check(fetched(message()))).toBeNull();
  });

  it.each([
    ["num_segments as a number", { num_segments: 1 }, "/num_segments must be string"],
    ["an unknown status", { status: "enroute" }, "/status must be equal to one of the allowed values"],
    [
      "an ISO date in the 2010 API",
      { date_created: "2023-08-24T05:01:45Z" },
      "/date_created must match format",
    ],
    ["a date whose weekday is wrong", { date_created: "Mon, 24 Aug 2023 05:01:45 +0000" }, "/date_created"],
    ["a malformed SID", { sid: "SM123" }, "/sid must"],
    ["error_code as a string", { error_code: "30003" }, "/error_code must be integer,null"],
    ["a misspelt field", { num_segment: "1" }, "must NOT have additional properties `num_segment`"],
  ])("finds %s", (_, change, expected) => {
    const errors = errorsOf(fetched({ ...message(), ...change }));
    expect(errors.some((e) => e.includes(expected))).toBe(true);
  });

  it("reports a leniency's failure once, as the documented schema words it", () => {
    const recording = [...oai.examples()].find(
      (e) => e.operation === "FetchCallRecording" && e.status === 200,
    )!;
    const body = { ...(recording.body as object), price: "free" };
    expect(errorsOf({ ...recording, body })).toEqual(['/price must be number,null, got "free"']);
  });

  it("finds a documented field that is missing", () => {
    const { messaging_service_sid: _, ...body } = message();
    expect(errorsOf(fetched(body))).toContain("(body) must have required property 'messaging_service_sid'");
  });

  it("accepts null where the schema is nullable and refuses it where it is not", () => {
    expect(oai.check(fetched({ ...message(), price: null, error_code: null }))).toBeNull();
    const list = [...oai.examples()].find((e) => e.operation === "ListMessage" && e.status === 200)!;
    expect(errorsOf({ ...list, body: { ...(list.body as object), page: null } })).toEqual([
      "/page must be integer, got null",
    ]);
  });

  it("finds a status the operation does not document, and a body where none is documented", () => {
    const notFound = { code: 20404, message: "The requested resource was not found", status: 404 };
    expect(oai.check(fetched(notFound, 404))).toMatchObject({
      operation: "FetchMessage",
      errors: [
        "status 404 is not documented for FetchMessage (documented: 200); the emulator said 20404: The requested resource was not found",
      ],
    });
    const deleted = { method: "DELETE", url: MESSAGE_URL, status: 204, body: { sid: SM } };
    expect(errorsOf(deleted)).toEqual(["status 204 documents no body, got one"]);
    expect(oai.check({ ...deleted, body: undefined })).toBeNull();
  });

  it("finds a URL that no documented operation answers", () => {
    const finding = oai.check({
      method: "GET",
      url: "https://api.twilio.com/2010-04-01/Nope.json",
      status: 200,
      body: {},
    });
    expect(finding).toMatchObject({ operation: null });
  });

  it.each([
    ["GET", "https://messaging.twilio.com/v1/Services/Usecases", "FetchUsecase"],
    ["GET", "https://messaging.twilio.com/v1/Services/MG0123456789abcdef0123456789abcdef", "FetchService"],
    [
      "POST",
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers/Local.json`,
      "CreateIncomingPhoneNumberLocal",
    ],
    [
      "POST",
      `https://api.twilio.com/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers/PN0123456789abcdef0123456789abcdef.json`,
      "UpdateIncomingPhoneNumber",
    ],
    [
      "GET",
      "https://lookups.twilio.com/v2/PhoneNumbers/%2B14155552671?Fields=line_type_intelligence",
      "FetchPhoneNumber",
    ],
    ["GET", `https://api.twilio.com/2010-04-01/Accounts.json?PageSize=2&Page=1&PageToken=PT2`, "ListAccount"],
  ])("matches %s %s to %s", (method, url, id) => {
    expect(oai.match(method, url)?.id).toBe(id);
  });

  it("accepts every named example in Twilio's documents but for the known defects, which still fail", () => {
    const failing = new Set<string>();
    for (const example of oai.examples()) if (oai.check(example)) failing.add(example.operation);
    expect([...failing].sort()).toEqual([...EXAMPLE_DEFECTS].sort());
  });
});
