/** Prints the report on the klines in `./data/` beside this file, as one line of JSON. */
import { report } from "./report.js";

console.log(JSON.stringify(await report(new URL("./data/", import.meta.url).pathname)));
