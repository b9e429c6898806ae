// N promises, each settled by a one-second timer, all at once: node million_tasks.js 1000000
// Prints one JSON line with the wall time from creating the first to the end of the last.
'use strict';
const n = Number(process.argv[2]);
const start = process.hrtime.bigint();
Promise.all(Array.from({ length: n }, () => new Promise((resolve) => setTimeout(resolve, 1000)))).then(() => {
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(JSON.stringify({ tasks: n, wall_s: Number(seconds.toFixed(3)) }));
});
