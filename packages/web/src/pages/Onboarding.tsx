import { useState } from "react";
import { Card, ErrorBanner, Loading, NeedsTenant, PageHeader } from "../components/ui";
import { get } from "../lib/api";
import { KIND_LABELS } from "../lib/format";
import { useAsync } from "../lib/hooks";
import { useSession } from "../lib/session";
import { Campaigns } from "./onboarding/Campaigns";
import { International } from "./onboarding/International";
import { RegistrationTimeline } from "./onboarding/Timeline";
import { Wizard } from "./onboarding/Wizard";

/** A tenant's registrations: the wizard when there is none, else the timeline. */
export function OnboardingPage() {
  const { tenant } = useSession();
  const [chosen, setChosen] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const regs = useAsync(
    (signal) =>
      tenant
        ? get(`/v1/tenants/${tenant.id}/registrations`, { signal, noTenant: true })
        : Promise.resolve(null),
    [tenant?.id],
  );
  if (!tenant) {
    return (
      <>
        <PageHeader title="Onboarding" />
        <NeedsTenant what="registrations" />
      </>
    );
  }
  const list: any[] = regs.data?.data ?? [];
  const current = list.find((r) => r.id === chosen) ?? list.find((r) => r.state === "approved") ?? list[0];
  return (
    <>
      <PageHeader
        title="Onboarding"
        subtitle={`Registration of ${tenant.name} with the carriers, so it may send.`}
        actions={
          list.length > 0 &&
          !starting && (
            <button type="button" onClick={() => setStarting(true)}>
              Register another sender type
            </button>
          )
        }
      />
      <ErrorBanner error={regs.error} />
      {regs.loading && !regs.data && <Loading />}
      {list.length > 1 && (
        <Card>
          <div className="toolbar">
            {list.map((r) => (
              <button
                key={r.id}
                type="button"
                className={r.id === current?.id ? "tab active" : "tab"}
                onClick={() => setChosen(r.id)}
              >
                {KIND_LABELS[r.kind]} · {r.state}
              </button>
            ))}
          </div>
        </Card>
      )}
      {regs.data && (list.length === 0 || starting) && (
        <Wizard
          tenantId={tenant.id}
          onSubmitted={(r) => {
            setStarting(false);
            setChosen(r.id);
            regs.reload();
          }}
        />
      )}
      {current && !starting && (
        <RegistrationTimeline key={current.id} tenantId={tenant.id} registrationId={current.id} />
      )}
      {current && !starting && current.kind !== "toll_free" && (
        <Campaigns
          key={`campaigns-${current.id}`}
          tenantId={tenant.id}
          registration={current}
          onRegistrationChange={regs.reload}
        />
      )}
      <section id="abroad" aria-label="Sending abroad">
        <International key={`abroad-${tenant.id}`} tenantId={tenant.id} />
      </section>
    </>
  );
}
