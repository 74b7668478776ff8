import { useState } from "react";
import { NeedsTenant, PageHeader } from "../components/ui";
import { useSession } from "../lib/session";
import { Limits } from "./verify/Limits";
import { CheckCode, StartVerification } from "./verify/Tester";
import { Verifications } from "./verify/Verifications";

/** The selected tenant's one-time codes (Twilio Verify): try it, the log, and our limits. */
export function VerifyPage() {
  const { tenant, me } = useSession();
  const [changed, setChanged] = useState(0);
  if (!tenant)
    return (
      <>
        <PageHeader title="Verify" />
        <NeedsTenant what="verifications" />
      </>
    );
  const canWrite = Boolean(me?.permissions.write);
  const bump = () => setChanged((n) => n + 1);
  return (
    <div key={tenant.id}>
      <PageHeader
        title="Verify"
        subtitle={`One-time codes for ${tenant.name}, sent and checked by Twilio Verify.`}
      />
      {canWrite && (
        <div className="grid-2">
          <StartVerification onStarted={bump} />
          <CheckCode onChecked={bump} />
        </div>
      )}
      <Verifications reloadKey={changed} />
      <Limits canWrite={canWrite} />
    </div>
  );
}
