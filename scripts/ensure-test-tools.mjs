#!/usr/bin/env node
// `npm test` needs, besides the npm packages:
//   Chromium (browser tests): $CHROMIUM_PATH, Debian's /usr/bin/chromium, or Playwright's own download;
//   curl and jq (the reference documents' curl scripts run as a test);
//   PostgreSQL's server (the suite runs on PostgreSQL too), unless TEST_POSTGRES_URL names a server;
//   nginx (the cluster tests put two instances behind it).
// This finds them, or gets them the way this machine allows: Debian's packages as root with apt,
// Playwright's download for Chromium. Where nothing works it stops with the exact commands to run.
// playwright.config.ts uses findChromium() to launch the same browser.

import { execSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
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

/** PostgreSQL's server binaries, where scripts/postgres-sandbox.mjs looks for them. */
function hasPostgresServer() {
  const debian = "/usr/lib/postgresql";
  const versions = existsSync(debian) ? readdirSync(debian) : [];
  return versions.some((v) => existsSync(`${debian}/${v}/bin/initdb`)) || onPath("initdb");
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

/** Debian package names of what is missing. */
function missing() {
  return [
    ...(findChromium() ? [] : ["chromium"]),
    ...["curl", "jq"].filter((command) => !onPath(command)),
    ...(process.env.TEST_POSTGRES_URL || hasPostgresServer() ? [] : ["postgresql"]),
    ...(onPath("nginx") || existsSync("/usr/sbin/nginx") ? [] : ["nginx"]),
  ];
}

export function ensureTestTools() {
  if (missing().length === 0) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (isRoot && existsSync("/usr/bin/apt-get")) {
    tryRun(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing().join(" ")}`);
  }
  if (!findChromium()) tryRun("npx playwright install chromium");

  const still = missing();
  if (still.length === 0) return;
  console.error(
    `npm test needs ${still.join(", ")}. Install and run npm test again:\n` +
      `  sudo apt-get update && sudo apt-get install -y ${still.join(" ")}   (Debian/Ubuntu)\n` +
      (still.includes("chromium")
        ? "  npx playwright install --with-deps chromium   (where Playwright can download its browser)\n" +
          "  or set CHROMIUM_PATH to a Chromium executable.\n"
        : "") +
      (still.includes("postgresql")
        ? "  or set TEST_POSTGRES_URL to a PostgreSQL server the tests may create databases on.\n"
        : ""),
  );
  process.exit(1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) ensureTestTools();
