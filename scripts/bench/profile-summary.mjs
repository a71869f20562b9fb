// Where a .cpuprofile's time went, for `npm run bench -- --profile`: self time by area (a package
// in node_modules, Node's internals, the app's own build output, V8's garbage collector, …) and
// by function. The profile files are kept too, for Chrome DevTools or speedscope.

const SPECIAL = new Set(["(garbage collector)", "(program)", "(idle)", "(root)"]);

/** Which part of the stack a frame belongs to. */
function area({ functionName, url }) {
  if (SPECIAL.has(functionName)) return functionName;
  if (!url) return "(native)";
  if (url.startsWith("node:")) return "node internals";
  const inModules = url.lastIndexOf("/node_modules/");
  if (inModules >= 0) {
    const [scopeOrName, name] = url.slice(inModules + "/node_modules/".length).split("/");
    return scopeOrName.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName;
  }
  if (url.includes("/.next/server/")) return "app build (.next/server)";
  return url.replace(/^file:\/\//, "").replace(/^.*\/(scripts|app|lib)\//, "$1/");
}

function frameName(callFrame) {
  const where = callFrame.url
    ? `${callFrame.url.replace(/^file:\/\//, "").replace(/^.*\/(node_modules|\.next)\//, "$1/")}:${callFrame.lineNumber + 1}`
    : "";
  return `${callFrame.functionName || "(anonymous)"} ${where}`.trim();
}

/** Self time (ms) by area and by function, summed over some profiles; idle time left out. */
export function summarizeProfiles(profiles) {
  const byArea = new Map();
  const byFrame = new Map();
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    profile.samples.forEach((id, i) => {
      const { callFrame } = nodes.get(id);
      if (callFrame.functionName === "(idle)") return;
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000; // the time until the next sample
      add(byArea, area(callFrame), ms);
      add(byFrame, frameName(callFrame), ms);
    });
  }
  const totalMs = [...byArea.values()].reduce((sum, ms) => sum + ms, 0);
  const ranked = (map, count) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, ms]) => ({ name, ms, share: ms / totalMs }));
  return { totalMs, areas: ranked(byArea, 10), frames: ranked(byFrame, 15) };
}
