// Entry point of the bundle and of the single binary.
import { main } from "./cli/run";

// SIGUSR1 would start Node's inspector on 127.0.0.1:9229, through which
// anything on the host could read the secrets this process is about to hold.
// A listener takes the signal instead; it is reset to its default on execve.
process.on("SIGUSR1", () => {});

// Both as `node dist/s3-kms-env.cjs …` and as a SEA (where argv[1] is the
// executable again), the user's arguments start at index 2.
void main(process.argv.slice(2), process.env);
