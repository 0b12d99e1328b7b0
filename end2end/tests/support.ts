import { Browser, expect, Page } from "@playwright/test";

export type Role = "sales_rep" | "credit_manager" | "auditor" | "admin";

export const DEMO: Record<Role, { username: string; password: string; name: string; label: string; nav: string[]; home: string }> = {
  sales_rep: { username: "rep", password: "demo-sales-rep", name: "Rémi Sales", label: "Sales rep", nav: ["Home", "My applications"], home: "/applications" },
  credit_manager: { username: "manager", password: "demo-credit-manager", name: "Camille Credit", label: "Credit manager", nav: ["Home", "Review queue", "Dashboard"], home: "/queue" },
  auditor: { username: "auditor", password: "demo-auditor-pass", name: "Alex Audit", label: "Auditor", nav: ["Home", "Decision search", "Dashboard"], home: "/audit" },
  admin: { username: "admin", password: "demo-admin-pass", name: "Ada Admin", label: "Administrator", nav: ["Home", "Users", "API keys", "Webhooks", "Dashboard"], home: "/admin/users" },
};

export const ALL_NAV = ["Home", "My applications", "Review queue", "Decision search", "Users", "API keys", "Webhooks", "Dashboard"];

export async function signIn(page: Page, role: Role) {
  const user = DEMO[role];
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Fails the test on any error the page logs (hydration mismatches included). */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    // The browser logs every non-2xx answer; the refused roles (403) and refused forms (422,
    // 409) the tests ask for are expected.
    if (msg.type() === "error" && !/status of (403|409|422)/.test(msg.text())) errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return errors;
}

/** Waits until the wasm has hydrated the page. */
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated=true]").waitFor({ state: "attached" });
}

export async function expectNav(page: Page, expected: string[]) {
  const nav = page.getByRole("navigation", { name: "Main navigation" });
  await expect(nav.getByRole("link")).toHaveText(expected);
}

/** A browser of its own (own cookies), signed in as `role` or as the second credit manager. */
export async function signedInPage(browser: Browser, role: Role | "manager2", javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  await page.goto("/signin");
  if (role === "manager2") {
    await page.getByLabel("Username").fill("manager2");
    await page.getByLabel("Password").fill("demo-second-manager");
    await page.getByRole("button", { name: "Sign in" }).click();
  } else {
    await signIn(page, role);
  }
  await expect(page).toHaveURL("/");
  return page;
}
