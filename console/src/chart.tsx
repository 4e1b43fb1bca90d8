import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A per-day series as a uPlot chart in a captioned card: the caption says the total in words,
 * the canvas carries an aria-label. Canvas colours are fixed when drawn, so it is drawn again
 * when the theme changes.
 */
export function DayChart(props: { days: Array<{ day: string; n: number }>; label: string; caption: string }) {
  const el = useRef<HTMLDivElement>(null);
  const { days, label } = props;
  // The series by value: a parent that maps its data on every render does not redraw the chart.
  const key = days.map((d) => `${d.day}:${d.n}`).join(',');
  useEffect(() => {
    if (!el.current) return;
    const host = el.current;
    const xs = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    let plot: uPlot | null = null;
    const draw = () => {
      plot?.destroy();
      const css = getComputedStyle(document.documentElement);
      const color = css.getPropertyValue('--accent').trim() || '#1d4ed8';
      const fg = css.getPropertyValue('--fg').trim() || '#16181d';
      const grid = css.getPropertyValue('--line').trim() || '#c9ced8';
      const width = Math.max(260, Math.min(720, host.clientWidth || 600));
      const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      plot = new uPlot(
        {
          width,
          height: 220,
          scales: { y: { range: (_u, _min, max) => [0, Math.max(4, max)] } },
          series: [{}, { label, stroke: color, width: 2, fill: `${color}33` }],
          axes: [
            axis,
            {
              ...axis,
              incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 1e6, 1e7],
            },
          ],
          legend: { show: false },
        },
        [xs, days.map((d) => d.n)],
        host,
      );
    };
    draw();
    const watch = new MutationObserver(draw);
    watch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      watch.disconnect();
      plot?.destroy();
    };
  }, [key, label]);
  const total = days.reduce((s, d) => s + d.n, 0);
  return (
    <figure class="card chart">
      <figcaption>
        {props.caption}: <strong>{total}</strong>
      </figcaption>
      <div
        ref={el}
        role="img"
        aria-label={`Chart of ${label.toLowerCase()} per day: ${props.caption.toLowerCase()}, ${total} in total`}
      />
    </figure>
  );
}
