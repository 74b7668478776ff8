/**
 * Kannel's `GET /cgi-bin/sendsms`, each request to a new recipient, for bench/load-worker.mjs.
 *
 * @param {{ username: string, password: string, from?: string, start?: number, text?: string }} args
 */
export function setup({ username, password, from = "18005550100", start = 0, text = "Bench" }) {
  let i = start;
  const auth = `username=${encodeURIComponent(username)}&password=${encodeURIComponent(password)}`;
  return {
    method: "GET",
    path: `/cgi-bin/sendsms?${auth}&from=${from}&to=1415${2_000_000 + (start % 8_000_000)}&text=${text}`,
    headers: {},
    next() {
      const n = i++;
      const to = `1415${2_000_000 + (n % 8_000_000)}`;
      return {
        path: `/cgi-bin/sendsms?${auth}&from=${from}&to=${to}&text=${encodeURIComponent(`${text} ${n}`)}`,
      };
    },
  };
}
