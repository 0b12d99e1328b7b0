import { expect, test } from "@playwright/test";
import { ALL_NAV, DEMO, expectNav, hydrated, Role, signIn, watchConsole } from "./support";

for (const role of Object.keys(DEMO) as Role[]) {
  const user = DEMO[role];

  test(`the ${role} signs in, sees only their navigation, is refused other pages and signs out`, async ({ page }) => {
    const errors = watchConsole(page);
    await page.goto("/");
    await expect(page).toHaveURL(/\/signin\?next=/);
    await signIn(page, role);

    await expect(page).toHaveURL("/");
    await expect(page.getByTestId("user-name")).toHaveText(user.name);
    await expect(page.getByTestId("user-role")).toHaveText(user.label);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(`Welcome, ${user.name}`);
    await expectNav(page, user.nav);
    for (const other of ALL_NAV.filter((n) => !user.nav.includes(n))) {
      await expect(page.getByRole("link", { name: other, exact: true })).toHaveCount(0);
    }
    await hydrated(page);

    // Client-side navigation to the role's own page.
    await page.getByRole("navigation", { name: "Main navigation" }).getByRole("link", { name: user.nav[1] }).click();
    await expect(page).toHaveURL(user.home);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(user.nav[1]);
    await expect(page.getByTestId("forbidden")).toHaveCount(0);

    // Another role's page, opened directly, is a 403.
    const foreign = Object.values(DEMO).find((u) => u.home !== user.home)!.home;
    const response = await page.goto(foreign);
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId("forbidden")).toContainText("Access denied");

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin\?signed_out=1/);
    await expect(page.getByTestId("signin-message")).toHaveText("You are signed out.");
    await page.goto(user.home);
    await expect(page).toHaveURL(/\/signin\?next=/);
    expect(errors).toEqual([]);
  });
}

test("a wrong password is refused with a clear message", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Username").fill("manager");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signin-message")).toHaveText("The username or password is incorrect.");
  await expect(page.getByLabel("Username")).toHaveValue("manager");
});

test("after sign-in the user lands on the page they were going to", async ({ page }) => {
  await page.goto("/queue");
  await expect(page).toHaveURL(/\/signin\?next=\/queue/);
  await signIn(page, "credit_manager");
  await expect(page).toHaveURL("/queue");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Review queue");
  await expect(page.getByText("The review queue is empty")).toBeVisible();
});

test("the admin sees the user list", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/admin/users");
  await signIn(page, "admin");
  const table = page.getByTestId("users-table");
  await expect(table.getByRole("row")).toHaveCount(6);
  await expect(table).toContainText("Camille Credit");
  await hydrated(page);
  expect(errors).toEqual([]);
});

test("an expired session goes to sign-in with a notice, then back to the page", async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: "aval_session", value: "expired-session-id", url: baseURL! }]);
  await page.goto("/audit?product=bnpl");
  await expect(page).toHaveURL(/\/signin\?expired=1&next=/);
  await expect(page.getByTestId("signin-message")).toHaveText("Your session has expired. Sign in again to continue.");
  await signIn(page, "auditor");
  await expect(page).toHaveURL("/audit?product=bnpl");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("sign-in, the language switch and sign-out work before the wasm loads", async ({ page }) => {
    await page.goto("/signin");
    await page.getByRole("button", { name: "FR" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Connexion à Aval");
    await page.getByLabel("Identifiant").fill("auditor");
    await page.getByLabel("Mot de passe").fill("demo-auditor-pass");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page).toHaveURL("/");
    await expect(page.getByTestId("user-role")).toHaveText("Auditeur");
    await page.getByRole("button", { name: "EN" }).click();
    await expect(page.getByTestId("user-role")).toHaveText("Auditor");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/signin\?signed_out=1/);
  });
});
