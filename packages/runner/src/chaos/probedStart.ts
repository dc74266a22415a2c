/**
 * The bot with the chaos/benchmark probe (`CandleAudit.ts`) in the same bundle: the probe wraps
 * `SymbolAnalyzer` before the bot starts, so the soak and the live benchmarks measure the production bundle
 * with only the audit added. Does nothing more than `cli/start.ts` when the probe's variables are unset.
 */
import "./CandleAudit.ts";
import { main } from "../cli/start.ts";

process.exit(await main());
