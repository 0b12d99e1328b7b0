import { expect, Page, test } from "@playwright/test";
import { signIn, watchConsole } from "./support";

/** Visits every page of the portal from its first one, following the guide's contents, and
 *  checks that every link of the site on each page answers 200. */
async function walkThePortal(page: Page, firstHeading: string, pages: number) {
  await page.goto("/developers");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(firstHeading);
  // The workspace's style sheet lays the guide out beside its contents.
  await expect(page.locator(".portal")).toHaveCSS("display", "grid");
  const contents = page.getByRole("navigation", { name: /Developer guide|Guide du développeur/ }).getByRole("link");
  await expect(contents).toHaveCount(pages);
  const guide = await contents.evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).getAttribute("href")!));
  const checked = new Set<string>();
  for (const path of guide) {
    await page.goto(path);
    await expect(page.locator("main h1")).toBeVisible();
    await expect(page.locator(".portal-missing")).toHaveCount(0);
    await expect(page.locator(".alert-warning")).toHaveCount(0);
    const links = await page.locator("a[href^='/']").evaluateAll((links) =>
      links.map((a) => (a as HTMLAnchorElement).getAttribute("href")!.split("#")[0]),
    );
    for (const link of links) {
      if (checked.has(link)) continue;
      checked.add(link);
      const answer = await page.request.get(link);
      expect(answer.status(), `${path} links to ${link}`).toBe(200);
    }
  }
  expect(checked.size).toBeGreaterThan(pages);
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`the developer portal, JavaScript ${javaScriptEnabled ? "on" : "off"}`, () => {
    test.use({ javaScriptEnabled });

    test("reads in English and French, and every page and link answers", async ({ page }) => {
      const errors = watchConsole(page);
      await walkThePortal(page, "First decision in 10 minutes", 13);

      // A first decision's example: the request in three languages, the product's answer.
      await page.goto("/developers");
      const example = page.locator("[data-example=decision_bnpl]");
      await expect(example.locator("summary")).toHaveText(["curl", "Python", "Node.js"]);
      await expect(example.locator("details[open] code")).toContainText("POST");
      await expect(example.locator(".example-answer")).toContainText('"outcome": "approve"');
      await example.getByText("Python", { exact: true }).click();
      await expect(example.locator("details").nth(1).locator("code")).toContainText("urllib.request");

      // The language switch is a plain form: it works with or without the script.
      await page.getByRole("button", { name: "FR" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", "fr");
      await walkThePortal(page, "Première décision en 10 minutes", 13);
      await page.getByRole("link", { name: "Codes motifs" }).click();
      await expect(page.locator("#code-LG02")).toContainText("refus d'office");
      await page.getByRole("link", { name: "Webhooks" }).first().click();
      await expect(page.locator("#snippet-python code")).toContainText("hmac.compare_digest");
      await page.getByRole("button", { name: "EN" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", "en");
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Webhooks");
      expect(errors).toEqual([]);
    });
  });
}

test("an admin sees where the deployment stands on the go-live page", async ({ page }) => {
  await page.goto("/developers/going-live");
  const checklist = page.getByTestId("checklist");
  await expect(checklist).toContainText("Sign in to the workspace as an admin");
  await expect(checklist.locator("li[data-done]")).toHaveCount(0);

  await page.goto("/signin");
  await signIn(page, "admin");
  await expect(page).toHaveURL("/");
  await page.goto("/developers/going-live");
  // Seven steps, each marked done or to do with what it lacks.
  await expect(checklist.locator("li[data-done]")).toHaveCount(7);
  await expect(checklist.locator("li[data-step=LoadTest]")).toContainText("server loadtest");
});
