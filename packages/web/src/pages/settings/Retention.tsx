import { type FormEvent, useState } from "react";
import { Card, ErrorBanner, Notice } from "../../components/ui";
import { get, patch } from "../../lib/api";
import { useAsync } from "../../lib/hooks";

/** Retention of message bodies, quiet hours and carrier lookups. */
export function Retention() {
  const settings = useAsync((signal) => get("/v1/messaging/settings", { signal }), []);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const s = settings.data;
  function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const days = String(f.get("retention_days") ?? "");
    const start = String(f.get("quiet_start") ?? "");
    const end = String(f.get("quiet_end") ?? "");
    setSaved(false);
    patch("/v1/messaging/settings", {
      retention_days: days ? Number(days) : null,
      quiet_hours: start && end ? { start, end } : null,
      carrier_lookup: f.get("carrier_lookup") === "on",
    }).then(() => {
      setSaved(true);
      settings.reload();
    }, setError);
  }
  if (!s) return <ErrorBanner error={settings.error} />;
  return (
    <Card title="Retention and delivery">
      <form className="stacked-form" onSubmit={save} key={JSON.stringify(s)}>
        <label>
          Erase message bodies after (days; empty keeps them)
          <input
            name="retention_days"
            type="number"
            min={1}
            max={3650}
            defaultValue={s.retention_days ?? ""}
          />
        </label>
        <fieldset>
          <legend>Quiet hours, in the recipient's local time (messages wait until the end)</legend>
          <label>
            From <input name="quiet_start" type="time" defaultValue={s.quiet_hours?.start ?? ""} />
          </label>
          <label>
            To <input name="quiet_end" type="time" defaultValue={s.quiet_hours?.end ?? ""} />
          </label>
        </fieldset>
        <label className="field-check">
          <input name="carrier_lookup" type="checkbox" defaultChecked={s.carrier_lookup} /> Look up carriers
          (billed) to count T-Mobile's daily cap exactly
        </label>
        <ErrorBanner error={error} />
        {saved && <Notice tone="good">Saved.</Notice>}
        <button className="primary" type="submit">
          Save
        </button>
      </form>
    </Card>
  );
}
