import { CONTROL_PREFIX, isControlPath } from "../control/auth.js";
import type { Params } from "../core/form.js";
import type { World } from "../world.js";
import type { Account, Principal } from "../api/2010/accounts/model.js";

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  /** Query string and body parameters together (Twilio reads both). */
  input: Params;
  principal: Principal | null;
  world: World;
  /** The 2010 account named in the path, after the scoping check; v1/v2: the principal's account. */
  account: Account;
  headers: Record<string, string | string[] | undefined>;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export type Handler = (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;

export interface RouteOptions {
  /**
   * Control API routes: no Twilio credentials; guarded by the control token instead, which
   * covers the /_emulator/ prefix only — so a public route anywhere else is refused.
   */
  public?: boolean;
}

interface Route {
  method: string;
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: Handler;
  options: RouteOptions;
}

/** Paths are written as Twilio's, with the product host as the first segment: /api/2010-04-01/… */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, options: RouteOptions = {}) {
    if (options.public && !isControlPath(pattern)) {
      throw new Error(`public route ${pattern} must live under ${CONTROL_PREFIX}`);
    }
    const names: string[] = [];
    const source = pattern
      .split(/(:[A-Za-z]+)/)
      .map((part) => {
        if (part.startsWith(":")) {
          names.push(part.slice(1));
          return "([^/]+?)";
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("");
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}$`), names, handler, options });
  }

  get(pattern: string, handler: Handler, options?: RouteOptions) {
    this.add("GET", pattern, handler, options);
  }
  post(pattern: string, handler: Handler, options?: RouteOptions) {
    this.add("POST", pattern, handler, options);
  }
  put(pattern: string, handler: Handler, options?: RouteOptions) {
    this.add("PUT", pattern, handler, options);
  }
  delete(pattern: string, handler: Handler, options?: RouteOptions) {
    this.add("DELETE", pattern, handler, options);
  }

  match(method: string, path: string) {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]);
      });
      return { route, params };
    }
    return pathMatched ? "method_not_allowed" : null;
  }

  list() {
    return this.routes.map((r) => ({ method: r.method, pattern: r.pattern }));
  }
}
