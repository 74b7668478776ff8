/**
 * The rules behind test/integration/doc-examples.test.ts, without a product: every block of the
 * documents is one the runner runs or one marked as not run (with its reason), and the readers of
 * documented JSON, answers and shell steps work as the docs are written.
 */
import { describe, expect, it } from "vitest";
import {
  type Bindings,
  type Doc,
  answerProblems,
  parseAnswer,
  parseDocumented,
  placeholderPrefix,
  schemaProblems,
} from "../docs/answers.js";
import { docBlocks, documentedFiles, parseMarker, where } from "../docs/markdown.js";
import { routeOf, substitute } from "../docs/runner.js";
import { placeholdersIn, shellSteps, withoutComments } from "../docs/shell.js";

describe("the documents' examples", () => {
  it("are each run, or marked as not run with the reason", () => {
    const problems = documentedFiles().flatMap((file) =>
      docBlocks(file)
        .filter((b) => typeof b.kind === "object")
        .map((b) => `${where(b)}: ${(b.kind as { problem: string }).problem}`),
    );
    expect(problems).toEqual([]);
  });

  it("cover README.md, every page of docs/ and the SDK's and emulator's READMEs", () => {
    const files = documentedFiles();
    expect(files).toEqual(expect.arrayContaining(["README.md", "docs/messaging.md", "docs/design/lanes.md"]));
    expect(files).toEqual(expect.arrayContaining(["packages/sdk/README.md", "packages/emulator/README.md"]));
  });

  it("are unmarked, or marked with clauses the runner knows", () => {
    expect(parseMarker("not-run (a diagram; two boxes)")).toMatchObject({ notRun: "a diagram; two boxes" });
    expect(parseMarker("recommend; request POST /v1/registrations/recommend")).toMatchObject({
      name: "recommend",
      request: { method: "POST", path: "/v1/registrations/recommend" },
    });
    expect(parseMarker("response 200 GET /v1/system; schema /data Message")).toMatchObject({
      response: { status: 200, method: "GET", path: "/v1/system" },
      schemas: [{ pointer: "/data", name: "Message" }],
    });
    expect(() => parseMarker("notrun")).not.toThrow(); // a name
    expect(() => parseMarker("not-run")).toThrow(/unknown clause/); // a reason is required
    expect(() => parseMarker("skip (later)")).toThrow(/unknown clause/);
  });

  it("find their marker on the line before, and refuse one that is not", () => {
    const doc = "text\n<!-- example: not-run (why) -->\n```sh\nnpm test\n```\n\n```json\n{}\n```\n";
    const [shell, json] = docBlocks("x.md", doc);
    expect(shell).toMatchObject({ line: 3, lang: "sh", kind: "not-run", text: "npm test" });
    expect(json.kind).toMatchObject({ problem: expect.stringMatching(/what it illustrates/) });
    expect(docBlocks("x.md", "```\nraw\n```\n")[0].kind).toMatchObject({ problem: /```text/ });
    expect(docBlocks("x.md", "```text\nraw\n```\n")[0].kind).toBe("not-run");
    expect(() => docBlocks("x.md", "<!-- example: not-run (why) -->\n\n```sh\nls\n```\n")).toThrow(
      /line just before/,
    );
  });
});

describe("documented JSON", () => {
  it.each([
    ['{"id":"msg_01J…","status":"queued",…}', { t: "object", elided: true }],
    ["[…]", { t: "array", items: [], elided: true }],
    ['{"a": […], "b": {…}, "c": null}', { t: "object", elided: false }],
    ['{"series":[{"t":"…","n":48,…,"mps":0.017},…]}', { t: "object", elided: false }],
  ])("reads %s", (text, shape) => {
    expect(parseDocumented(text).value).toMatchObject(shape);
  });

  it("reads an answer's status, its JSON and the prose after it", () => {
    expect(parseAnswer('201 {"id":"ten_01J…",…}')).toMatchObject({ status: 201, body: { t: "object" } });
    expect(parseAnswer("404")).toEqual({ status: 404, text: "404" });
    expect(parseAnswer("a few advances later, approved")).toEqual({ text: "a few advances later, approved" });
    const { rest } = parseDocumented('{"messages":[…]}   the texts ("…reply YES…")');
    expect(rest).toBe('the texts ("…reply YES…")');
    expect(() => parseDocumented('{"a": 1,, }')).toThrow(/expected/);
  });

  it.each([
    ["ten_01J…", "ten_"],
    ["sk_test_…", "sk_test_"],
    ["BN…", "BN"],
    ["…", ""],
    ["Your … code", null],
  ])("takes %s for a value starting %s", (placeholder, prefix) => {
    expect(placeholderPrefix(placeholder)).toBe(prefix);
  });

  const root = {
    components: {
      schemas: {
        Message: {
          type: "object",
          additionalProperties: false,
          required: ["id", "status"],
          properties: {
            id: { type: "string", pattern: "^msg_" },
            status: { type: "string", enum: ["queued", "sent"] },
            from: { type: ["string", "null"] },
          },
        },
      },
    },
  };
  const schema = { $ref: "#/components/schemas/Message" };
  const doc = (text: string): Doc => parseDocumented(text).value;

  it.each([
    ['{"id":"msg_01J…","status":"queued",…}', []],
    ['{"id":"msg_1","status":"queued","from":null}', []],
    ['{"id":"msg_01J…",…}', []],
    ['{"id":"msg_1"}', ["/status: required, and missing"]],
    ['{"id":"msg_01J…","status":"delivered",…}', ['/status: "delivered" is not one of "queued", "sent"']],
    ['{"id":"msg_01J…","state":"queued",…}', ["/state: no such field"]],
    ['{"id":7,…}', ["/id: 7 is not of type string"]],
    ['{"id":"sms_1",…}', ['/id: "sms_1" does not match ^msg_']],
  ])("checks %s against the schema", (text, problems) => {
    expect(schemaProblems(doc(text), schema, root)).toEqual(problems);
  });

  it("takes a union's branch that fits", () => {
    const union = { oneOf: [{ type: "string" }, { $ref: "#/components/schemas/Message" }] };
    expect(schemaProblems(doc('{"id":"msg_1","status":"sent"}'), union, root)).toEqual([]);
    expect(schemaProblems(doc('{"id":"msg_1","status":"lost"}'), union, root)).toHaveLength(1);
  });

  it("checks what an answer shows against the real answer, and learns its placeholders", () => {
    const bindings: Bindings = { values: new Map(), fields: new Map() };
    const shown = doc('{"id":"ten_01J…","key":"sk_test_…","challenge":"…","n":1,"rows":[{"a":1}],…}');
    const real = {
      id: "ten_01KX",
      key: "sk_test_abc",
      challenge: "c1",
      n: null,
      rows: [{ a: 2 }],
      more: true,
    };
    expect(answerProblems(shown, real, bindings)).toEqual([]);
    expect(bindings.values).toEqual(
      new Map([
        ["ten_01J…", "ten_01KX"],
        ["sk_test_…", "sk_test_abc"],
      ]),
    );
    expect(bindings.fields.get("challenge")).toBe("c1");
    expect(answerProblems(doc('{"key":"sk_live_…","x":1,"rows":[{"b":1}]}'), real, bindings)).toEqual([
      '/key: the docs show "sk_live_…", the answer has "sk_test_abc"',
      "/x: shown in the docs, not in the answer",
      "/rows/0/b: shown in the docs, not in the answer",
    ]);
    expect(answerProblems(doc('{"n":"one"}'), { n: 1 }, bindings)).toEqual([
      '/n: the docs show "one", the answer has 1',
    ]);
  });
});

describe("shell examples", () => {
  it("are split at their documented answers, continuation lines included", () => {
    const block = [
      "# A comment.",
      "curl -s $SUBTEXT/v1/system \\",
      '  -H "Authorization: Bearer $ADMIN"',
      '# → {"mode":"sandbox",',
      '#    "engine":"pglite"}   prose',
      "export X=1",
      "curl -s $SUBTEXT/v1/tenants",
    ].join("\n");
    const steps = shellSteps(block, 10);
    expect(steps).toHaveLength(2);
    expect(steps[0]).toMatchObject({
      line: 11,
      answer: { text: '{"mode":"sandbox",\n"engine":"pglite"}   prose', line: 14 },
    });
    expect(steps[0].code).toContain('-H "Authorization: Bearer $ADMIN"');
    expect(steps[1]).toMatchObject({ code: "export X=1\ncurl -s $SUBTEXT/v1/tenants", line: 16 });
    expect(steps[1].answer).toBeUndefined();
  });

  it("take a console session's $ lines as the commands", () => {
    expect(shellSteps("$ ls\nfile.txt", 1, "console")[0].code).toBe("ls\n# file.txt");
  });

  it("say which placeholders nothing filled in, outside comments and inside JSON", () => {
    expect(withoutComments("curl x # a comment\necho '#not' \"# no\" a#b")).toBe(
      "curl x \necho '#not' \"# no\" a#b",
    );
    expect(
      placeholdersIn(
        `curl $SUBTEXT/v1/tenants/ten_01J…/keys -H "Authorization: Bearer sk_test_…" -d '{"password": "…"}'   # GET …/x`,
      ),
    ).toEqual(["ten_01J…", "sk_test_…", "…"]);
  });

  it("get the values the placeholders stand for, by placeholder or by field", () => {
    const bindings: Bindings = {
      values: new Map([
        ["ten_01J…", "ten_1"],
        ["http://127.0.0.1:3000", "http://127.0.0.1:4567"],
      ]),
      fields: new Map([["challenge", "ch_9"]]),
    };
    expect(
      substitute(
        `curl http://127.0.0.1:3000/v1/tenants/ten_01J… -d '{"challenge": "…", "code": "…"}'`,
        bindings,
      ),
    ).toBe(`curl http://127.0.0.1:4567/v1/tenants/ten_1 -d '{"challenge": "ch_9", "code": "…"}'`);
  });

  it("are matched to the route they call, literal segments first", () => {
    const openapi = {
      paths: {
        "/v1/opt-outs/{phone}": { delete: {} },
        "/v1/opt-outs/import": { post: {} },
        "/v1/x/{id}": { get: {} },
      },
    };
    expect(routeOf(openapi, "DELETE", "/v1/opt-outs/%2B1415")).toBe("/v1/opt-outs/{phone}");
    expect(routeOf(openapi, "POST", "/v1/opt-outs/import")).toBe("/v1/opt-outs/import");
    expect(routeOf(openapi, "GET", "/v1/x/")).toBeUndefined();
  });
});
