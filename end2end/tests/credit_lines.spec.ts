import { expect, Page, test } from "@playwright/test";
import * as crypto from "node:crypto";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { hydrated, signedInPage, watchConsole } from "./support";

// A line that grows by itself: a rep's approval for the fast-growing company, its inflows
// growing, the line raised by monitoring, the company page with the history and the reasons,
// the lender's endpoint receiving `credit_limit.changed` signed; then an increase beyond the
// automatic authority waiting in the queue, approved by a credit manager.

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret. */
function signed(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const content = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  const expected = crypto.createHmac("sha256", key).update(content).digest("base64");
  return String(headers["webhook-signature"] ?? "")
    .split(" ")
    .some((s) => s === `v1,${expected}`);
}

async function open(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

async function apply(page: Page, siren: string, amount: string): Promise<string> {
  await open(page, "/applications");
  await page.getByLabel("Company SIREN").fill(siren);
  await page.getByLabel("Amount (€)", { exact: true }).fill(amount);
  await page.getByTestId("submit-application").click();
  await expect(page).toHaveURL(/\/applications\/dec_[0-9a-f]{32}$/);
  await expect(page.getByTestId("outcome")).toHaveText("Approved");
  return new URL(page.url()).pathname.split("/").pop()!;
}

/** The euros a money text shows ("€6,200.00" → 6200). */
function euros(text: string | null): number {
  return Number((text ?? "").replace(/[^0-9.]/g, ""));
}

/** Puts `siren` in "inflows grow"; its check runs at once. */
async function inflowsGrow(admin: Page, siren: string) {
  await open(admin, "/admin/webhooks");
  const control = admin.getByTestId("condition-form");
  await control.getByLabel("SIREN").fill(siren);
  await control.getByLabel(/Inflows grow/).check();
  await control.getByTestId("apply-condition").click();
  await expect(admin.getByTestId("webhooks-notice")).toContainText(`${siren}: the condition is in effect.`);
}

/** Waits until the monitored row of `siren` shows `result`. */
async function checked(admin: Page, siren: string, result: string) {
  await expect(async () => {
    await open(admin, "/admin/webhooks");
    await expect(admin.locator(`[data-testid=monitored-row][data-siren="${siren}"]`)).toHaveAttribute("data-result", result);
  }).toPass({ timeout: 20_000 });
}

test("a line grows by itself, the lender is told, and beyond the authority a manager decides", async ({ browser }) => {
  // A journey of four people over a dozen pages, the admin's page (with the delivery log of
  // every earlier spec) reloaded until each check has run: more than the 30 s one page's test
  // is given. Seen alone it takes about 15 s; after the other specs, over 30.
  test.setTimeout(90_000);
  const received: { type: string; data: Record<string, unknown>; verified: boolean }[] = [];
  let secret = "";
  const receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const event = JSON.parse(body);
      received.push({ type: event.type, data: event.data, verified: signed(secret, req.headers, body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/lines`;
  try {
    const admin = await signedInPage(browser, "admin");
    const errors = watchConsole(admin);
    await open(admin, "/admin/webhooks");
    const form = admin.getByTestId("create-endpoint");
    await form.getByLabel("Address (https://…)").fill(url);
    await form.getByRole("button", { name: "Add an endpoint" }).click();
    secret = (await admin.getByTestId("created-secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);

    // The rep's approval opens the line.
    const rep = await signedInPage(browser, "sales_rep");
    const granted = await apply(rep, "200000008", "5000");

    // Its inflows grow: the check raises the line by itself.
    await inflowsGrow(admin, "200000008");
    await checked(admin, "200000008", "increased");

    // The company page shows the line, its history and the reasons.
    await open(rep, "/companies/200000008");
    const line = rep.locator("[data-testid=credit-line][data-product=bnpl]");
    // Raised by the growth, at most one step of 25 %.
    const raisedTo = euros(await line.getByTestId("line-limit").textContent());
    expect(raisedTo).toBeGreaterThan(5_000);
    expect(raisedTo).toBeLessThanOrEqual(6_250);
    const history = line.getByTestId("line-history");
    await expect(history.locator("tr[data-change=increased]")).toContainText("monitoring");
    await expect(history.locator("tr[data-change=increased]")).toContainText("IN01");
    await expect(history.locator("tr[data-change=granted]")).toContainText(granted);
    await expect(rep.getByTestId("chart-company_pd").locator("svg")).toBeVisible();

    // The lender's endpoint got the change, signed, and the delivery log says so.
    await expect.poll(() => received.filter((e) => e.type === "credit_limit.changed" && e.data.change === "increased").length, { timeout: 20_000 }).toBe(1);
    const raised = received.find((e) => e.type === "credit_limit.changed" && e.data.change === "increased")!;
    expect(raised.verified).toBe(true);
    expect(raised.data.previous_limit_cents).toBe(500_000);
    expect(raised.data.limit_cents).toBe(raisedTo * 100);
    await expect(async () => {
      await open(admin, "/admin/webhooks");
      await expect(admin.locator("[data-testid=delivery-row][data-event-type='credit_limit.changed'][data-status=delivered]").first()).toBeVisible();
    }).toPass({ timeout: 20_000 });

    // Beyond the automatic authority (50 000 € for BNPL), the increase waits for a manager.
    await apply(rep, "732000021", "42000");
    await inflowsGrow(admin, "732000021");
    await checked(admin, "732000021", "increase_proposed");
    const manager = await signedInPage(browser, "credit_manager");
    await open(manager, "/queue");
    const row = manager.locator("[data-testid=case-row]").filter({ hasText: "732000021" });
    await expect(row).toContainText("Line increase above the automatic authority");
    await row.locator("a").first().click();
    await expect(manager).toHaveURL(/\/cases\/dec_/);
    await hydrated(manager);
    await expect(manager.getByTestId("line-review")).toContainText("IN04");
    await manager.getByTestId("claim").click();
    await expect(manager.getByTestId("case-holder")).toContainText("Held by");
    const decide = manager.getByTestId("decide-form");
    await decide.getByLabel("Approved", { exact: true }).check();
    await decide.getByLabel("Category").selectOption({ label: "Guarantee or collateral" });
    await decide.getByLabel("Justification").fill("Order book confirmed with the company.");
    await decide.getByTestId("record-decision").click();
    await expect(manager.getByTestId("case-status")).toHaveAttribute("data-status", "resolved");
    await open(manager, "/companies/732000021");
    const big = manager.locator("[data-testid=credit-line][data-product=bnpl]");
    expect(euros(await big.getByTestId("line-limit").textContent())).toBeGreaterThan(50_000);
    await expect(big.locator("tr[data-change=increased]")).toContainText("person");

    // The dashboard's portfolio counts the lines, their expected loss and the increases.
    await open(manager, "/dashboard");
    await expect(manager.getByTestId("portfolio-table")).toContainText("B2B buy now, pay later");
    await expect(manager.getByTestId("portfolio-summary")).toContainText("expected loss");
    await expect(manager.getByTestId("portfolio-increases")).not.toContainText("In the period: 0 automatic");
    await expect(manager.getByTestId("portfolio-increases")).not.toContainText(", 0 increases referred");
    await expect(manager.getByTestId("chart-automatic_increases").locator("svg")).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    receiver.close();
  }
});
