/**
 * Live, the setups of one candle close are decided together, across symbols, exactly as the backtest decides
 * them: core's `decideSetups` ranks them (score, then R:R, then symbol...), so when the daily cap binds the best
 * setup of the close gets the slot, not the symbol whose candle was scanned first. Each symbol's closed-candle
 * step reports its setups (often none) for its close time; the round is decided as soon as every watched symbol
 * has reported that close, or `waitMs` after the first report — a symbol whose candle is late or lost must not
 * hold the others' signals back. A report for a round already decided (a candle backfilled after it, still
 * within the late-candle rule) is decided on its own at once.
 */
import { type Candidate, decideSetups, type Signal } from "@signalbot/core";
import { type Cause, Effect, Fiber } from "effect";

/**
 * How long a round waits for the symbols that have not reported after the first one did. Binance sends every
 * symbol's closed kline within about 2 s of the close; 10 s covers a slow scan burst and a 4h/1d confirmation.
 */
export const ROUND_WAIT_MS = 10_000;

/** Why a round was decided when it was. */
export type RoundEnd =
  /** Every watched symbol reported the close. */
  | "complete"
  /** `waitMs` passed after the first report; `missing` never reported. */
  | "timeout"
  /** A report for a close already decided: decided alone. */
  | "late"
  /** The bot is stopping: what was reported is decided now. */
  | "shutdown";

export interface RoundDecision {
  /** The close (ms UTC). */
  readonly time: number;
  /** Every signal of the round, emitted and blocked, in decision order. */
  readonly signals: readonly Signal[];
  readonly end: RoundEnd;
  /** Symbols that reported the close. */
  readonly reported: number;
  /** Watched symbols that had not reported it. */
  readonly missing: readonly string[];
}

export interface CloseRoundsDeps {
  /** The symbols a round waits for: those watched (warmed up, subscribed) now. */
  readonly watched: () => Iterable<string>;
  /** Default `ROUND_WAIT_MS`. */
  readonly waitMs?: number;
  /** Told of every round decided (logs, metrics). */
  readonly onDecided: (decision: RoundDecision) => void;
  /** Told when deciding a round failed (the store refused a write); the round's setups are lost. */
  readonly onError: (time: number, cause: Cause.Cause<unknown>) => void;
}

interface Round {
  readonly reported: Set<string>;
  readonly candidates: Candidate[];
  timer: Fiber.Fiber<void> | undefined;
}

/** Closes decided recently, kept so a late report is recognised (a day's worth is far more than needed). */
const REMEMBER_MS = 86_400_000;

export const makeCloseRounds = (deps: CloseRoundsDeps) => {
  const waitMs = deps.waitMs ?? ROUND_WAIT_MS;
  const pending = new Map<number, Round>();
  const decided = new Map<number, true>();

  const missingOf = (round: Round): string[] => {
    const out: string[] = [];
    for (const s of deps.watched()) if (!round.reported.has(s)) out.push(s);
    return out;
  };

  const decide = (
    time: number,
    candidates: readonly Candidate[],
    end: RoundEnd,
    reported: number,
    missing: readonly string[],
  ) =>
    Effect.matchCauseEffect(decideSetups(candidates), {
      onFailure: (cause) => Effect.sync(() => deps.onError(time, cause)),
      onSuccess: (signals) => Effect.sync(() => deps.onDecided({ time, signals, end, reported, missing })),
    });

  const markDecided = (time: number) => {
    decided.set(time, true);
    for (const t of decided.keys()) if (t < time - REMEMBER_MS) decided.delete(t);
  };

  /** Decides the pending round of `time` (once: whoever comes first, the last report or the timer). */
  const finish = (time: number, end: RoundEnd) =>
    Effect.suspend(() => {
      const round = pending.get(time);
      if (round === undefined) return Effect.void;
      pending.delete(time);
      markDecided(time);
      const run = decide(time, round.candidates, end, round.reported.size, missingOf(round));
      const timer = round.timer;
      return timer === undefined || end === "timeout" ? run : Effect.andThen(Fiber.interrupt(timer), run);
    });

  /**
   * `symbol` stepped its candle closing at `time` and found `candidates` (possibly none). Decides the round
   * when this was the last watched symbol to report; the first report starts the round's timer.
   */
  const submit = (symbol: string, time: number, candidates: readonly Candidate[]) =>
    Effect.suspend(() => {
      if (decided.has(time))
        return candidates.length === 0 ? Effect.void : decide(time, candidates, "late", 1, []);
      let round = pending.get(time);
      const first = round === undefined;
      if (round === undefined) {
        round = { reported: new Set(), candidates: [], timer: undefined };
        pending.set(time, round);
      }
      round.reported.add(symbol);
      for (const c of candidates) round.candidates.push(c);
      if (missingOf(round).length === 0) return finish(time, "complete");
      if (!first) return Effect.void;
      const started = round;
      return Effect.map(
        Effect.forkDetach(Effect.andThen(Effect.sleep(waitMs), finish(time, "timeout"))),
        (fiber) => {
          started.timer = fiber;
        },
      );
    });

  /** Decides every pending round with what was reported (at shutdown, so no reported setup is dropped). */
  const flush = Effect.suspend(() =>
    Effect.forEach(
      [...pending.keys()].sort((a, b) => a - b),
      (time) => finish(time, "shutdown"),
      {
        discard: true,
      },
    ),
  );

  return {
    submit,
    flush,
    /** Closes reported and not yet decided, for /healthz and the tests. */
    pending: (): number => pending.size,
  };
};

export type CloseRounds = ReturnType<typeof makeCloseRounds>;
