import { NeedsTenant, PageHeader, Tabs } from "../components/ui";
import { useTab } from "../lib/router";
import { useSession } from "../lib/session";
import { Calls } from "./voice/Calls";
import { Flows } from "./voice/Flows";

const TABS = ["calls", "flows"] as const;
type Tab = (typeof TABS)[number];

/** The selected tenant's voice: calls in and out, and the IVR flows they run. */
export function VoicePage() {
  const { tenant, me } = useSession();
  const [tab, setTab] = useTab<Tab>(TABS, "calls");
  if (!tenant)
    return (
      <>
        <PageHeader title="Voice" />
        <NeedsTenant what="calls and IVR flows" />
      </>
    );
  const canWrite = Boolean(me?.permissions.write);
  return (
    <>
      <PageHeader title="Voice" subtitle={`Calls and phone menus of ${tenant.name}.`} />
      <Tabs<Tab>
        value={tab}
        onChange={setTab}
        tabs={[
          ["calls", "Calls"],
          ["flows", "IVR flows"],
        ]}
      />
      <div key={tenant.id}>
        {tab === "calls" && <Calls canWrite={canWrite} />}
        {tab === "flows" && <Flows canWrite={canWrite} />}
      </div>
    </>
  );
}
