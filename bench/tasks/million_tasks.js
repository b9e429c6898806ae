// N promises, each settled by a one-second timer, all at once: node million_tasks.js 1000000 [WARMUP]
// Prints one JSON line with the wall time from creating the first to the end of the last. With WARMUP, that many
// promises settled by 10 ms timers run first, untimed, as the Java program's warm-up does (MillionTasks.java).
'use strict';
const all = (n, ms) => Promise.all(Array.from({ length: n }, () => new Promise((resolve) => setTimeout(resolve, ms))));
const n = Number(process.argv[2]);
const warmup = Number(process.argv[3] ?? 0);
(warmup > 0 ? all(warmup, 10) : Promise.resolve()).then(() => {
  const start = process.hrtime.bigint();
  return all(n, 1000).then(() => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(JSON.stringify({ tasks: n, wall_s: Number(seconds.toFixed(3)) }));
  });
});
