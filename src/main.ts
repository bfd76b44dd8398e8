// Entry point of the bundle and of the single binary.
import { main } from "./cli/run";

// Both as `node dist/s3-kms-env.cjs …` and as a SEA (where argv[1] is the
// executable again), the user's arguments start at index 2.
void main(process.argv.slice(2), process.env);
