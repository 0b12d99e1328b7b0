import { Browser, expect, Page, test } from "@playwright/test";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { hydrated, Role, signedInPage, watchConsole } from "./support";

/** A page of its own (own cookies) signed in as `role`, or as the second credit manager. */
async function session(browser: Browser, role: Role, second = false): Promise<Page> {
  return signedInPage(browser, second ? "manager2" : role);
}

/** Submits an application from the rep's page and returns the decision's page address. */
async function apply(page: Page, siren: string, amount: string): Promise<string> {
  await page.goto("/applications");
  await hydrated(page);
  await page.getByLabel("Company SIREN").fill(siren);
  await expect(page.getByTestId("siren-preview")).toContainText(/Active|Not found/);
  await page.getByLabel("Amount (€)", { exact: true }).fill(amount);
  await page.getByTestId("submit-application").click();
  await expect(page).toHaveURL(/\/applications\/dec_[0-9a-f]{32}$/);
  return new URL(page.url()).pathname;
}

/** As a credit manager, opens the case from the queue and claims it. */
async function claimFromQueue(page: Page, decisionId: string) {
  await page.goto("/queue");
  const row = page.locator(`[data-testid=case-row][data-decision=${decisionId}]`);
  await expect(row).toBeVisible();
  await row.getByRole("link").first().click();
  await expect(page).toHaveURL(`/cases/${decisionId}`);
  await page.getByTestId("claim").click();
  await expect(page.getByTestId("case-holder")).toContainText("Held by");
}

async function decide(page: Page, outcome: string, category: string, justification: string) {
  const form = page.getByTestId("decide-form");
  await form.getByLabel(outcome, { exact: true }).check();
  await form.getByLabel("Category").selectOption({ label: category });
  await form.getByLabel("Justification").fill(justification);
  await form.getByTestId("record-decision").click();
}

