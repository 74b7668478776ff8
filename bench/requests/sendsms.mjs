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
    path: `/cgi-bin/sendsms?${auth}&from=${from}&to=1415${String(start).padStart(7, "0")}&text=${text}`,
    headers: {},
    next() {
      const n = i++;
      const to = `1415${String(n % 1e7).padStart(7, "0")}`;
      return {
        path: `/cgi-bin/sendsms?${auth}&from=${from}&to=${to}&text=${encodeURIComponent(`${text} ${n}`)}`,
      };
    },
  };
}
