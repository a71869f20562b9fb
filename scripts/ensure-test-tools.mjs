#!/usr/bin/env node
// `npm test` needs a Chromium (browser tests) and curl + jq (the reference documents' curl scripts
// run as a test). This finds them, or gets them the way this machine allows:
//   Chromium: $CHROMIUM_PATH, Debian's /usr/bin/chromium, Playwright's own download; otherwise
//   Debian's package (as root with apt), else Playwright's download.
//   curl, jq: on PATH; otherwise Debian's packages (as root with apt).
// Where nothing works it stops with the exact commands to run. playwright.config.ts uses
// findChromium() to launch the same browser.

import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "@playwright/test";

const SYSTEM_CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** `{ path }` of a Chromium to launch (`path: undefined` means Playwright's own), or undefined. */
export function findChromium() {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!existsSync(override)) throw new Error(`CHROMIUM_PATH points to ${override}, which does not exist.`);
    return { path: override };
  }
  const system = SYSTEM_CHROMIUM.find((path) => existsSync(path));
  if (system) return { path: system };
  if (existsSync(chromium.executablePath())) return { path: undefined };
  return undefined;
}

function onPath(command) {
  try {
    execSync(`command -v ${command}`, { stdio: "ignore", shell: "/bin/sh" });
    return true;
  } catch {
    return false;
  }
}

function tryRun(command) {
  console.log(`$ ${command}`);
  try {
    execSync(command, { stdio: "inherit", shell: "/bin/sh" });
    return true;
  } catch {
    return false;
  }
}

function ensure() {
  const needs = () => [...(findChromium() ? [] : ["chromium"]), ...["curl", "jq"].filter((c) => !onPath(c))];
  if (needs().length === 0) return;

  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && existsSync("/usr/bin/apt-get")) {
    tryRun(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${needs().join(" ")}`);
  }
  if (!findChromium()) tryRun("npx playwright install chromium");

  const missing = needs();
  if (missing.length === 0) return;
  console.error(
    `npm test needs ${missing.join(", ")}. Install and run npm test again:\n` +
      `  sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}   (Debian/Ubuntu)\n` +
      (missing.includes("chromium")
        ? "  npx playwright install --with-deps chromium   (where Playwright can download its browser)\n" +
          "  or set CHROMIUM_PATH to a Chromium executable.\n"
        : ""),
  );
  process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) ensure();
