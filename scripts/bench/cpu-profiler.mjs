// A CPU profiler inside the server process, for `npm run bench -- --profile` (node --cpu-prof is
// not allowed in NODE_OPTIONS, and it would profile start-up too). Preloaded by the benchmark only,
// with NODE_OPTIONS="--import <this file>" and BENCH_PROFILE_DIR set; the app knows nothing of it.
// Each SIGUSR2 toggles: the first starts V8's sampling profiler (the one --cpu-prof uses), the
// next stops it and writes <BENCH_PROFILE_DIR>/<pid>-<n>.cpuprofile (atomically, by rename), and so on.

import { renameSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post("Profiler.enable");
  let running = false;
  let written = 0;
  process.on("SIGUSR2", async () => {
    if (!running) {
      running = true;
      await post("Profiler.start");
      return;
    }
    running = false;
    const { profile } = await post("Profiler.stop");
    const file = join(dir, `${process.pid}-${++written}.cpuprofile`);
    writeFileSync(`${file}.tmp`, JSON.stringify(profile));
    renameSync(`${file}.tmp`, file);
  });
}
