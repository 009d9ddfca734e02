// Geometry of the score-distribution chart (评分分布图), one per lot: each bid a column, each
// expert's total a dot (outliers marked), the trimmed mean a bar. Pure numbers; the page template
// draws them as inline SVG, so the chart needs neither script nor style attributes (strict CSP).

export interface ChartBid {
  label: string;
  mean: number;
  /** each expert's total, in panel order */
  totals: { expert: string; total: number; outlier: boolean }[];
}

const COLUMN = 90;
const LEFT = 44;
const TOP = 16;
const PLOT = 200;
const BOTTOM = 40;
const MAX = 100;
const DOT_SPREAD = 8;

export function scoreChart(bids: readonly ChartBid[]) {
  const y = (value: number) => Math.round((TOP + ((MAX - value) / MAX) * PLOT) * 10) / 10;
  const width = LEFT + COLUMN * Math.max(bids.length, 1) + 10;
  return {
    width,
    height: TOP + PLOT + BOTTOM,
    ticks: [0, 20, 40, 60, 80, 100].map((value) => ({ value, y: y(value), x1: LEFT, x2: width - 10, labelX: LEFT - 6 })),
    columns: bids.map((bid, i) => {
      const center = LEFT + COLUMN * i + COLUMN / 2;
      const spread = (bid.totals.length - 1) / 2;
      return {
        label: bid.label,
        labelX: center,
        labelY: TOP + PLOT + 18,
        mean: { x1: center - COLUMN / 3, x2: center + COLUMN / 3, y: y(bid.mean), value: bid.mean },
        dots: bid.totals.map((t, k) => ({
          cx: center + (k - spread) * DOT_SPREAD,
          cy: y(t.total),
          outlier: t.outlier,
          title: `${t.expert}：${t.total}`,
        })),
      };
    }),
  };
}
