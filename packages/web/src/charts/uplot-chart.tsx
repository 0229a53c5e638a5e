/**
 * A uPlot chart as a React component: created once per options object, fed new
 * data in place (live updates do not rebuild the canvas), sized to its container.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

export function UPlotChart({
  options,
  data,
  label,
}: {
  /** Options without width (taken from the container). */
  options: Omit<uPlot.Options, 'width'>;
  data: uPlot.AlignedData;
  /** What the chart shows, for screen readers. */
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const width = () => Math.max(280, el.clientWidth);
    const plot = new uPlot({ ...options, width: width() }, latest.current, el);
    chart.current = plot;
    const observer = new ResizeObserver(() =>
      plot.setSize({ width: width(), height: options.height }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [options]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div className="chart" ref={box} role="img" aria-label={label} />;
}
