/**
 * `POST /v1/messages`, each request to a new recipient (`+1415` and a valid local number: the
 * exchange starts with 2–9), for bench/load-worker.mjs. The same bodies go to the bare
 * ceilings, so both parse the same JSON.
 * With `tokens`, requests take the tenants' keys in turn.
 *
 * @param {{ token?: string, tokens?: string[], start?: number, text?: string, path?: string }} args
 */
export function setup({ token, tokens, start = 0, text = "Bench", path = "/v1/messages" }) {
  let i = start;
  const keys = tokens ?? (token ? [token] : []);
  const auth = (n) => (keys.length ? { authorization: `Bearer ${keys[n % keys.length]}` } : {});
  return {
    method: "POST",
    path,
    headers: { "content-type": "application/json", ...auth(0) },
    next() {
      const n = i++;
      return {
        body: JSON.stringify({ to: `+1415${2_000_000 + (n % 8_000_000)}`, body: `${text} ${n}` }),
        ...(keys.length > 1 ? { headers: auth(n) } : {}),
      };
    },
  };
}
