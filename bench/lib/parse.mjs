// oddity's reading and parsing alone, through @oddity/core's public readInputs: the floor under every
// command. node bench/lib/parse.mjs FILE
import { readInputs } from "../../packages/core/dist/index.js";

let parsed = 0;
const stream = readInputs({ inputs: [process.argv[2]] });
for await (const batch of stream) parsed += batch.records.length;
process.stdout.write(`${JSON.stringify({ parsed, format: stream.format })}\n`);
