/**
 * `POST /v1/messages/batch` of `size` messages, each to a new recipient, for bench/load-worker.mjs.
 *
 * @param {{ token: string, size?: number, start?: number, text?: string }} args
 */
export function setup({ token, size = 1000, start = 0, text = "Batch" }) {
  let i = start;
  return {
    method: "POST",
    path: "/v1/messages/batch",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    next() {
      const messages = [];
      for (let k = 0; k < size; k++, i++)
        messages.push({ to: `+1416${2_000_000 + (i % 8_000_000)}`, body: `${text} ${i}` });
      return { body: JSON.stringify({ messages }) };
    },
  };
}
