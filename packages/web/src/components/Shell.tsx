import { type ReactNode, useState } from "react";
import { get, qs } from "../lib/api";
import { useAsync, useDebounced } from "../lib/hooks";
import { Link, useRouter } from "../lib/router";
import { useSession } from "../lib/session";

const NAV: [
  string,
  string,
  (p: { manage_staff: boolean; billing: boolean; read_content: boolean; customer: boolean }) => boolean,
][] = [
  ["/tenants", "Tenants", (p) => !p.customer],
  ["/onboarding", "Onboarding", () => true],
  ["/messages", "Messages", () => true],
  ["/numbers", "Numbers", (p) => p.read_content],
  // Their routes hold phone numbers and configuration: the roles that may read content.
  ["/whatsapp", "WhatsApp", (p) => p.read_content],
  ["/verify", "Verify", (p) => p.read_content],
  ["/voice", "Voice", (p) => p.read_content],
  ["/insights", "Insights", () => true],
  ["/usage", "Usage & billing", (p) => p.billing],
  ["/settings", "Settings", () => true],
  ["/staff", "Team", (p) => p.manage_staff],
];

export function Shell({ children }: { children: ReactNode }) {
  const { me, signOut, tenant } = useSession();
  const { navigate } = useRouter();
  const customer = Boolean(me?.tenant);
  const perms = {
    manage_staff: me!.permissions.manage_staff,
    billing: me!.permissions.billing,
    read_content: me!.permissions.read_content,
    customer,
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          Subtext
        </div>
        {customer ? <span className="tenant-fixed">{tenant?.name}</span> : <TenantPicker />}
        <div className="who">
          <span>
            {me?.user
              ? `${me.user.name} · ${me.user.role_label}`
              : me?.kind === "admin_token"
                ? "Admin token"
                : "API key"}
          </span>
          <button
            type="button"
            className="link"
            onClick={async () => {
              await signOut();
              navigate("/login", true);
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {NAV.filter(([, , show]) => show(perms)).map(([to, label]) => (
            <li key={to}>
              <Link to={to}>{label}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** Which tenant the tenant-level pages show (admins); searches on the server as you type. */
function TenantPicker() {
  const { tenant, selectTenant } = useSession();
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const q = useDebounced(query, 200);
  const found = useAsync(
    (signal) =>
      open
        ? get(`/v1/insights/tenants${qs({ q, limit: 8, sort: "name" })}`, { signal, noTenant: true })
        : Promise.resolve(null),
    [q, open],
  );
  return (
    <div className="picker">
      <label htmlFor="tenant-picker" className="sr-only">
        Tenant
      </label>
      <span id="tenant-picker-hint" className="sr-only">
        Type to search; the matching tenants follow as buttons.
      </span>
      <input
        id="tenant-picker"
        type="search"
        placeholder={tenant ? tenant.name : "All tenants — type to pick one"}
        value={query}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => setQuery(e.target.value)}
        aria-describedby="tenant-picker-hint"
        autoComplete="off"
      />
      {tenant && (
        <button
          type="button"
          className="link"
          onClick={() => selectTenant(null)}
          aria-label="Show all tenants"
        >
          ✕
        </button>
      )}
      {open && found.data && (
        <ul className="picker-list" aria-label="Matching tenants">
          {found.data.data.map((t: any) => (
            <li key={t.id}>
              <button
                type="button"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  selectTenant({ id: t.id, name: t.name });
                  setQuery("");
                  setOpen(false);
                }}
              >
                {t.name} <span className="muted">{t.id}</span>
              </button>
            </li>
          ))}
          {found.data.data.length === 0 && <li className="muted">No tenant matches.</li>}
        </ul>
      )}
    </div>
  );
}
