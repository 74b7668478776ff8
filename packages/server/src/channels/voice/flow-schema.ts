/** JSON schema of a flow document (shape only; voice/validate.ts checks the graph). */
const NODE_ID = "^[A-Za-z][A-Za-z0-9_-]{0,63}$";
const ref = { type: "string", pattern: NODE_ID } as const;
const text = { type: "string", minLength: 1, maxLength: 4000 } as const;
const url = { type: "string", maxLength: 2048, pattern: "^https?://" } as const;
const loop = { type: "integer", minimum: 0, maximum: 100 } as const;
const words = { type: "string", minLength: 1, maxLength: 100 } as const;
const voice = { type: "string", minLength: 1, maxLength: 64 } as const;
const language = { type: "string", pattern: "^[a-z]{2,3}(-[A-Za-z]{2,4})?$" } as const;
const phone = { type: "string", pattern: "^\\+[1-9][0-9]{6,14}$" } as const;

const prompt = {
  type: "object",
  additionalProperties: false,
  properties: { say: text, play: url, voice, language, loop },
  oneOf: [{ required: ["say"] }, { required: ["play"] }],
} as const;
const prompts = { type: "array", maxItems: 10, items: prompt } as const;

const shapes = {
  say: { text, voice, language, loop, next: ref },
  play: { url, loop, next: ref },
  gather: {
    prompt: prompts,
    choices: {
      type: "array",
      maxItems: 20,
      items: {
        type: "object",
        required: ["next"],
        additionalProperties: false,
        properties: {
          digits: { type: "string", pattern: "^[0-9*#]{1,10}$" },
          speech: { type: "array", maxItems: 20, items: words },
          next: ref,
        },
      },
    },
    input: {
      type: "array",
      minItems: 1,
      uniqueItems: true,
      items: { type: "string", enum: ["dtmf", "speech"] },
    },
    timeout: { type: "integer", minimum: 1, maximum: 60 },
    num_digits: { type: "integer", minimum: 1, maximum: 10 },
    max_retries: { type: "integer", minimum: 0, maximum: 5 },
    no_input_prompt: prompts,
    invalid_prompt: prompts,
    on_failure: ref,
    language,
  },
  dial: {
    number: phone,
    caller_id: phone,
    timeout: { type: "integer", minimum: 5, maximum: 600 },
    next: ref,
    on_no_answer: ref,
  },
  record: {
    prompt: prompts,
    max_length: { type: "integer", minimum: 1, maximum: 3600 },
    timeout: { type: "integer", minimum: 0, maximum: 60 },
    transcribe: { type: "boolean" },
    play_beep: { type: "boolean" },
    next: ref,
  },
  redirect: { next: ref, url },
  hangup: {},
} as const;

const required: Record<string, string[]> = {
  say: ["text"],
  play: ["url"],
  gather: ["prompt", "choices"],
  dial: ["number"],
};

const node = {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string", enum: Object.keys(shapes) } },
  allOf: Object.entries(shapes).map(([type, properties]) => ({
    if: { properties: { type: { const: type } } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a promise
    then: {
      additionalProperties: false,
      required: required[type] ?? [],
      properties: { type: { const: type }, ...properties },
    },
  })),
} as const;

export const FLOW_BODY_PROPERTIES = {
  name: { type: "string", minLength: 1, maxLength: 200 },
  start: ref,
  voice,
  language,
  nodes: {
    type: "object",
    minProperties: 1,
    maxProperties: 200,
    propertyNames: { pattern: NODE_ID },
    additionalProperties: node,
  },
  phone_numbers: {
    type: "array",
    maxItems: 50,
    uniqueItems: true,
    items: phone,
    description: "Numbers of the tenant whose incoming calls run this flow (their voice URL is set to us)",
  },
} as const;

/** Output shape of a node (free-form: the flow is returned as saved). */
export const NODE_OUTPUT = { type: "object", additionalProperties: true } as const;
