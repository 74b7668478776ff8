import { get } from "./api";
import { useAsync } from "./hooks";
import { useSession } from "./session";

/**
 * The selected tenant's numbers that onboarding attached (suggestions for sender, flow and
 * caller-ID fields). There is no route listing every number of the subaccount, so a number
 * bought elsewhere is typed in; the server checks it against Twilio either way.
 */
export function useTenantNumbers(): string[] {
  const { tenant } = useSession();
  const regs = useAsync(
    (signal) =>
      tenant
        ? get(`/v1/tenants/${tenant.id}/registrations`, { signal, noTenant: true }).catch(() => null)
        : Promise.resolve(null),
    [tenant?.id],
  );
  const numbers = (regs.data?.data ?? [])
    .map((r: any) => r.resources?.phone_number)
    .filter((n: unknown): n is string => typeof n === "string");
  return [...new Set<string>(numbers)];
}

/** A datalist of the tenant's numbers, for inputs with `list={id}`. */
export function NumberOptions({ id, numbers }: { id: string; numbers: string[] }) {
  return (
    <datalist id={id}>
      {numbers.map((n) => (
        <option key={n} value={n} />
      ))}
    </datalist>
  );
}
