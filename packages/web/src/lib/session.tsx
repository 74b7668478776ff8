import { type ReactNode, createContext, useCallback, useContext, useEffect, useState } from "react";
import { ApiError, get, onSessionEnded, post, setActingTenant } from "./api";

export interface Me {
  kind: "staff" | "admin_token" | "tenant_key";
  user: { id: string; email: string; name: string; role: string; role_label: string } | null;
  tenant: { id: string; name: string; environment: string } | null;
  permissions: {
    manage_staff: boolean;
    manage_tenants: boolean;
    write: boolean;
    billing: boolean;
    read_content: boolean;
  };
}

export interface TenantRef {
  id: string;
  name: string;
}

interface Session {
  me: Me | null;
  /** Still asking the server who we are. */
  checking: boolean;
  /** The tenant the tenant-level pages show (fixed for customer users). */
  tenant: TenantRef | null;
  selectTenant(t: TenantRef | null): void;
  refresh(): Promise<Me | null>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);
const STORAGE_KEY = "subtext.tenant";

function storedTenant(): TenantRef | null {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
  } catch {
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  const [tenant, setTenant] = useState<TenantRef | null>(storedTenant);

  const selectTenant = useCallback((t: TenantRef | null) => {
    setTenant(t);
    setActingTenant(t?.id ?? null);
    if (t) localStorage.setItem(STORAGE_KEY, JSON.stringify(t));
    else localStorage.removeItem(STORAGE_KEY);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const who = await get<Me>("/v1/auth/me", { noTenant: true });
      setMe(who);
      // A customer user (or tenant key) sees exactly one tenant.
      if (who.tenant) selectTenant({ id: who.tenant.id, name: who.tenant.name });
      else setActingTenant(storedTenant()?.id ?? null);
      return who;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
      setMe(null);
      return null;
    } finally {
      setChecking(false);
    }
  }, [selectTenant]);

  useEffect(() => {
    onSessionEnded(() => setMe(null));
    refresh().catch(() => setChecking(false));
  }, [refresh]);

  const signOut = useCallback(async () => {
    await post("/v1/auth/logout").catch(() => {});
    setMe(null);
  }, []);

  return (
    <SessionContext.Provider value={{ me, checking, tenant, selectTenant, refresh, signOut }}>
      {children}
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}
