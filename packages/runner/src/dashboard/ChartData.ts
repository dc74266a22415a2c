/**
 * What /api/chart answers and the browser script draws with lightweight-charts: times in UTC seconds. A module
 * of types only, shared by the server (Charts.ts) and the client (client/app.ts).
 */

export interface TimeValue {
  readonly time: number;
  readonly value: number;
}

export interface ChartData {
  readonly candles: readonly {
    readonly time: number;
    readonly open: number;
    readonly high: number;
    readonly low: number;
    readonly close: number;
  }[];
  readonly volumes: readonly (TimeValue & { readonly color: string })[];
  readonly lines: readonly {
    readonly name: string;
    readonly color: string;
    readonly dashed: boolean;
    readonly points: readonly TimeValue[];
  }[];
  readonly levels: readonly {
    readonly price: number;
    readonly label: string;
    readonly color: string;
    readonly dashed: boolean;
  }[];
  readonly markers: readonly {
    readonly time: number;
    readonly position: "aboveBar" | "belowBar";
    readonly shape: "arrowUp" | "arrowDown" | "circle";
    readonly color: string;
    readonly text: string;
  }[];
  /** Equity chart only: equity (USDT) and drawdown (%, ≤ 0). */
  readonly equity?: readonly TimeValue[];
  readonly drawdown?: readonly TimeValue[];
  readonly labels?: { readonly equity: string; readonly drawdown: string };
}
