import { useState } from "react";
import { NeedsTenant, PageHeader, Tabs } from "../components/ui";
import { useSession } from "../lib/session";
import { AlertRules } from "./settings/AlertRules";
import { ApiKeys } from "./settings/ApiKeys";
import { KeywordReplies } from "./settings/KeywordReplies";
import { OptOuts } from "./settings/OptOuts";
import { Retention } from "./settings/Retention";
import { Webhooks } from "./settings/Webhooks";

type Tab = "keys" | "webhooks" | "optouts" | "keywords" | "retention" | "alerts";

/** The selected tenant's configuration, one tab per area. */
export function SettingsPage() {
  const { tenant } = useSession();
  const [tab, setTab] = useState<Tab>("keys");
  if (!tenant)
    return (
      <>
        <PageHeader title="Settings" />
        <NeedsTenant what="settings" />
      </>
    );
  return (
    <>
      <PageHeader title="Settings" subtitle={tenant.name} />
      <Tabs<Tab>
        value={tab}
        onChange={setTab}
        tabs={[
          ["keys", "API keys"],
          ["webhooks", "Webhooks"],
          ["optouts", "Opt-outs"],
          ["keywords", "Keyword replies"],
          ["retention", "Retention & delivery"],
          ["alerts", "Alerts"],
        ]}
      />
      {tab === "keys" && <ApiKeys tenantId={tenant.id} />}
      {tab === "webhooks" && <Webhooks />}
      {tab === "optouts" && <OptOuts />}
      {tab === "keywords" && <KeywordReplies />}
      {tab === "retention" && <Retention />}
      {tab === "alerts" && <AlertRules tenantId={tenant.id} />}
    </>
  );
}