test("a sales rep gets an instant approval, then sees a referral resolved by a manager without reloading", async ({ browser }) => {
  const rep = await session(browser, "sales_rep");
  const errors = watchConsole(rep);

  // A healthy company: approved at once; the SIREN is checked and the company shown while typing.
  await rep.goto("/applications");
  await hydrated(rep);
  await rep.getByLabel("Company SIREN").fill("100000008");
  await expect(rep.getByTestId("siren-preview")).toContainText("Not a valid SIREN");
  const approved = await apply(rep, "100000009", "1 500");
  await expect(rep.getByTestId("decision-status")).toHaveAttribute("data-status", "decided");
  await expect(rep.getByTestId("outcome")).toHaveText("Approved");
  await expect(rep.getByTestId("next-step")).toContainText("confirm the order");
  await rep.screenshot({ path: "test-results/rep-approved.png", fullPage: true });

  // A thin file: referred; the page says so and follows the case.
  const referred = await apply(rep, "999999998", "8000");
  const decisionId = referred.split("/").pop()!;
  await expect(rep.getByTestId("decision-status")).toHaveAttribute("data-status", "in_review");
  await expect(rep.getByTestId("next-step")).toContainText("updates by itself");
  await hydrated(rep);

  // My applications lists both.
  const list = await rep.context().newPage();
  await list.goto("/applications");
  await expect(list.locator("[data-testid=case-row]")).toHaveCount(2);
  await expect(list.locator(`[data-decision=${decisionId}]`)).toContainText("In review");
  await list.screenshot({ path: "test-results/rep-applications.png", fullPage: true });

  // A credit manager decides, below the four-eyes amount.
  const manager = await session(browser, "credit_manager");
  await claimFromQueue(manager, decisionId);
  await decide(manager, "Approved", "Relationship history", "Founders known to us for years; registry data checked by phone.");
  await expect(manager.getByTestId("case-done")).toBeVisible();
  await expect(manager.getByTestId("case-status")).toHaveAttribute("data-status", "resolved");

  // The rep's open page updates by itself.
  await expect(rep.getByTestId("decision-status")).toHaveAttribute("data-status", "resolved", { timeout: 15_000 });
  await expect(rep.getByTestId("outcome")).toHaveText("Approved");
  await expect(rep.getByTestId("next-step")).toContainText("Camille Credit");
  await rep.screenshot({ path: "test-results/rep-referral-resolved.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("a manager claims a case, reads its reasons and proposes above the four-eyes amount; a second manager confirms", async ({ browser }) => {
  const rep = await session(browser, "sales_rep");
  const referred = await apply(rep, "999999998", "60000");
  const decisionId = referred.split("/").pop()!;

  const manager = await session(browser, "credit_manager");
  const errors = watchConsole(manager);
  await claimFromQueue(manager, decisionId);
  await expect(manager.getByTestId("reasons")).toContainText("DC01");
  // Lineage: the company's active state, read from the registry's answer, highlighted.
  const active = manager.locator('[data-testid=lineage] details[data-feature="lg_active"]');
  await active.locator("summary").click();
  await expect(active.getByTestId("lineage-mark")).toContainText("etatAdministratifUniteLegale");
  await manager.screenshot({ path: "test-results/manager-lineage.png", fullPage: true });

  // A decision without a justification long enough is refused, and nothing changes.
  await decide(manager, "Counter-offer", "Guarantee or collateral", "Too short");
  await expect(manager.getByTestId("case-status")).toHaveAttribute("data-status", "in_review");

  await decide(manager, "Approved", "Guarantee or collateral", "Personal guarantee of the managing director received and checked.");
  await expect(manager.getByTestId("case-status")).toHaveAttribute("data-status", "awaiting_confirmation");
  await expect(manager.getByTestId("pending")).toContainText("another credit manager must confirm");
  await expect(manager.getByTestId("confirm")).toHaveCount(0);
  await manager.screenshot({ path: "test-results/manager-proposed.png", fullPage: true });

  const second = await session(browser, "credit_manager", true);
  await second.goto(`/cases/${decisionId}`);
  await expect(second.getByTestId("pending")).toContainText("Proposed by Camille Credit");
  await second.getByTestId("confirm").click();
  await expect(second.getByTestId("case-status")).toHaveAttribute("data-status", "resolved");
  await expect(second.getByTestId("history").locator("li")).toHaveCount(3);
  await expect(second.getByTestId("history")).toContainText("confirmed the decision");
  await second.screenshot({ path: "test-results/manager-confirmed.png", fullPage: true });

  // The auditor finds it by SIREN and reads the same history.
  const auditor = await session(browser, "auditor");
  await auditor.goto("/audit?siren=999999998&outcome=approve");
  const row = auditor.locator(`[data-testid=case-row][data-decision=${decisionId}]`);
  await expect(row).toBeVisible();
  await row.getByRole("link").first().click();
  await expect(auditor.getByTestId("history")).toContainText("Dominique Second");
  await expect(auditor.getByTestId("actions")).toHaveCount(0);
  await auditor.getByTestId("replay-recorded").click();
  await expect(auditor.getByTestId("replay-verdict")).toHaveAttribute("data-identical", "true");
  await expect(auditor.getByTestId("replay-verdict")).toContainText("pd-polish-5y-2");
  await auditor.screenshot({ path: "test-results/auditor-replay.png", fullPage: true });
  const dossier = await auditor.request.get(`/cases/${decisionId}/dossier.json`);
  expect(dossier.status()).toBe(200);
  const json = await dossier.json();
  expect(json.decision.id).toBe(decisionId);
  expect(json.audit_records.map((r: { kind: string }) => r.kind)).toEqual([
    "decision",
    "claimed",
    "decision_proposed",
    "decision_confirmed",
  ]);
  await auditor.goto("/audit");
  await expect(auditor.getByTestId("chain-status")).toHaveAttribute("data-intact", "true");
  expect(errors).toEqual([]);
});

test("an admin creates an API key, sees it once, and revokes it", async ({ browser, playwright, baseURL }) => {
  const admin = await session(browser, "admin");
  const errors = watchConsole(admin);
  await admin.goto("/admin/keys");
  await hydrated(admin);
  await admin.getByLabel("Name").fill("Checkout integration");
  await admin.getByLabel("Mode").selectOption("sandbox");
  // Every scope is ticked to begin with; this key only asks for and reads decisions.
  const scopes = admin.getByTestId("key-scopes");
  await scopes.getByLabel("webhooks:manage").uncheck();
  await scopes.getByLabel("audit:read").uncheck();
  await admin.getByRole("button", { name: "Create a key" }).click();
  const key = (await admin.getByTestId("created-key").textContent())!.trim();
  expect(key).toMatch(/^aval_test_[0-9a-f]{32}$/);
  await admin.screenshot({ path: "test-results/admin-key-created.png", fullPage: true });
  const created = admin.locator('[data-testid=key-row][data-name="Checkout integration"]');
  await expect(created.getByTestId("key-scopes-cell")).toHaveText(/decisions:write\s+decisions:read/);
  await expect(created.getByTestId("key-scopes-cell")).not.toContainText("webhooks:manage");

  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
  expect((await api.get("/api/v1/ping")).status()).toBe(200);
  const refused = await api.get("/api/v1/webhook-endpoints");
  expect(refused.status()).toBe(403);
  expect((await refused.json()).detail).toContain("needs the scope webhooks:manage");

  await admin.reload();
  await expect(admin.getByTestId("created-key")).toHaveCount(0);
  const row = admin.locator('[data-testid=key-row][data-name="Checkout integration"]');
  await row.getByTestId("revoke").click();
  await expect(admin.getByTestId("key-revoked")).toBeVisible();
  await expect(admin.locator('[data-testid=key-row][data-name="Checkout integration"]')).toContainText("Revoked");
  expect((await api.get("/api/v1/ping")).status()).toBe(401);
  expect(errors).toEqual([]);
});

test("an admin creates an account and hands over its generated password; a reset ends the new user's session", async ({ browser }) => {
  const admin = await session(browser, "admin");
  const errors = watchConsole(admin);
  await admin.goto("/admin/users");
  await hydrated(admin);
  const form = admin.getByTestId("create-user");
  await form.getByLabel("Username").fill("Lea.Martin");
  await form.getByLabel("Full name").fill("Léa Martin");
  await form.getByLabel("Role").selectOption("auditor");
  await form.getByRole("button", { name: "Create an account" }).click();
  await expect(admin).toHaveURL("/admin/users?created=lea.martin");
  const password = (await admin.getByTestId("issued-password").textContent())!.trim();
  expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
  const row = admin.locator('[data-testid=user-row][data-username="lea.martin"]');
  await expect(row).toContainText("Léa Martin");
  await expect(row).toContainText("Auditor");
  await admin.screenshot({ path: "test-results/admin-user-created.png", fullPage: true });

  // The new user signs in with it, in their own browser.
  const lea = await (await browser.newContext()).newPage();
  await lea.goto("/signin");
  await lea.getByLabel("Username").fill("lea.martin");
  await lea.getByLabel("Password").fill(password);
  await lea.getByRole("button", { name: "Sign in" }).click();
  // A generated password is changed before anything else.
  await expect(lea).toHaveURL("/account/password?required=1");
  await expect(lea.getByTestId("password-required")).toBeVisible();
  await hydrated(lea);
  const change = lea.getByTestId("change-password");
  await change.getByLabel("Current password").fill(password);
  await change.getByLabel("New password", { exact: true }).fill("password1234");
  await change.getByLabel("New password again").fill("password1234");
  await change.getByRole("button", { name: "Change my password" }).click();
  await expect(lea.getByTestId("password-error")).toContainText("new_password");
  await change.getByLabel("Current password").fill(password);
  await change.getByLabel("New password", { exact: true }).fill("lantern-orchid-quarry-59");
  await change.getByLabel("New password again").fill("lantern-orchid-quarry-59");
  await change.getByRole("button", { name: "Change my password" }).click();
  await expect(lea.getByTestId("password-changed")).toBeVisible();
  await lea.screenshot({ path: "test-results/password-changed.png", fullPage: true });
  await lea.goto("/");
  await expect(lea).toHaveURL("/");
  await expect(lea.getByTestId("user-role")).toHaveText("Auditor");

  // Shown once; a role change and a reset from the list.
  await admin.reload();
  await expect(admin.getByTestId("issued-password")).toHaveCount(0);
  await row.getByLabel("Change role").selectOption("credit_manager");
  await row.getByTestId("change-role").click();
  await expect(admin.getByTestId("user-changed")).toContainText("lea.martin");
  await expect(admin.locator('[data-testid=user-row][data-username="lea.martin"]')).toContainText("Credit manager");
  await admin.locator('[data-testid=user-row][data-username="lea.martin"]').getByTestId("reset-password").click();
  await expect(admin.getByTestId("issued-password")).toBeVisible();
  await lea.goto("/queue");
  await expect(lea).toHaveURL("/signin?expired=1&next=/queue");

  // The last admin cannot deactivate themselves: there is no button for it.
  await expect(admin.locator('[data-testid=user-row][data-username="admin"]').getByTestId("deactivate")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a manager reads a company's evidence: its accounts, ratios, reasons and legal events", async ({ browser }) => {
  const rep = await session(browser, "sales_rep");
  const strapped = (await apply(rep, "400000006", "15000")).split("/").pop()!;
  const proceeding = (await apply(rep, "500000005", "15000")).split("/").pop()!;

  const manager = await session(browser, "credit_manager");
  const errors = watchConsole(manager);
  await manager.goto(`/cases/${strapped}`);
  await hydrated(manager);
  await expect(manager.getByTestId("balance").locator("svg")).toBeVisible();
  await expect(manager.getByTestId("negative-days")).not.toHaveText(/^0 \//);
  // The twelve largest effects first, every other ratio one click away.
  await expect(manager.getByTestId("ratios").locator("[data-testid=ratio]:visible")).toHaveCount(12);
  await manager.getByTestId("ratios-rest").locator("summary").click();
  await expect(manager.getByTestId("ratios").locator("[data-testid=ratio]:visible")).toHaveCount(60);
  const ratio = manager.locator('[data-testid=ratio][data-feature="x1_net_profit_to_total_assets"]');
  await expect(ratio).toContainText("Net profit / total assets (X1)");
  await expect(ratio).toContainText(/decile \d+ of 10, median/);
  // The reasons and the waterfall speak of groups of ratios.
  await expect(manager.getByText("Liquidity raises the risk")).toBeVisible();
  await expect(manager.getByTestId("waterfall")).toContainText("Liquidity (");
  await manager.screenshot({ path: "test-results/manager-evidence.png", fullPage: true });
  await manager.getByTestId("balance").screenshot({ path: "test-results/manager-balance.png" });
  await manager.getByTestId("ratios").screenshot({ path: "test-results/manager-ratios.png" });
  await manager.goto(`/cases/${proceeding}`);
  await expect(manager.locator("[data-testid=legal-event][data-severity=critical]").first()).toContainText("receivership");
  await manager.getByTestId("legal-events").screenshot({ path: "test-results/manager-legal-timeline.png" });
  expect(errors).toEqual([]);
});

test("a manager works the queue from the keyboard and opens the dashboard", async ({ browser }) => {
  const rep = await session(browser, "sales_rep");
  const referred = (await apply(rep, "300000007", "5000")).split("/").pop()!;

  const manager = await session(browser, "credit_manager");
  const errors = watchConsole(manager);
  // The queue from the keyboard: j selects the first row, Enter opens it.
  await manager.goto("/queue");
  await hydrated(manager);
  await expect(manager.locator(`[data-testid=case-row][data-decision=${referred}]`)).toBeVisible();
  await manager.keyboard.press("j");
  const first = await manager.locator("[data-testid=case-row]").first().getAttribute("data-decision");
  await manager.keyboard.press("Enter");
  await expect(manager).toHaveURL(`/cases/${first}`);
  await manager.keyboard.press("?");
  await expect(manager.getByTestId("shortcuts-help")).toContainText("g d");
  await manager.keyboard.press("Escape");
  await expect(manager.getByTestId("shortcuts-help")).toHaveCount(0);
  await manager.keyboard.press("g");
  await manager.keyboard.press("d");
  await expect(manager).toHaveURL("/dashboard");

  // The dashboard: key figures and the five charts, drawn on the server.
  await expect(manager.getByTestId("kpi-decisions")).not.toHaveText("0");
  for (const chart of ["outcomes_per_day", "rates_by_product", "queue_age", "latency", "scores"]) {
    await expect(manager.getByTestId(`chart-${chart}`).locator("svg")).toBeVisible();
  }
  // The model's drift: the score's and every input's stability index, banded.
  await expect(manager.getByTestId("drift-table").locator('tr[data-input="score"]')).toBeVisible();
  await expect(manager.getByTestId("drift-few")).toBeVisible();
  await expect(manager.getByTestId("drift-table").locator("tr[data-band]").first()).toHaveAttribute("data-band", /^(stable|watch|act)$/);
  await manager.getByTestId("drift").screenshot({ path: "test-results/manager-drift.png" });
  await manager.getByRole("link", { name: "Last 7 days" }).click();
  await expect(manager).toHaveURL("/dashboard?days=7");
  await expect(manager.getByRole("link", { name: "Last 7 days" })).toHaveAttribute("aria-current", "page");
  await manager.screenshot({ path: "test-results/manager-dashboard.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("nothing spills sideways on a tablet or a small laptop: wide tables scroll in their frame", async ({ browser }) => {
  const rep = await session(browser, "sales_rep");
  const strapped = (await apply(rep, "400000006", "15000")).split("/").pop()!;

  const manager = await session(browser, "credit_manager");
  const errors = watchConsole(manager);
  for (const [width, height, name] of [[768, 1024, "tablet"], [1280, 800, "laptop"]] as const) {
    await manager.setViewportSize({ width, height });
    for (const path of ["/dashboard", `/cases/${strapped}`, "/queue"]) {
      await manager.goto(path);
      const overflow = await manager.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} at ${width}px`).toBeLessThanOrEqual(0);
    }
    await manager.goto(`/cases/${strapped}`);
    await manager.screenshot({ path: `test-results/manager-case-${name}.png`, fullPage: true });
  }
  expect(errors).toEqual([]);
});

test("an admin registers a webhook endpoint, reads its secret once, and disables it", async ({ browser }) => {
  const admin = await session(browser, "admin");
  const errors = watchConsole(admin);
  await admin.goto("/admin/webhooks");
  await hydrated(admin);
  await expect(admin.locator(".lead")).toContainText("delivered at least once");
  const form = admin.getByTestId("create-endpoint");
  // An address inside the lender's network is refused, saying why.
  await form.getByLabel("Address (https://…)").fill("https://10.0.0.1/aval-hooks");
  await form.getByRole("button", { name: "Add an endpoint" }).click();
  await expect(admin.locator(".alert-error")).toContainText("10.0.0.1 is a private address");
  // The demo allows this machine, where its example receivers run.
  await form.getByLabel("Address (https://…)").fill("http://127.0.0.1:9/aval-hooks");
  await form.getByLabel("monitoring.source_failed").uncheck();
  await form.getByRole("button", { name: "Add an endpoint" }).click();
  await expect(admin).toHaveURL(/\/admin\/webhooks\?created=wh_/);
  await expect(admin.getByTestId("created-secret")).toHaveText(/^whsec_[A-Za-z0-9+/=]{44}$/);
  const row = admin.locator('[data-testid=endpoint-row][data-url="http://127.0.0.1:9/aval-hooks"]');
  await expect(row).toContainText("decision.created");
  await expect(row).not.toContainText("monitoring.source_failed");
  await admin.screenshot({ path: "test-results/admin-webhook-created.png", fullPage: true });
  await admin.reload();
  await expect(admin.getByTestId("created-secret")).toHaveCount(0);
  await row.getByTestId("disable").click();
  await expect(row).toContainText("Disabled");
  await expect(row.getByTestId("send-test")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("an admin adds an endpoint, makes a monitored sandbox company deteriorate, and sees the delivery", async ({ browser }) => {
  // The lender's receiver: a real local HTTP server that keeps what it is sent.
  const received: { id: string; type: string; body: any }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const event = JSON.parse(body);
      received.push({ id: String(req.headers["webhook-id"]), type: event.type, body: event });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    const admin = await session(browser, "admin");
    const errors = watchConsole(admin);
    await admin.goto("/admin/webhooks");
    await hydrated(admin);
    const form = admin.getByTestId("create-endpoint");
    await form.getByLabel("Address (https://…)").fill(url);
    await form.getByRole("button", { name: "Add an endpoint" }).click();
    await expect(admin).toHaveURL(/\/admin\/webhooks\?created=wh_/);

    // A sales rep's approval enrols the company.
    const siren = "732829320";
    const rep = await session(browser, "sales_rep");
    await apply(rep, siren, "5000");
    await expect(rep.getByTestId("outcome")).toContainText("Approved");
    await admin.goto("/admin/webhooks");
    const monitored = admin.locator(`[data-testid=monitored-row][data-siren="${siren}"]`);
    await expect(monitored).toBeVisible();
    await expect(admin.locator("[data-testid=delivery-row][data-event-type='decision.created']").first()).toBeVisible();

    // The sandbox control: a collective proceeding opens; the check runs at once.
    const control = admin.getByTestId("condition-form");
    await control.getByLabel("SIREN").fill(siren);
    await control.getByLabel(/collective proceeding opens/).check();
    await control.getByTestId("apply-condition").click();
    await expect(admin.getByTestId("webhooks-notice")).toContainText(siren);
    await expect(async () => {
      await admin.reload();
      await expect(admin.locator("[data-testid=delivery-row][data-event-type='company.risk_changed'][data-status=delivered]")).toHaveCount(1);
    }).toPass({ timeout: 20_000 });
    await expect(monitored).toHaveAttribute("data-result", "risk_changed");
    const row = admin.locator("[data-testid=delivery-row][data-event-type='company.risk_changed']");
    await row.locator("summary").click();
    await expect(row.getByTestId("attempts")).toContainText("204");
    await admin.screenshot({ path: "test-results/admin-webhook-delivery-log.png", fullPage: true });
    const event = received.find((e) => e.type === "company.risk_changed");
    expect(event?.body.data.siren).toBe(siren);
    expect(event?.id).toMatch(/^msg_/);
    await expect(row).toContainText(event!.id);

    // The review case is in the credit managers' queue.
    const manager = await session(browser, "credit_manager");
    const review = event!.body.data.new.decision_id;
    await manager.goto("/queue");
    await expect(manager.locator(`[data-testid=case-row][data-decision=${review}]`)).toContainText("Risk changed under monitoring");
    await manager.goto(`/cases/${review}`);
    await expect(manager.getByTestId("monitoring-review")).toContainText("Collective proceeding: status 0 → 2");
    expect(errors).toEqual([]);
  } finally {
    receiver.close();
  }
});
