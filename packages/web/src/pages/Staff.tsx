import { type FormEvent, useState } from "react";
import { Badge, Card, ErrorBanner, Notice, PageHeader } from "../components/ui";
import { del, get, patch, post } from "../lib/api";
import { fmtTime } from "../lib/format";
import { useAsync } from "../lib/hooks";
import { useSession } from "../lib/session";

const ROLES: [string, string][] = [
  ["owner", "Owner"],
  ["admin", "Admin"],
  ["developer", "Developer"],
  ["billing", "Billing"],
  ["read_only", "Read-only"],
];

/** Staff accounts (owners only): roles, customer users scoped to one tenant, 2FA resets. */
export function StaffPage() {
  const { tenant, me } = useSession();
  const users = useAsync((signal) => get("/v1/staff/users", { signal, noTenant: true }), []);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const act = (p: Promise<unknown>, message: string) =>
    p.then(() => {
      setNote(message);
      users.reload();
    }, setError);

  function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const form = e.currentTarget;
    act(
      post(
        "/v1/staff/users",
        {
          email: f.get("email"),
          name: f.get("name"),
          role: f.get("role"),
          password: f.get("password"),
          tenant_id: f.get("scope") === "tenant" && tenant ? tenant.id : null,
        },
        { noTenant: true },
      ).then(() => form.reset()),
      "Added. They set up two-factor authentication at their first sign-in.",
    );
  }

  return (
    <>
      <PageHeader title="Team" subtitle="Who can sign in to this dashboard, and what they may do." />
      <Card title="Add someone">
        <form className="inline-form" onSubmit={add}>
          <label>
            Name <input name="name" required />
          </label>
          <label>
            Email <input name="email" type="email" required />
          </label>
          <label>
            Role{" "}
            <select name="role" defaultValue="developer">
              {ROLES.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label>
            First password{" "}
            <input name="password" type="password" minLength={10} required autoComplete="new-password" />
          </label>
          <label>
            Sees{" "}
            <select name="scope" defaultValue="all">
              <option value="all">All tenants (your staff)</option>
              <option value="tenant" disabled={!tenant}>
                Only {tenant ? tenant.name : "the selected tenant"} (a customer user)
              </option>
            </select>
          </label>
          <button className="primary" type="submit">
            Add
          </button>
        </form>
      </Card>
      <ErrorBanner error={error ?? users.error} />
      {note && <Notice tone="good">{note}</Notice>}
      <Card title="Accounts">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Sees</th>
              <th scope="col">2FA</th>
              <th scope="col">Last sign-in</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {users.data?.data.map((u: any) => (
              <tr key={u.id}>
                <td>
                  {u.name} <div className="small muted">{u.email}</div>
                  {u.disabled && <Badge status="suspended" label="disabled" />}
                </td>
                <td>
                  <label className="sr-only" htmlFor={`role-${u.id}`}>
                    Role of {u.name}
                  </label>
                  <select
                    id={`role-${u.id}`}
                    value={u.role}
                    disabled={u.id === me?.user?.id}
                    onChange={(e) =>
                      act(
                        patch(`/v1/staff/users/${u.id}`, { role: e.target.value }, { noTenant: true }),
                        "Role changed; their sessions ended.",
                      )
                    }
                  >
                    {ROLES.filter(([v]) => !(u.tenant_id && v === "owner")).map(([v, l]) => (
                      <option key={v} value={v}>
                        {l}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{u.tenant_id ? <code>{u.tenant_id}</code> : "All tenants"}</td>
                <td>{u.totp_enabled ? "On" : "Set up at next sign-in"}</td>
                <td>{fmtTime(u.last_login_at)}</td>
                <td className="actions">
                  {u.id !== me?.user?.id && (
                    <>
                      <button
                        type="button"
                        className="link"
                        onClick={() =>
                          act(
                            patch(`/v1/staff/users/${u.id}`, { disabled: !u.disabled }, { noTenant: true }),
                            u.disabled ? "Enabled." : "Disabled.",
                          )
                        }
                      >
                        {u.disabled ? "Enable" : "Disable"}
                      </button>
                      <button
                        type="button"
                        className="link"
                        onClick={() =>
                          act(
                            patch(`/v1/staff/users/${u.id}`, { reset_totp: true }, { noTenant: true }),
                            "Two-factor reset.",
                          )
                        }
                      >
                        Reset 2FA
                      </button>
                      <button
                        type="button"
                        className="link danger"
                        onClick={() =>
                          window.confirm(`Delete ${u.email}?`) &&
                          act(del(`/v1/staff/users/${u.id}`, { noTenant: true }), "Deleted.")
                        }
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </>
  );
}
