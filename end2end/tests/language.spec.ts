import { expect, test } from "@playwright/test";
import { expectNav, hydrated, signIn, watchConsole } from "./support";

test("the interface switches to French, stays French after a reload, and switches back", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/signin");
  await signIn(page, "sales_rep");
  await expect(page).toHaveURL("/");
  await hydrated(page);

  await page.getByRole("button", { name: "FR" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Bienvenue, Rémi Sales");
  await expect(page.getByRole("button", { name: "FR" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link")).toHaveText([
    "Accueil",
    "Mes demandes",
  ]);

  await page.reload();
  await expect(page.getByTestId("user-role")).toHaveText("Commercial");
  await hydrated(page);

  await page.getByRole("button", { name: "EN" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expectNav(page, ["Home", "My applications"]);
  expect(errors).toEqual([]);
});
