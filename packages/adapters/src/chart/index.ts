/** Signal charts: SVG candlesticks with entry/stop/target lines, rasterised to PNG with a bundled font. */
export * from "./CandleChart.ts";
