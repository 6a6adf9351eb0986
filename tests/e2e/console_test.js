// The console in a real browser (Debian's Chromium, headless, driven by
// playwright-core), step by step for tests/e2e/console_test.cc: after each
// step it prints "STEP <name> [details]" and waits for a line on stdin,
// while the harness checks the store over gRPC. Screenshots of each step go
// to OUT_DIR.
//
// Usage: node console_test.js PLAYWRIGHT_CORE_DIR URL ADMIN_TOKEN READ_TOKEN OUT_DIR
"use strict";

const [playwrightDir, url, adminToken, readToken, outDir] = process.argv.slice(2);
const { chromium } = require(playwrightDir);
const readline = require("readline");

const input = readline.createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();

async function step(name, page, details = "") {
  await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
  console.log(`STEP ${name}${details ? " " + details : ""}`);
  const reply = await lines.next();
  if (reply.done || reply.value.trim() !== "next") throw new Error(`the harness stopped after ${name}`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function signIn(page, token) {
  await page.goto(url);
  await page.fill("#token", token);
  await page.click("#token-form button");
  await page.waitForSelector("#tree svg g.branch");
}

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    // No sandbox (the tests run as root); nothing that reaches out of the
    // machine (its network is closed: background connections only fail).
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
           "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run"],
  });
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  // Loaded: the tree and its names as text, the snapshots.
  await signIn(page, adminToken);
  check((await page.textContent("#role")) === "admin", "the admin token is not admin");
  const names = await page.$$eval("#tree g.branch", (gs) => gs.map((g) => g.dataset.branch));
  check(names.includes("main") && names.includes("dev"), "the tree lacks main or dev: " + names);
  check((await page.textContent("#tree svg")).includes("dev"), "the branch names are not text in the SVG");
  // (force: the line drawn over the window would take the click first.)
  await page.click('#tree g.branch[data-branch="main"] rect.window', { force: true });
  await page.waitForSelector("#branch-details h3");
  check((await page.textContent("#branch-details")).includes("Readable from"), "no branch details");
  // A point picked on the timeline offers a restore to it.
  await page.waitForSelector("#picked #restore-picked");
  check(/LSN [0-9A-F]+\/[0-9A-F]+/.test(await page.textContent("#picked")), "no LSN picked");
  await page.click('nav button[data-tab="snapshots"]');
  await page.waitForSelector('#snapshot-table tr[data-snapshot="before"]');
  await step("loaded", page);

  // Take a snapshot from the form.
  await page.fill('#snapshot-form input[name="name"]', "from_console");
  await page.selectOption('#snapshot-form select[name="branch"]', "main");
  await page.click("#snapshot-form button");
  await page.waitForSelector('#snapshot-table tr[data-snapshot="from_console"]');
  await step("snapshot", page);

  // Restore main to "before": the dialog counts the pages and wants the
  // branch's name typed.
  await page.click('#snapshot-table tr[data-snapshot="before"] button[data-action="restore"]');
  await page.waitForSelector("#restore-dialog[open]");
  await page.waitForFunction(() => /pages will change/.test(document.querySelector("#restore-diff").textContent));
  const diff = await page.textContent("#restore-diff");
  check(!/^0 pages/.test(diff), "the restore would change nothing: " + diff);
  await page.fill("#restore-confirm", "mai");
  check(await page.isDisabled("#restore-go"), "Restore is enabled before the name is typed");
  await page.fill("#restore-confirm", "main");
  check(!(await page.isDisabled("#restore-go")), "Restore stays disabled with the name typed");
  await page.screenshot({ path: `${outDir}/restore-dialog.png` });
  await page.click("#restore-go");
  await page.waitForSelector("#backup-name");
  const backup = (await page.textContent("#backup-name")).trim();
  await step("restored", page, backup);

  // Undo.
  await page.click("#undo");
  await page.waitForFunction(() => /Undone/.test(document.querySelector("#result").textContent));
  await step("undone", page);

  // A schedule and a retention window, with what the window means shown
  // as it is typed.
  await page.click('nav button[data-tab="schedules"]');
  await page.fill('#schedule-form input[name="name"]', "hourly");
  await page.selectOption('#schedule-form select[name="branch"]', "main");
  await page.click("#schedule-form button");
  await page.waitForFunction(() => /hourly/.test(document.querySelector("#schedule-table").textContent));
  const row = '#retention-table tr[data-branch="dev"]';
  await page.fill(`${row} input`, "1h");
  await page.waitForFunction((r) => /restores would reach back/.test(document.querySelector(r).textContent), row);
  await page.click(`${row} button`);
  await page.waitForFunction((r) => /1h/.test(document.querySelector(r).children[1].textContent), row);
  await step("retention", page);

  // The activity charts fill from /metrics.
  await page.click('nav button[data-tab="activity"]');
  await page.waitForFunction(() => document.querySelectorAll("#charts .chart polyline[points*=','] ").length > 0,
                             null, { timeout: 15000 });
  await step("activity", page);

  // A read-only token sees everything and can change nothing.
  const reader = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  reader.on("pageerror", (e) => errors.push(e.message));
  await signIn(reader, readToken);
  check((await reader.textContent("#role")) === "read-only", "the read token is not read-only");
  await reader.click('nav button[data-tab="snapshots"]');
  await reader.waitForSelector('#snapshot-table tr[data-snapshot="before"]');
  check(await reader.isDisabled("#snapshot-form button"), "a reader can take snapshots");
  check(await reader.isDisabled('#snapshot-table tr[data-snapshot="before"] button[data-action="restore"]'),
        "a reader can restore");
  // And the server refuses anyway.
  const status = await reader.evaluate(async (token) => {
    const response = await fetch("/api/v1/snapshots", {
      method: "POST", headers: { Authorization: "Bearer " + token },
      body: JSON.stringify({ name: "sneaky", branch: "main" }) });
    return response.status;
  }, readToken);
  check(status === 403, "the server let a read token take a snapshot: " + status);
  await step("readonly", reader);

  check(errors.length === 0, "errors in the page: " + errors.join("; "));
  await browser.close();
  console.log("DONE");
  process.exit(0);
})().catch((error) => {
  console.log("FAILED " + (error.stack || error));
  process.exit(1);
});
