// The reference page's purchase path, end to end in headless Chromium:
// upload a resume, correct a field, paste the job, pick the target, see the
// free preview, render, and get the PDF and page thumbnails.
//
// node purchase.mjs BASE_URL RESUME_FILE JOB_FILE OUT_DIR
import { chromium } from "playwright-core";
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

const [base, resumeFile, jobFile, outDir] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox"] });
const page = await browser.newPage();
const problems = [];
page.on("pageerror", (e) => problems.push("page error: " + e.message));
page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
page.on("response", (r) => { if (r.status() >= 400) problems.push(r.status() + " " + r.url()); });

function check(ok, what) {
  if (!ok) throw new Error("browser test: " + what);
}

try {
  await page.goto(base + "/");
  check((await page.title()).includes("prepbook"), "the page has its title");

  // 1. Upload and import.
  await page.setInputFiles("#resume-file", resumeFile);
  await page.click("#import");
  await page.waitForFunction(() => document.getElementById("import-status").textContent.startsWith("Read as"), null, { timeout: 30000 });
  const name = await page.inputValue("#name");
  check(name.length > 0, "the import recognised a name");
  const roles = await page.locator("#work fieldset").count();
  check(roles >= 1, "the import recognised at least one role, found " + roles);

  // 2. Correct a field: the correction reaches the order.
  await page.fill("#name", "Test Candidate");

  // 3. Job, 4. target.
  await page.fill("#job", await readFile(jobFile, "utf8"));
  await page.selectOption("#company", "google");
  await page.selectOption("#role", "swe");
  await page.fill("#today", "2026-12-01");
  await page.fill("#interview", "2026-12-29");

  // 5. The free preview.
  await page.click("#preview");
  await page.waitForFunction(() => document.getElementById("fit-score").textContent !== "", null, { timeout: 30000 });
  const score = Number(await page.textContent("#fit-score"));
  check(score >= 0 && score <= 100, "a fit score from 0 to 100, found " + score);
  const requirements = await page.locator("#requirements tbody tr").count();
  check(requirements >= 3, "requirements with evidence, found " + requirements);
  check((await page.textContent("#level-recommended")).length > 0, "a recommended level");
  const components = await page.textContent("#components");
  check(!components.includes("undefined"), "fit components fully shown: " + components);
  await page.screenshot({ path: outDir + "/preview.png", fullPage: true });

  // 6. Render and download.
  await page.click("#buy");
  await page.waitForSelector("#thumbs[data-done=true]", { timeout: 240000 });
  const thumbs = await page.locator("#thumbs img").count();
  check(thumbs >= 1, "page thumbnails");
  const href = await page.getAttribute("#download", "href");
  const pdf = await page.evaluate(async (u) => {
    const b = new Uint8Array(await (await fetch(u)).arrayBuffer());
    return Array.from(b.slice(0, 5)).map((c) => String.fromCharCode(c)).join("") + ":" + b.length;
  }, href);
  check(pdf.startsWith("%PDF-"), "the download is a PDF, found " + pdf);
  await page.screenshot({ path: outDir + "/rendered.png", fullPage: true });
  check(problems.length === 0, problems.join("\n"));
  writeFileSync(outDir + "/result.json", JSON.stringify({ name, roles, score, requirements, thumbs, pdf }));
  console.log(`browser test passed: ${roles} roles imported, fit ${score}, ${requirements} requirements, ${thumbs} thumbnails, pdf ${pdf}`);
} finally {
  await browser.close();
}
