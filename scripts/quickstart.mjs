#!/usr/bin/env node
// `npm run quickstart`: build, migrate the embedded SQLite database, create the demo account and
// serve the app on http://localhost:3000 (or $PORT). Safe to run again.

import { execSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

// A production server refuses to start without a real cookie secret: make one for this checkout,
// once, in .env.local (git-ignored; Next.js and the scripts below read it).
const envFile = ".env.local";
const existing = existsSync(envFile) ? readFileSync(envFile, "utf8") : "";
if (!/^COOKIE_SECRET=/m.test(existing) && !process.env.COOKIE_SECRET) {
  writeFileSync(
    envFile,
    `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}COOKIE_SECRET=${randomBytes(32).toString("base64url")}\n`,
  );
  console.log(`Wrote a new COOKIE_SECRET to ${envFile}.`);
}

// The demo account's password is in the README: serve it on this machine only, unless HOSTNAME says otherwise.
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", HOSTNAME: process.env.HOSTNAME ?? "127.0.0.1" };
const run = (command) => execSync(command, { stdio: "inherit", env });

run("npx prisma migrate deploy");
run("npm run --silent db:seed");
run("npx next build");
const port = process.env.PORT ?? "3000";
console.log(`\nSign in at http://localhost:${port}/login with demo@example.com / demo-password-123\n`);
run("node scripts/serve.mjs");
