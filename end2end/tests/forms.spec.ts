import { Browser, expect, Page, test } from "@playwright/test";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { hydrated, Role, signedInPage, watchConsole } from "./support";

// Every form of the workspace, once with JavaScript (the hydrated page sends it in the
// background) and once without (the browser posts it and follows the redirect): both roads
// reach the same server function and show the same result.
for (const js of [true, false]) {
  const mode = js ? "js" : "nojs";

  test.describe(js ? "every form with JavaScript" : "every form without JavaScript", () => {
    /** A browser of its own, signed in as `role` (or as the second credit manager). */
    const as = (browser: Browser, role: Role | "manager2") => signedInPage(browser, role, js);

    /** Opens a page, hydrated when JavaScript runs. */
    async function open(page: Page, path: string) {
      await page.goto(path);
      if (js) await hydrated(page);
    }

    async function apply(page: Page, siren: string, amount: string): Promise<string> {
      await open(page, "/applications");
      await page.getByLabel("Company SIREN").fill(siren);
      await page.getByLabel("Amount (€)", { exact: true }).fill(amount);
      await page.getByTestId("submit-application").click();
      await expect(page).toHaveURL(/\/applications\/dec_[0-9a-f]{32}$/);
      return new URL(page.url()).pathname.split("/").pop()!;
    }

    async function decide(page: Page, outcome: string, justification: string, limit = "") {
      const form = page.getByTestId("decide-form");
      await form.getByLabel(outcome, { exact: true }).check();
      await form.getByLabel("Category").selectOption({ label: "Guarantee or collateral" });
      await form.getByLabel("Limit offered (€), for a counter-offer").fill(limit);
      await form.getByLabel("Justification").fill(justification);
      await form.getByTestId("record-decision").click();
    }

    test(`a sales rep's application (${mode}): refused input named, then decided`, async ({ browser }) => {
      const rep = await as(browser, "sales_rep");
      const errors = watchConsole(rep);
      await open(rep, "/applications");
      await rep.getByLabel("Company SIREN").fill("542107651");
      await rep.getByLabel("Amount (€)", { exact: true }).fill("-5");
      await rep.getByTestId("submit-application").click();
      await expect(rep.getByTestId("application-error")).toContainText("amount:");
      if (js) {
        // Sent in the background: the page stays and keeps what was typed.
        await expect(rep.getByLabel("Company SIREN")).toHaveValue("542107651");
        await expect(rep.getByLabel("Amount (€)", { exact: true })).toHaveValue("-5");
      }
      // A company of its own: a second application for the same company within 24 hours is
      // referred (FR03), and the other specs apply for the documented personas.
      await apply(rep, js ? "356000000" : "383474814", "1 500");
      await expect(rep.getByTestId("outcome")).toHaveText("Approved");
      expect(errors).toEqual([]);
    });

    test(`a case's forms (${mode}): claim, note, release, decide, confirm and send back`, async ({ browser }) => {
      const rep = await as(browser, "sales_rep");
      const first = await apply(rep, "999999998", "60000");
      const second = await apply(rep, "999999998", "60000");

      const manager = await as(browser, "credit_manager");
      const errors = watchConsole(manager);
      await open(manager, `/cases/${first}`);
      await manager.getByTestId("claim").click();
      await expect(manager.getByTestId("case-holder")).toContainText("Held by");
      await expect(manager.getByTestId("case-done")).toBeVisible();
      await manager.getByRole("textbox", { name: "Add a note" }).fill(`Called the company (${mode}).`);
      await manager.getByTestId("add-note").click();
      await expect(manager.getByTestId("history")).toContainText(`Called the company (${mode}).`);
      await manager.getByTestId("release").click();
      await expect(manager.getByTestId("case-holder")).toHaveCount(0);
      await manager.getByTestId("claim").click();
      await expect(manager.getByTestId("case-holder")).toContainText("Held by");

      // A counter-offer without a readable limit is refused by the server, named, and nothing
      // changes; with JavaScript, what was typed stays in the form.
      const justification = `Personal guarantee of the director received and checked (${mode}).`;
      await decide(manager, "Counter-offer", justification, "douze");
      await expect(manager.getByTestId("case-error")).toContainText("limit:");
      await expect(manager.getByTestId("case-status")).toHaveAttribute("data-status", "in_review");
      if (js) {
        await expect(manager.getByTestId("decide-form").getByLabel("Justification")).toHaveValue(justification);
      }
      await decide(manager, "Approved", justification);
      await expect(manager.getByTestId("case-status")).toHaveAttribute("data-status", "awaiting_confirmation");

      await open(manager, `/cases/${second}`);
      await manager.getByTestId("claim").click();
      await expect(manager.getByTestId("case-holder")).toContainText("Held by");
      await decide(manager, "Approved", justification);
      await expect(manager.getByTestId("case-status")).toHaveAttribute("data-status", "awaiting_confirmation");

      const other = await as(browser, "manager2");
      const otherErrors = watchConsole(other);
      await open(other, `/cases/${first}`);
      await other.getByTestId("confirm").click();
      await expect(other.getByTestId("case-status")).toHaveAttribute("data-status", "resolved");
      await open(other, `/cases/${second}`);
      await other.getByLabel("Why you send it back").fill("The guarantee letter is not signed.");
      await other.getByTestId("reject").click();
      await expect(other.getByTestId("case-done")).toBeVisible();
      await expect(other.getByTestId("pending")).toHaveCount(0);
      await expect(other.getByTestId("history")).toContainText("The guarantee letter is not signed.");
      expect(errors).toEqual([]);
      expect(otherErrors).toEqual([]);
    });

    test(`the admin's key forms (${mode}): a refused name, a key shown once, revoked`, async ({ browser }) => {
      const admin = await as(browser, "admin");
      const errors = watchConsole(admin);
      await open(admin, "/admin/keys");
      const form = admin.getByTestId("create-key");
      await form.getByLabel("Name").fill("   ");
      await form.getByRole("button", { name: "Create a key" }).click();
      await expect(admin.getByTestId("key-error")).toContainText("name:");
      await form.getByLabel("Name").fill(`Integration ${mode}`);
      await form.getByRole("button", { name: "Create a key" }).click();
      await expect(admin.getByTestId("created-key")).toHaveText(/^aval_test_[0-9a-f]{32}$/);
      const row = admin.locator(`[data-testid=key-row][data-name="Integration ${mode}"]`);
      await row.getByTestId("revoke").click();
      await expect(admin.getByTestId("key-revoked")).toBeVisible();
      await expect(row).toContainText("Revoked");
      expect(errors).toEqual([]);
    });

    test(`the admin's account forms (${mode}): create, role, reset, deactivate, reactivate`, async ({ browser }) => {
      const admin = await as(browser, "admin");
      const errors = watchConsole(admin);
      await open(admin, "/admin/users");
      const create = admin.getByTestId("create-user");
      await create.getByLabel("Username").fill("rep");
      await create.getByLabel("Full name").fill("Someone Else");
      await create.getByRole("button", { name: "Create an account" }).click();
      await expect(admin.getByTestId("users-error")).toContainText("username:");
      const username = `user.${mode}`;
      await create.getByLabel("Username").fill(username);
      await create.getByLabel("Full name").fill(`User ${mode}`);
      await create.getByLabel("Role").selectOption("auditor");
      await create.getByRole("button", { name: "Create an account" }).click();
      await expect(admin).toHaveURL(`/admin/users?created=${username}`);
      await expect(admin.getByTestId("issued-password")).toHaveText(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
      const row = admin.locator(`[data-testid=user-row][data-username="${username}"]`);
      await row.getByLabel("Change role").selectOption("credit_manager");
      await row.getByTestId("change-role").click();
      await expect(admin.getByTestId("user-changed")).toContainText(username);
      await expect(row).toContainText("Credit manager");
      await row.getByTestId("reset-password").click();
      await expect(admin.getByTestId("issued-password")).toBeVisible();
      await row.getByTestId("deactivate").click();
      await expect(row.getByTestId("user-status")).toHaveText("Deactivated");
      await row.getByTestId("activate").click();
      await expect(row.getByTestId("user-status")).toHaveText("Active");
      expect(errors).toEqual([]);
    });

    test(`the admin's webhook and monitoring forms (${mode})`, async ({ browser }) => {
      const received: string[] = [];
      const receiver = http.createServer((req, res) => {
        let body = "";
        req.on("data", (chunk) => (body += chunk));
        req.on("end", () => {
          received.push(JSON.parse(body).type);
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks-${mode}`;
      try {
        const admin = await as(browser, "admin");
        const errors = watchConsole(admin);
        await open(admin, "/admin/webhooks");
        const form = admin.getByTestId("create-endpoint");
        await form.getByLabel("Address (https://…)").fill("http://lender.example/hooks");
        await form.getByRole("button", { name: "Add an endpoint" }).click();
        await expect(admin.getByTestId("webhooks-error")).toContainText("url:");
        await form.getByLabel("Address (https://…)").fill(url);
        await form.getByRole("button", { name: "Add an endpoint" }).click();
        await expect(admin.getByTestId("created-secret")).toHaveText(/^whsec_/);
        const row = admin.locator(`[data-testid=endpoint-row][data-url="${url}"]`);
        await row.getByTestId("send-test").click();
        await expect(admin.getByTestId("test-result")).toContainText("answered 204");
        expect(received).toContain("endpoint.test");
        await row.getByTestId("disable").click();
        await expect(row.getByTestId("endpoint-status")).toHaveText("Disabled");
        await row.getByTestId("enable").click();
        await expect(row.getByTestId("endpoint-status")).toHaveText("Enabled");

        // A company monitored after its approval: checked on demand, then put in a condition.
        const siren = js ? "552032534" : "542065479";
        const rep = await as(browser, "sales_rep");
        await apply(rep, siren, "5000");
        await open(admin, "/admin/webhooks");
        const monitored = admin.locator(`[data-testid=monitored-row][data-siren="${siren}"]`);
        await monitored.getByTestId("check-now").click();
        await expect(admin.getByTestId("webhooks-notice")).toContainText(`Check of ${siren} started`);
        const control = admin.getByTestId("condition-form");
        await control.getByLabel("SIREN").fill("12");
        await control.getByTestId("apply-condition").click();
        await expect(admin.getByTestId("webhooks-error")).toContainText("siren:");
        await control.getByLabel("SIREN").fill(siren);
        await control.getByLabel(/Cash runs out/).check();
        await control.getByTestId("apply-condition").click();
        await expect(admin.getByTestId("webhooks-notice")).toContainText(`${siren}: the condition is in effect.`);

        // A delivered event queued again.
        await expect(async () => {
          await open(admin, "/admin/webhooks");
          await expect(admin.locator("[data-testid=delivery-row][data-status=delivered]").first()).toBeVisible();
        }).toPass({ timeout: 20_000 });
        await admin.locator("[data-testid=delivery-row][data-status=delivered]").first().getByTestId("redeliver").click();
        await expect(admin.getByTestId("webhooks-notice")).toContainText("Queued again");
        expect(errors).toEqual([]);
      } finally {
        receiver.close();
      }
    });
  });
}
