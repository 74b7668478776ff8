import { type ReactNode, createContext, useContext, useEffect, useState } from "react";

/**
 * A tiny history-API router: the server answers every dashboard path with index.html, so deep
 * links and reloads work. Patterns are like "/messages/:id".
 */
interface Location {
  path: string;
  search: URLSearchParams;
}

const RouterContext = createContext<{
  location: Location;
  navigate: (to: string, replace?: boolean) => void;
}>({
  location: { path: "/", search: new URLSearchParams() },
  navigate: () => {},
});

function read(): Location {
  return { path: window.location.pathname, search: new URLSearchParams(window.location.search) };
}

export function Router({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const onPop = () => setLocation(read());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = (to: string, replace = false) => {
    if (replace) window.history.replaceState(null, "", to);
    else window.history.pushState(null, "", to);
    setLocation(read());
    if (!replace) window.scrollTo(0, 0);
  };
  return <RouterContext.Provider value={{ location, navigate }}>{children}</RouterContext.Provider>;
}

export function useRouter() {
  return useContext(RouterContext);
}

/** Params of `pattern` if it matches `path`, else null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const { navigate, location } = useRouter();
  const current = location.path === to || (to !== "/" && location.path.startsWith(`${to}/`));
  return (
    <a
      href={to}
      className={className}
      aria-current={current ? "page" : undefined}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** A page's tab kept in `?tab=`, so a tab can be linked to and survives a reload. */
export function useTab<T extends string>(tabs: readonly T[], fallback: T): [T, (t: T) => void] {
  const { location, navigate } = useRouter();
  const asked = location.search.get("tab") as T | null;
  const tab = asked && tabs.includes(asked) ? asked : fallback;
  return [tab, (t: T) => navigate(`${location.path}?tab=${t}`, true)];
}
