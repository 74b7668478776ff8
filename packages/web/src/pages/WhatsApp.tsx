import { NeedsTenant, PageHeader, Tabs } from "../components/ui";
import { useTab } from "../lib/router";
import { useSession } from "../lib/session";
import { OptIns } from "./whatsapp/OptIns";
import { Senders } from "./whatsapp/Senders";
import { Sessions } from "./whatsapp/Sessions";
import { Templates } from "./whatsapp/Templates";

const TABS = ["senders", "templates", "sessions", "opt-ins"] as const;
type Tab = (typeof TABS)[number];

/** The selected tenant's WhatsApp: senders, templates and their review, windows, opt-ins. */
export function WhatsAppPage() {
  const { tenant, me } = useSession();
  const [tab, setTab] = useTab<Tab>(TABS, "senders");
  if (!tenant)
    return (
      <>
        <PageHeader title="WhatsApp" />
        <NeedsTenant what="WhatsApp senders and templates" />
      </>
    );
  const canWrite = Boolean(me?.permissions.write);
  return (
    <>
      <PageHeader
        title="WhatsApp"
        subtitle={`${tenant.name}. Send from Messages to a whatsapp:+1… address; templates go through the API's content_sid.`}
      />
      <Tabs<Tab>
        value={tab}
        onChange={setTab}
        tabs={[
          ["senders", "Senders"],
          ["templates", "Templates"],
          ["sessions", "Windows"],
          ["opt-ins", "Opt-ins"],
        ]}
      />
      <div key={tenant.id}>
        {tab === "senders" && <Senders canWrite={canWrite} />}
        {tab === "templates" && <Templates canWrite={canWrite} />}
        {tab === "sessions" && <Sessions />}
        {tab === "opt-ins" && <OptIns canWrite={canWrite} />}
      </div>
    </>
  );
}
