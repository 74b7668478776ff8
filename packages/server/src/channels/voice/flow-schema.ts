/** Schema of a flow document (shape only; voice/validate.ts checks the graph), and its type. */
import { Dictionary, OpenObject, type Static, Type } from "../../kernel/schema.js";
import type { FlowNode } from "./flow.js";

const NODE_ID = "^[A-Za-z][A-Za-z0-9_-]{0,63}$";
const ref = Type.String({ pattern: NODE_ID });
const text = Type.String({ minLength: 1, maxLength: 4000 });
const url = Type.String({ maxLength: 2048, pattern: "^https?://" });
const loop = Type.Integer({ minimum: 0, maximum: 100 });
const words = Type.String({ minLength: 1, maxLength: 100 });
const voice = Type.String({ minLength: 1, maxLength: 64 });
const language = Type.String({ pattern: "^[a-z]{2,3}(-[A-Za-z]{2,4})?$" });
const phone = Type.String({ pattern: "^\\+[1-9][0-9]{6,14}$" });

const prompt = Type.Object(
  {
    say: Type.Optional(text),
    play: Type.Optional(url),
    voice: Type.Optional(voice),
    language: Type.Optional(language),
    loop: Type.Optional(loop),
  },
  { additionalProperties: false, oneOf: [{ required: ["say"] }, { required: ["play"] }] },
);
const prompts = Type.Array(prompt, { maxItems: 10 });

/** Each node type's properties (besides `type`); which of them are required is below. */
const shapes = {
  say: { text, voice, language, loop, next: ref },
  play: { url, loop, next: ref },
  gather: {
    prompt: prompts,
    choices: Type.Array(
      Type.Object(
        {
          digits: Type.Optional(Type.String({ pattern: "^[0-9*#]{1,10}$" })),
          speech: Type.Optional(Type.Array(words, { maxItems: 20 })),
          next: ref,
        },
        { additionalProperties: false },
      ),
      { maxItems: 20 },
    ),
    input: Type.Array(Type.Enum(["dtmf", "speech"], { type: "string" }), { minItems: 1, uniqueItems: true }),
    timeout: Type.Integer({ minimum: 1, maximum: 60 }),
    num_digits: Type.Integer({ minimum: 1, maximum: 10 }),
    max_retries: Type.Integer({ minimum: 0, maximum: 5 }),
    no_input_prompt: prompts,
    invalid_prompt: prompts,
    on_failure: ref,
    language,
  },
  dial: {
    number: phone,
    caller_id: phone,
    timeout: Type.Integer({ minimum: 5, maximum: 600 }),
    next: ref,
    on_no_answer: ref,
  },
  record: {
    prompt: prompts,
    max_length: Type.Integer({ minimum: 1, maximum: 3600 }),
    timeout: Type.Integer({ minimum: 0, maximum: 60 }),
    transcribe: Type.Boolean(),
    play_beep: Type.Boolean(),
    next: ref,
  },
  redirect: { next: ref, url },
  hangup: {},
};

const required: Record<string, string[]> = {
  say: ["text"],
  play: ["url"],
  gather: ["prompt", "choices"],
  dial: ["number"],
};

/**
 * A node: its `type`, then the properties of that type (JSON Schema's if/then per type, which
 * TypeBox does not express; hence typed as the FlowNode union by hand).
 */
const node = Type.Unsafe<FlowNode>(
  Type.Object(
    { type: Type.Enum(Object.keys(shapes), { type: "string" }) },
    {
      allOf: Object.entries(shapes).map(([type, properties]) => ({
        if: { properties: { type: { const: type } } },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a promise
        then: {
          additionalProperties: false,
          required: required[type] ?? [],
          properties: { type: { const: type }, ...properties },
        },
      })),
    },
  ),
);

/** What a flow is saved from (POST/PUT /v1/ivr-flows, and the dry run): its body and its type. */
export const FlowInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    start: ref,
    voice: Type.Optional(voice),
    language: Type.Optional(language),
    nodes: Dictionary(node, { minProperties: 1, maxProperties: 200, propertyNames: { pattern: NODE_ID } }),
    // Absent: the numbers stay as they are; []: none.
    phone_numbers: Type.Optional(
      Type.Array(phone, {
        maxItems: 50,
        uniqueItems: true,
        description:
          "Numbers of the tenant whose incoming calls run this flow (their voice URL is set to us)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type FlowInput = Static<typeof FlowInput>;

/** Output shape of a node (free-form: the flow is returned as saved). */
export const NODE_OUTPUT = OpenObject();
