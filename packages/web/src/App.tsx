import { type ReactNode, useEffect } from "react";
import { Shell } from "./components/Shell";
import { Loading } from "./components/ui";
import { match, useRouter } from "./lib/router";
import { useSession } from "./lib/session";
import { InsightsPage } from "./pages/Insights";
import { LoginPage } from "./pages/Login";
import { MessageDetailPage } from "./pages/MessageDetail";
import { MessagesPage } from "./pages/Messages";
import { NumbersPage } from "./pages/Numbers";
import { OnboardingPage } from "./pages/Onboarding";
import { SettingsPage } from "./pages/Settings";
import { StaffPage } from "./pages/Staff";
import { TenantsPage } from "./pages/Tenants";
import { UsagePage } from "./pages/Usage";
import { VerifyPage } from "./pages/Verify";
import { VoicePage } from "./pages/Voice";
import { WhatsAppPage } from "./pages/WhatsApp";
import { CallDetailPage } from "./pages/voice/CallDetail";
import { FlowEditorPage } from "./pages/voice/FlowEditor";

const ROUTES: [string, (p: Record<string, string>) => ReactNode][] = [
  ["/tenants", () => <TenantsPage />],
  ["/onboarding", () => <OnboardingPage />],
  ["/messages", () => <MessagesPage />],
  ["/numbers", () => <NumbersPage />],
  ["/messages/:id", (p) => <MessageDetailPage id={p.id} />],
  ["/whatsapp", () => <WhatsAppPage />],
  ["/verify", () => <VerifyPage />],
  ["/voice", () => <VoicePage />],
  // Before /voice/flows/:id, which "new" would also match.
  ["/voice/flows/new", () => <FlowEditorPage />],
  ["/voice/flows/:id", (p) => <FlowEditorPage id={p.id} />],
  ["/voice/calls/:id", (p) => <CallDetailPage id={p.id} />],
  ["/insights", () => <InsightsPage />],
  ["/usage", () => <UsagePage />],
  ["/settings", () => <SettingsPage />],
  ["/staff", () => <StaffPage />],
];

export function App() {
  const { me, checking } = useSession();
  const { location, navigate } = useRouter();
  const home = me?.tenant ? "/insights" : "/tenants";

  useEffect(() => {
    if (checking) return;
    if (!me && location.path !== "/login")
      navigate(`/login${location.path !== "/" ? `?next=${encodeURIComponent(location.path)}` : ""}`, true);
    else if (me && (location.path === "/" || location.path === "/login"))
      navigate(location.search.get("next") ?? home, true);
  }, [checking, me, location.path, location.search, navigate, home]);

  useEffect(() => {
    const page = location.path.split("/")[1] || "home";
    const title = page === "whatsapp" ? "WhatsApp" : `${page.charAt(0).toUpperCase()}${page.slice(1)}`;
    document.title = `${title} · Subtext`;
  }, [location.path]);

  if (checking) return <Loading what="Starting" />;
  if (!me) return <LoginPage />;
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, location.path);
    if (params) return <Shell>{render(params)}</Shell>;
  }
  return (
    <Shell>
      <h1>Not found</h1>
      <p>No page at {location.path}.</p>
    </Shell>
  );
}
