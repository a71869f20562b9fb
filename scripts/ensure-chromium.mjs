#!/usr/bin/env node
// Finds a Chromium for the browser tests, or gets one the way this machine allows:
//   1. $CHROMIUM_PATH, 2. Debian's /usr/bin/chromium, 3. Playwright's own download;
//   otherwise Debian's package (as root with apt), else Playwright's download; else it stops
//   with the exact command to run. playwright.config.ts uses findChromium() too.

import { execSync } from "node:child_process";
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "@playwright/test";

const SYSTEM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** An executable path, or undefined to let Playwright use its own browser. Throws if there is none. */
export function findChromium() {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!existsSync(override)) throw new Error(`CHROMIUM_PATH points to ${override}, which does not exist.`);
    return { path: override };
  }
  const system = SYSTEM_PATHS.find((path) => existsSync(path));
  if (system) return { path: system };
  if (existsSync(chromium.executablePath())) return { path: undefined };
  return undefined;
}

function tryRun(command) {
  try {
    console.log(`$ ${command}`);
    execSync(command, { stdio: "inherit" });
    return true;
  } catch {
    return false;
  }
}

function ensure() {
  if (findChromium()) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && existsSync("/usr/bin/apt-get")) {
    tryRun("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium");
    if (findChromium()) return;
  }
  tryRun("npx playwright install chromium");
  if (findChromium()) return;
  console.error(
    "No Chromium for the browser tests. Install one and run npm test again:\n" +
      "  sudo apt-get update && sudo apt-get install -y chromium      (Debian/Ubuntu)\n" +
      "  npx playwright install --with-deps chromium                 (anywhere Playwright can download)\n" +
      "or point CHROMIUM_PATH at a Chromium executable.",
  );
  process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) ensure();
