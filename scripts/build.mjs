// Whether the production build in .next is current: `npm test` and `npm run bench` build the app
// again only when one of the files it is built from is newer than the build (.ci/run builds it
// early, while better-sqlite3 compiles, and `npm test` then starts from it).

import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";

const BUILD_INPUTS = ["app", "lib", "public", "prisma", "next.config.js", "proxy.ts", "instrumentation.ts"];

/** True when .next/BUILD_ID is newer than every build input; false outside a git checkout (cannot tell). */
export function buildIsCurrent() {
  const built = statSync(".next/BUILD_ID", { throwIfNoEntry: false })?.mtimeMs;
  if (!built) return false;
  try {
    const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", ...BUILD_INPUTS], { encoding: "utf8" });
    const inputs = [...files.split("\n").filter(Boolean), "package-lock.json", "tsconfig.json"];
    return inputs.every((file) => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) <= built);
  } catch {
    return false;
  }
}
