import { useState } from "react";
import { Card, Empty, ErrorBanner, Notice } from "../../components/ui";
import { del, get, post } from "../../lib/api";
import { fmtTime } from "../../lib/format";
import { useAsync } from "../../lib/hooks";
import { useSession } from "../../lib/session";

export function ApiKeys({ tenantId }: { tenantId: string }) {
  const { me } = useSession();
  const keys = useAsync(
    (signal) => get(`/v1/tenants/${tenantId}/api-keys`, { signal, noTenant: true }),
    [tenantId],
  );
  const [created, setCreated] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const canManage = me?.permissions.manage_tenants || me?.kind === "admin_token";
  return (
    <Card
      title="API keys"
      actions={
        canManage && (
          <button
            type="button"
            className="primary"
            onClick={() =>
              post(
                `/v1/tenants/${tenantId}/api-keys`,
                { name: `Dashboard ${new Date().toISOString().slice(0, 10)}` },
                { noTenant: true },
              ).then((k) => {
                setCreated(k);
                keys.reload();
              }, setError)
            }
          >
            Create key
          </button>
        )
      }
    >
      <ErrorBanner error={error ?? keys.error} />
      {created && (
        <Notice tone="good">
          New key (shown once, store it now): <code className="secret">{created.key}</code>
        </Notice>
      )}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Prefix</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {keys.data?.data.map((k: any) => (
            <tr key={k.id}>
              <td>{k.name ?? "—"}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{fmtTime(k.created_at)}</td>
              <td>{fmtTime(k.last_used_at)}</td>
              <td>{k.revoked_at ? `revoked ${fmtTime(k.revoked_at)}` : "active"}</td>
              <td>
                {canManage && !k.revoked_at && (
                  <button
                    type="button"
                    className="link danger"
                    onClick={() =>
                      window.confirm("Revoke this key? Calls using it will fail at once.") &&
                      del(`/v1/tenants/${tenantId}/api-keys/${k.id}`, { noTenant: true }).then(
                        keys.reload,
                        setError,
                      )
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {keys.data?.data.length === 0 && <Empty>No keys.</Empty>}
    </Card>
  );
}
